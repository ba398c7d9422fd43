"""``record_id_of`` reads the key the database handed out, on PostgreSQL as on SQLite."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from flask_simple_authorize.identity import record_id_of

from .workspace import Document
from .workspace import Membership
from .workspace import db


def test_record_id_is_the_generated_key_once_flushed_and_after_the_commit(
    app: Flask, ids: dict[str, int]
) -> None:
    with app.app_context():
        document = Document(title="new", team_id=ids["team:red"], user_id=ids["ann"])
        db.session.add(document)
        before = record_id_of(document)
        db.session.flush()
        flushed = record_id_of(document)
        db.session.commit()
        stored = db.session.scalar(sa.select(Document.id).filter_by(title="new"))

        assert (before, flushed, record_id_of(document)) == (None, stored, stored)
        assert stored not in {value for name, value in ids.items() if " " in name}


def test_record_id_of_a_flush_that_was_rolled_back_is_none(app: Flask, ids: dict[str, int]) -> None:
    with app.app_context():
        document = Document(title="new", team_id=ids["team:red"], user_id=ids["ann"])
        db.session.add(document)
        db.session.flush()
        assert record_id_of(document) is not None
        db.session.rollback()

        assert record_id_of(document) is None


def test_record_id_of_a_composite_key_is_the_whole_key_in_column_order(
    app: Flask, ids: dict[str, int]
) -> None:
    with app.app_context():
        loaded = db.session.get(Membership, (ids["team:blue"], ids["cat"]))
        added = Membership(team_id=ids["team:red"], member_id=ids["dan"])
        db.session.add(added)
        db.session.commit()

        assert record_id_of(loaded) == (ids["team:blue"], ids["cat"])
        assert record_id_of(added) == (ids["team:red"], ids["dan"])
