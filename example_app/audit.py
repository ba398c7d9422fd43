"""The audit trail behind the admin page, fed by the extension's signals.

Every enforced denial (in a request or in a job) and every job outcome
becomes one row. Rows hold ids and names only, never whole objects.
"""

from __future__ import annotations

import datetime
import typing as t

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import signals

from .extensions import db


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """One denial or one job run."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(default=_now, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[str | None] = mapped_column(sa.String(64))
    record_type: Mapped[str | None] = mapped_column(sa.String(80))
    record_id: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str | None] = mapped_column(sa.String(80))
    policy: Mapped[str | None] = mapped_column(sa.String(120))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    task_name: Mapped[str | None] = mapped_column(sa.String(200))
    task_id: Mapped[str | None] = mapped_column(sa.String(64))
    duration: Mapped[float | None]


class Audit:
    """Writes :class:`AuditEntry` rows from the signals of each app it is given."""

    model = AuditEntry

    def init_app(self, app: Flask) -> None:
        """Subscribe to ``app``'s denials and job outcomes."""
        signals.authorization_denied.connect(_request_denied, sender=app)
        signals.job_authorization_denied.connect(_job_denied, sender=app)
        signals.job_succeeded.connect(_job_succeeded, sender=app)
        signals.job_failed.connect(_job_failed, sender=app)
        signals.job_skipped.connect(_job_skipped, sender=app)


audit = Audit()


def _text(value: t.Any) -> str | None:
    return None if value is None else str(value)


def _write(kind: str, outcome: str, payload: dict[str, t.Any]) -> None:
    row = {
        "created_at": _now(),
        "kind": kind,
        "outcome": outcome,
        "user_id": _text(payload.get("user_id")),
        "record_type": payload.get("record_type"),
        "record_id": _text(payload.get("record_id")),
        "action": payload.get("query"),
        "policy": payload.get("policy_name"),
        "reason": _text(payload.get("reason") or payload.get("error")),
        "task_name": payload.get("task_name"),
        "task_id": _text(payload.get("task_id")),
        "duration": payload.get("duration"),
    }
    # Its own transaction: the request's session is rolled back on a denial.
    with db.engine.begin() as connection:
        connection.execute(sa.insert(AuditEntry).values(**row))


def _request_denied(app: Flask, **payload: t.Any) -> None:
    if payload.get("job") is None:
        _write("request", "denied", payload)


def _job_denied(app: Flask, **payload: t.Any) -> None:
    _write("job", "denied", payload)


def _job_succeeded(app: Flask, **payload: t.Any) -> None:
    _write("job", "succeeded", payload)


def _job_failed(app: Flask, **payload: t.Any) -> None:
    _write("job", "failed", payload)


def _job_skipped(app: Flask, **payload: t.Any) -> None:
    _write("job", "skipped", payload)
