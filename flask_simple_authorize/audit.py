"""An optional, ready audit subscriber: denials and job runs written to a table the app owns.

::

    audit = AuditTrail(db)          # defines the model on db's metadata
    audit.init_app(app)             # connects the signals for this app
    db.session.scalars(db.select(audit.model).order_by(audit.model.id.desc()))

Each row is written in its own session and transaction, so a failing audit
write is logged and never changes a decision or a job's outcome. It stores
ids, names, the outcome, the reason and the duration, never whole objects;
a value longer than its column is cut to fit, and a composite key is stored
as a tuple, ``"(1, 2)"``, whether a request or a job wrote the row.
"""

from __future__ import annotations

import datetime
import functools
import logging
import typing as t

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from . import signals
from .errors import ConfigurationError

logger = logging.getLogger("flask_simple_authorize.audit")

_models: dict[tuple[int, str], t.Any] = {}

#: The key of the registered trail in ``app.extensions``.
EXTENSION_KEY = "simple_authorize_audit"

#: ``signal -> (kind, outcome)`` of the rows it writes.
OUTCOMES: dict[str, tuple[str, str]] = {
    "authorization_denied": ("denial", "denied"),
    "job_succeeded": ("job", "succeeded"),
    "job_failed": ("job", "failed"),
    "job_skipped": ("job", "skipped"),
    "job_authorization_denied": ("job", "job_denied"),
}


class AuditTrail:
    """Persists denials and job outcomes to ``table_name`` through Flask-SQLAlchemy.

    :param db: The app's ``flask_sqlalchemy.SQLAlchemy`` instance.
    :param table_name: The table to write to (created by ``db.create_all()``
        or your migrations).
    """

    def __init__(self, db: t.Any, table_name: str = "simple_authorize_audit") -> None:
        self.db = db
        self.table_name = table_name
        #: The mapped model class of the audit rows.
        self.model: t.Any = _model_for(db, table_name)
        #: The longest value each text column takes; longer values are cut to fit.
        self.lengths: dict[str, int] = {
            column.name: column.type.length
            for column in self.model.__table__.columns
            if isinstance(column.type, sa.String) and column.type.length
        }
        # One receiver per signal, connected weakly for each app: the trail
        # keeps them alive and the app keeps the trail (in app.extensions), so
        # nothing is left connected once both are gone.
        self._receivers: dict[str, t.Callable[..., None]] = {
            name: functools.partial(self._receive, kind, outcome)
            for name, (kind, outcome) in OUTCOMES.items()
        }

    def init_app(self, app: Flask) -> None:
        """Write rows for the denials and job runs of ``app``.

        :raises ConfigurationError: An audit trail is already registered on ``app``.
        """
        registered = app.extensions.get(EXTENSION_KEY)
        if registered is not None:
            raise ConfigurationError(
                f"an AuditTrail (table {registered.table_name!r}) is already registered on app"
                f" {app.name!r}: import and use that instance instead of registering again"
            )
        app.extensions[EXTENSION_KEY] = self
        for name, receiver in self._receivers.items():
            getattr(signals, name).connect(receiver, sender=app)

    def _receive(self, kind: str, outcome: str, app: Flask, **payload: t.Any) -> None:
        if kind == "denial" and payload.get("job"):
            return  # a denial inside a job body is audited as the job's outcome
        self.record(app, kind, outcome, payload)

    def record(self, app: Flask, kind: str, outcome: str, payload: dict[str, t.Any]) -> None:
        """Write one row in its own transaction; log (never raise) a failure."""
        error = payload.get("error")
        values = {
            "kind": kind,
            "outcome": outcome,
            "user_id": _text(payload.get("user_id")),
            "record_type": payload.get("record_type"),
            "record_id": _text(payload.get("record_id")),
            "action": payload.get("query"),
            "policy": payload.get("policy_name"),
            "reason": payload.get("reason") or (repr(error) if error is not None else None),
            "task_name": payload.get("task_name") or payload.get("job"),
            "task_id": _text(payload.get("task_id")),
        }
        row = self.model(
            created_at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
            duration=payload.get("duration"),
            **{name: self._fit(name, value) for name, value in values.items()},
        )
        try:
            with app.app_context(), Session(self.db.engine) as session:
                session.add(row)
                session.commit()
        except Exception:
            logger.exception("could not write the audit row for %s %s", kind, outcome)

    def _fit(self, column: str, value: t.Any) -> t.Any:
        length = self.lengths.get(column)
        if length is not None and isinstance(value, str) and len(value) > length:
            return value[:length]
        return value


def _text(value: t.Any) -> str | None:
    """Spell an id for its column; a composite key always as a tuple: ``"(1, 2)"``."""
    if value is None:
        return None
    if isinstance(value, list):
        value = tuple(value)
    return str(value)


def _model_for(db: t.Any, table_name: str) -> t.Any:
    key = (id(db.metadata), table_name)
    model = _models.get(key)
    if model is None:
        columns = {
            "__tablename__": table_name,
            "id": sa.Column(sa.Integer, primary_key=True),
            "created_at": sa.Column(sa.DateTime, nullable=False, index=True),
            "kind": sa.Column(sa.String(10), nullable=False),
            "outcome": sa.Column(sa.String(20), nullable=False, index=True),
            "user_id": sa.Column(sa.String(64), index=True),
            "record_type": sa.Column(sa.String(100)),
            "record_id": sa.Column(sa.String(64)),
            "action": sa.Column(sa.String(100)),
            "policy": sa.Column(sa.String(100)),
            "reason": sa.Column(sa.String(500)),
            "task_name": sa.Column(sa.String(200)),
            "task_id": sa.Column(sa.String(64), index=True),
            "duration": sa.Column(sa.Float),
            "__repr__": _repr,
        }
        name = "SimpleAuthorizeAuditEntry" + (str(len(_models)) if _models else "")
        model = _models[key] = type(name, (db.Model,), columns)
    return model


def _repr(self: t.Any) -> str:
    return f"<AuditEntry {self.kind} {self.outcome} user={self.user_id} {self.action}>"
