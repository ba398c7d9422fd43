"""Fixtures for the core tests: an app with a database, flask-login and the extension."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user

from flask_simple_authorize.testing import use_policies

from .sample import Post
from .sample import PostPolicy
from .sample import User
from .sample import create_app
from .sample import db


@pytest.fixture(autouse=True)
def _core_policies() -> Iterator[None]:
    """Make the sample PostPolicy the registered one, and restore the registry afterwards.

    Policies register globally by class name, so another test package may have
    defined its own ``PostPolicy`` last.
    """
    with use_policies(PostPolicy):
        yield


@pytest.fixture
def config() -> dict[str, t.Any]:
    """Extra app config; override in a test module or with ``@pytest.mark.parametrize``."""
    return {}


@pytest.fixture
def app(config: dict[str, t.Any]) -> Iterator[Flask]:
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def users(app: Flask) -> dict[str, User]:
    return {user.name: user for user in db.session.scalars(db.select(User))}


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users["admin"]


@pytest.fixture
def author(users: dict[str, User]) -> User:
    return users["author"]


@pytest.fixture
def viewer(users: dict[str, User]) -> User:
    return users["viewer"]


@pytest.fixture
def posts(app: Flask) -> dict[str, Post]:
    return {post.title: post for post in db.session.scalars(db.select(Post).order_by(Post.id))}


@pytest.fixture
def draft(posts: dict[str, Post]) -> Post:
    """The author's unpublished post."""
    return posts["draft"]


@pytest.fixture
def live(posts: dict[str, Post]) -> Post:
    """The author's published post."""
    return posts["live"]


@pytest.fixture
def as_user(app: Flask) -> t.Callable[[User | None], t.ContextManager[None]]:
    """``with as_user(user):`` runs the block in a request with ``user`` logged in.

    ``None`` runs it as the anonymous user.
    """
    import contextlib

    @contextlib.contextmanager
    def run(user: User | None, path: str = "/", **kwargs: t.Any) -> Iterator[None]:
        # a fresh app context, so g (and the logged-in user) is not shared between blocks
        with app.app_context(), app.test_request_context(path, **kwargs):
            if user is not None:
                login_user(user)
            yield

    return run


@pytest.fixture
def login(client: FlaskClient) -> t.Callable[[User], FlaskClient]:
    """``login(user)`` logs the test client in as ``user`` through a session and returns it."""

    def run(user: User) -> FlaskClient:
        assert client.get(f"/_login/{user.id}").status_code == 200
        return client

    return run
