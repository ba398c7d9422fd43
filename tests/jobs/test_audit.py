"""The audit subscriber: denials and job runs become rows; a failing write changes nothing."""

from __future__ import annotations

import gc
import typing as t

import pytest
from flask import Flask
from flask_login import login_user

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import authorize
from flask_simple_authorize import signals
from flask_simple_authorize.audit import OUTCOMES
from flask_simple_authorize.audit import AuditTrail
from flask_simple_authorize.huey import huey_authorized_task

from .blog import Post
from .blog import User
from .blog import create_app
from .blog import db


@pytest.fixture
def audit(app: Flask, ids: dict[str, int]) -> AuditTrail:
    audit = AuditTrail(db)
    audit.init_app(app)
    with app.app_context():
        db.create_all()
    return audit


def rows(app: Flask, audit: AuditTrail) -> list[t.Any]:
    with app.app_context():
        return list(db.session.scalars(db.select(audit.model).order_by(audit.model.id)))


def test_job_outcomes_are_written_with_who_and_what(
    huey: t.Any, app: Flask, ids: dict[str, int], audit: AuditTrail
):
    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        pass

    ok = publish(ids["author"], ids["draft"])
    publish(ids["viewer"], ids["draft"])
    publish(9999, ids["draft"])

    written = rows(app, audit)
    assert [(r.kind, r.outcome, r.user_id) for r in written] == [
        ("job", "succeeded", str(ids["author"])),
        ("job", "job_denied", str(ids["viewer"])),
        ("job", "skipped", "9999"),
    ]
    first = written[0]
    assert (first.task_name, first.task_id, first.record_type, first.record_id, first.action) == (
        "publish",
        ok.id,
        "Post",
        str(ids["draft"]),
        "publish",
    )
    assert first.duration is not None and first.duration >= 0
    assert written[1].policy == "PostPolicy"
    assert written[2].reason == "user_not_found"


def test_failed_job_is_written_with_its_error(
    huey: t.Any, app: Flask, ids: dict[str, int], audit: AuditTrail
):
    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        raise RuntimeError("smtp down")

    publish(ids["author"], ids["draft"])

    [row] = rows(app, audit)
    assert (row.outcome, row.reason) == ("failed", "RuntimeError('smtp down')")


def test_request_denials_are_written(app: Flask, ids: dict[str, int], audit: AuditTrail):
    with app.test_request_context():
        login_user(db.session.get(User, ids["viewer"]))
        with pytest.raises(NotAuthorizedError):
            authorize(db.session.get(Post, ids["locked"]), "update")

    [row] = rows(app, audit)
    assert (row.kind, row.outcome, row.user_id, row.action, row.reason) == (
        "denial",
        "denied",
        str(ids["viewer"]),
        "update",
        "locked",
    )


def test_failing_audit_write_never_changes_the_decision(
    app: Flask, ids: dict[str, int], audit: AuditTrail, caplog: t.Any
):
    with app.app_context():
        audit.model.__table__.drop(db.engine)

    with app.test_request_context():
        login_user(db.session.get(User, ids["viewer"]))
        with pytest.raises(NotAuthorizedError):
            authorize(db.session.get(Post, ids["locked"]), "update")

    assert "could not write the audit row" in caplog.text


def test_same_table_gives_the_same_model(audit: AuditTrail):
    assert AuditTrail(db).model is audit.model


def test_init_app_twice_on_one_app_is_refused_and_rows_are_written_once(
    huey: t.Any, app: Flask, ids: dict[str, int], audit: AuditTrail
):
    with pytest.raises(ConfigurationError, match="already registered"):
        audit.init_app(app)
    with pytest.raises(ConfigurationError, match="already registered"):
        AuditTrail(db).init_app(app)

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        pass

    publish(ids["author"], ids["draft"])

    assert len(rows(app, audit)) == 1


def test_trail_held_only_by_its_app_keeps_writing(huey: t.Any, app: Flask, ids: dict[str, int]):
    AuditTrail(db).init_app(app)
    gc.collect()

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        pass

    publish(ids["author"], ids["draft"])

    assert len(rows(app, app.extensions["simple_authorize_audit"])) == 1


def test_apps_that_are_gone_leave_no_receivers_behind(tmp_path: t.Any):
    def audited_app(trail: AuditTrail) -> None:
        app = create_app(f"sqlite:///{tmp_path / 'gone.db'}", None)
        trail.init_app(app)

    gc.collect()
    before = {name: len(getattr(signals, name).receivers) for name in OUTCOMES}
    shared = AuditTrail(db)
    for _ in range(5):
        audited_app(shared)
        audited_app(AuditTrail(db))
    gc.collect()

    after = {name: len(getattr(signals, name).receivers) for name in OUTCOMES}
    assert after == {name: count + 1 for name, count in before.items()}  # shared's own
    del shared
    gc.collect()
    assert {name: len(getattr(signals, name).receivers) for name in OUTCOMES} == before


def test_every_new_app_of_a_long_lived_trail_is_audited(tmp_path: t.Any):
    trail = AuditTrail(db)
    written = []
    for number in range(25):  # a new app often reuses the address of a collected one
        app = create_app(f"sqlite:///{tmp_path / f'app{number}.db'}", None)
        trail.init_app(app)
        with app.app_context():
            db.create_all()
        signals.send_safely(signals.job_skipped, app, task_name="sync", reason="user_not_found")
        written.append(len(rows(app, trail)))
        with app.app_context():
            db.engine.dispose()
        del app
        gc.collect()

    assert written == [1] * 25


def test_values_longer_than_their_columns_are_cut_to_fit(
    huey: t.Any, app: Flask, ids: dict[str, int], audit: AuditTrail
):
    @huey_authorized_task(huey, Post, "publish", name="publish_" + "x" * 300)
    def publish(user: User, post: Post) -> None:
        raise RuntimeError("smtp down " * 100)

    publish(ids["author"], ids["draft"])

    [row] = rows(app, audit)
    assert row.task_name == ("publish_" + "x" * 300)[:200]
    assert row.reason == repr(RuntimeError("smtp down " * 100))[:500]
    assert audit.lengths["task_name"] == 200
