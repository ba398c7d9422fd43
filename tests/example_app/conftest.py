"""Fixtures for the example app: an app per test, a real SMTP server, logins."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
import threading
import time
import typing as t
from collections.abc import Callable
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from example_app import create_app
from example_app.extensions import db
from example_app.models import Post
from example_app.seed import DEMO_USERS
from example_app.seed import seed


def free_port() -> int:
    """Return a TCP port on the loopback interface that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """The messages an SMTP server received, decoded, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: t.Any, session: t.Any, envelope: t.Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(t.cast(email.message.EmailMessage, message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[email.message.EmailMessage]:
        """Wait until ``count`` messages arrived (or ``timeout`` passed) and return them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            return list(self.messages)

    def subjects(self) -> list[str]:
        """The subjects received so far."""
        return [str(message["Subject"]) for message in self.messages]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free loopback port, and what it received."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    """The messages the test SMTP server received."""
    return smtp[0]


def app_config(tmp_path: t.Any, smtp_port: int, **overrides: t.Any) -> dict[str, t.Any]:
    """The settings of a test app: files in ``tmp_path``, mail to the test SMTP server."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'blog.db'}",
        "HUEY_PATH": str(tmp_path / "huey.db"),
        "HUEY_IMMEDIATE": True,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 10,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(tmp_path: t.Any, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """The blog, seeded, running its jobs immediately, mailing the test SMTP server."""
    app = create_app(app_config(tmp_path, smtp[1]))
    with app.app_context():
        app.config["TEST_TOKENS"] = seed()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    """``username -> API token`` of the seeded users."""
    return t.cast(dict[str, str], app.config["TEST_TOKENS"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the blog."""
    return app.test_client()


LoginAs = Callable[[str], FlaskClient]


@pytest.fixture
def login_as(client: FlaskClient) -> LoginAs:
    """Sign the test client in through the login form as one of the demo users."""

    def login(username: str) -> FlaskClient:
        password = DEMO_USERS[username][1]
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"{username} could not sign in"
        return client

    return login


def post_id(app: Flask, title: str) -> int:
    """The id of the seeded post called ``title``."""
    with app.app_context():
        found = db.session.scalar(sa.select(Post.id).where(Post.title == title))
    assert found is not None, f"no post {title!r}"
    return int(found)


def load_post(app: Flask, title: str) -> Post:
    """A detached copy of the seeded post called ``title``, as it is in the database now."""
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.title == title))
        assert post is not None, f"no post {title!r}"
        db.session.expunge(post)
    return post
