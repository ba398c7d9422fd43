"""``policy_scope`` gives the same rows on PostgreSQL as on SQLite.

Every test runs on both databases: scopes that join, filter booleans and
compare owners, applied to model classes, ``Select`` statements (joined,
ordered, of columns), legacy queries and loaded collections.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from flask_simple_authorize import policy_scope

from ..core import sample
from .workspace import Document
from .workspace import Member
from .workspace import Team
from .workspace import db

#: What each member may see: the oracle the scopes must match, row for row.
VISIBLE = {
    "ann": {"red plan", "red draft", "red archive"},
    "bob": {"red plan", "blue plan", "blue draft", "blue notes"},
    "cat": {"blue plan", "blue notes"},
    "dan": set(),
    "root": {"red plan", "red draft", "red archive", "blue plan", "blue draft", "blue notes"},
}


def member(name: str) -> Member:
    return db.session.execute(sa.select(Member).filter_by(name=name)).scalar_one()


def titles(rows: t.Iterable[t.Any]) -> set[str]:
    return {row.title for row in rows}


SCOPES: dict[str, t.Callable[[Member], set[str]]] = {
    "model": lambda user: titles(db.session.scalars(policy_scope(Document, user=user))),
    "select": lambda user: titles(db.session.scalars(policy_scope(sa.select(Document), user=user))),
    "legacy-query": lambda user: titles(policy_scope(Document.query, user=user).all()),
    "collection": lambda user: titles(
        policy_scope(db.session.scalars(sa.select(Document)).all(), user=user)
    ),
}


@pytest.mark.parametrize("kind", list(SCOPES), ids=list(SCOPES))
def test_every_kind_of_scope_shows_each_member_exactly_what_the_policy_allows(
    app: Flask, ids: dict[str, int], kind: str
) -> None:
    with app.app_context():
        seen = {name: SCOPES[kind](member(name)) for name in VISIBLE}
        allowed = {
            name: titles(
                document
                for document in db.session.scalars(sa.select(Document))
                if document.__policy__(member(name), document).show()
            )
            for name in VISIBLE
        }

    assert seen == VISIBLE
    assert allowed == VISIBLE


def test_scope_keeps_the_callers_join_filter_and_order(app: Flask, ids: dict[str, int]) -> None:
    query = sa.select(Document).join(Team).where(Team.name == "blue").order_by(Document.title)
    with app.app_context():
        rows = db.session.scalars(policy_scope(query, user=member("cat"))).all()

    assert [row.title for row in rows] == ["blue notes", "blue plan"]


def test_scope_of_a_column_select_returns_only_the_visible_values(
    app: Flask, ids: dict[str, int]
) -> None:
    query = sa.select(Document.title, Document.published).order_by(Document.title.desc())
    with app.app_context():
        rows = db.session.execute(policy_scope(query, user=member("bob"))).all()

    assert [tuple(row) for row in rows] == [
        ("red plan", True),
        ("blue plan", True),
        ("blue notes", True),
        ("blue draft", False),
    ]


def test_scope_counts_and_paginates_without_duplicate_rows(app: Flask, ids: dict[str, int]) -> None:
    with app.app_context():
        scope = policy_scope(Document, user=member("bob")).order_by(Document.id)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(scope.subquery()))
        page = db.paginate(scope, page=2, per_page=3)

    assert count == 4
    assert page.total == 4
    assert [item.title for item in page.items] == ["blue notes"]


def test_scope_can_be_narrowed_further_and_updated_through(app: Flask, ids: dict[str, int]) -> None:
    with app.app_context():
        visible = policy_scope(Document, user=member("cat")).with_only_columns(Document.id)
        db.session.execute(
            sa.update(Document).where(Document.id.in_(visible)).values(archived=True)
        )
        db.session.commit()
        archived = db.session.scalars(sa.select(Document.title).where(Document.archived)).all()

    assert set(archived) == {"red archive", "blue plan", "blue notes"}


@pytest.fixture
def blog(database_url: str) -> Iterator[Flask]:
    """The core tests' sample blog, on the database under test."""
    app = sample.create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        sample.db.session.remove()
        sample.db.engine.dispose()


def test_core_sample_scope_agrees_with_its_oracle(blog: Flask) -> None:
    with blog.app_context():
        users = [None, *sample.db.session.scalars(sa.select(sample.User).order_by(sample.User.id))]
        posts = sample.db.session.scalars(sa.select(sample.Post)).all()
        seen = {
            getattr(user, "name", None): sorted(
                post.title
                for post in sample.db.session.scalars(
                    policy_scope(sa.select(sample.Post), user=user, policy_class=sample.PostPolicy)
                )
            )
            for user in users[1:]
        }
        expected = {
            user.name: sorted(post.title for post in posts if sample.oracle(user, post, "show"))
            for user in users[1:]
        }

    assert seen == expected
    assert seen["viewer"] == ["live"]
