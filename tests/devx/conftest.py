"""Fixtures for the developer-experience tests: the blog app, its members and articles."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_simple_authorize.testing import use_policies

from .blog import Article
from .blog import ArticlePolicy
from .blog import Member
from .blog import create_app
from .blog import db


@pytest.fixture(autouse=True)
def _restore_policy_registry() -> Iterator[None]:
    """Register the blog's policy, and undo whatever a test registered."""
    with use_policies(ArticlePolicy):
        yield


@pytest.fixture
def config() -> dict[str, t.Any]:
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


def _member(name: str) -> Member:
    return db.session.execute(db.select(Member).filter_by(name=name)).scalar_one()


@pytest.fixture
def admin(app: Flask) -> Member:
    return _member("admin")


@pytest.fixture
def author(app: Flask) -> Member:
    return _member("author")


@pytest.fixture
def viewer(app: Flask) -> Member:
    return _member("viewer")


@pytest.fixture
def draft(app: Flask) -> Article:
    return db.session.execute(db.select(Article).filter_by(title="Draft")).scalar_one()


@pytest.fixture
def live(app: Flask) -> Article:
    return db.session.execute(db.select(Article).filter_by(title="Live")).scalar_one()
