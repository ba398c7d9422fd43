"""The audit trail writes its rows in its own session, on PostgreSQL as on SQLite."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask
from huey import MemoryHuey
from sqlalchemy.orm import Session

from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import authorize
from flask_simple_authorize.actor import acting_as
from flask_simple_authorize.audit import AuditTrail
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.policy import RuleResult

from .workspace import Document
from .workspace import Member
from .workspace import Membership
from .workspace import audit_model
from .workspace import db

LONG_REASON = "needs_a_review_by_the_whole_editorial_board_" * 15


class VerboseDocumentPolicy(Policy):
    """Denies every update with a reason longer than the audit column."""

    def update(self) -> RuleResult:
        return self.deny(LONG_REASON)


@pytest.fixture
def audited(app: Flask) -> Flask:
    AuditTrail(db).init_app(app)
    return app


def rows(app: Flask) -> list[t.Any]:
    """The audit rows, read through a connection of their own."""
    with app.app_context(), Session(db.engine) as session:
        return list(session.scalars(sa.select(audit_model).order_by(audit_model.id)))


def deny(user: Member | None, record: t.Any, action: str, **options: t.Any) -> None:
    with acting_as(user), pytest.raises(NotAuthorizedError):
        authorize(record, action, **options)


def test_denial_row_names_the_user_record_rule_policy_and_reason(
    audited: Flask, ids: dict[str, int]
) -> None:
    with audited.app_context():
        ann = db.session.get(Member, ids["ann"])
        deny(ann, db.session.get(Document, ids["red archive"]), "update")

    [row] = rows(audited)
    assert (row.kind, row.outcome, row.user_id, row.record_type, row.record_id) == (
        "denial", "denied", str(ids["ann"]), "Document", str(ids["red archive"])
    )  # fmt: skip
    assert (row.action, row.policy, row.reason) == ("update", "WorkspaceDocumentPolicy", "archived")


def test_denial_of_a_composite_key_record_stores_the_whole_key(
    audited: Flask, ids: dict[str, int]
) -> None:
    with audited.app_context():
        ann = db.session.get(Member, ids["ann"])
        deny(ann, db.session.get(Membership, (ids["team:red"], ids["bob"])), "deactivate")

    [row] = rows(audited)
    assert row.record_id == str((ids["team:red"], ids["bob"]))


def test_job_and_request_rows_spell_a_composite_key_alike(
    audited: Flask, ids: dict[str, int], huey: MemoryHuey
) -> None:
    key = (ids["team:red"], ids["bob"])

    @huey_authorized_task(huey, Membership, "deactivate")
    def deactivate(user: Member, membership: Membership) -> None:
        raise AssertionError("ann may not deactivate memberships")

    with audited.app_context():
        ann = db.session.get(Member, ids["ann"])
        deny(ann, db.session.get(Membership, key), "deactivate")
    deactivate(ids["ann"], list(key))

    assert [(row.outcome, row.record_id) for row in rows(audited)] == [
        ("denied", str(key)),
        ("job_denied", str(key)),
    ]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_denial_row_survives_the_rollback_of_the_callers_transaction(
    ids: dict[str, int], audited: Flask
) -> None:
    """PostgreSQL only: on SQLite the audit's own connection waits for the caller's write lock."""
    with audited.app_context():
        db.session.add(Document(title="unsaved", team_id=ids["team:red"], user_id=ids["bob"]))
        db.session.flush()
        bob = db.session.get(Member, ids["bob"])
        deny(bob, db.session.get(Document, ids["red draft"]), "update")
        assert len(rows(audited)) == 1  # committed while the caller's transaction is open
        db.session.rollback()
        unsaved = db.session.scalars(sa.select(Document).filter_by(title="unsaved")).all()

    assert unsaved == []
    assert [row.outcome for row in rows(audited)] == ["denied"]


def test_denial_with_a_reason_longer_than_its_column_is_still_audited(
    audited: Flask, ids: dict[str, int]
) -> None:
    with audited.app_context():
        ann = db.session.get(Member, ids["ann"])
        deny(
            ann,
            db.session.get(Document, ids["red draft"]),
            "update",
            policy_class=VerboseDocumentPolicy,
        )

    [row] = rows(audited)
    assert LONG_REASON.startswith(row.reason)


def test_job_with_a_name_and_reason_longer_than_their_columns_is_still_audited(
    audited: Flask, ids: dict[str, int], huey: MemoryHuey
) -> None:
    name = "retitle_" + "x" * 250

    @huey_authorized_task(huey, Document, "update", name=name, policy_class=VerboseDocumentPolicy)
    def retitle(user: Member, document: Document) -> None:
        raise AssertionError("denied")

    retitle(ids["ann"], ids["red draft"])

    [row] = rows(audited)
    assert (row.outcome, row.task_name, row.reason) == ("job_denied", name[:200], LONG_REASON[:500])
