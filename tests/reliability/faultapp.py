"""A small app with one authorized huey task, for tests that run real consumers.

The consumer imports it as ``huey_consumer tests.reliability.faultapp.huey``
with ``FAULT_DIR`` set (the folder of the app's and the queue's SQLite files)
and, for Redis storage, ``FAULT_REDIS_PORT``. Tests build the same app in
their own process with :func:`create` to seed rows and enqueue tasks.

The task ``run_job(user, record, label, seconds)`` writes a ``start`` row,
sleeps, then writes a ``finish`` row, so a test can tell what ran, how often,
and what was cut short. huey's ``interrupted`` signal writes an
``interrupted`` row. ``FAULT_REQUEUE_INTERRUPTED`` sets
``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED`` in the consumer.
"""

from __future__ import annotations

import dataclasses
import os
import time
import typing as t
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_login import LoginManager
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from huey import RedisHuey
from huey import SqliteHuey
from huey.signals import SIGNAL_INTERRUPTED
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey import signed_serializer

SECRET = "reliability-fault-tests"
QUEUE_NAME = "fault-tests"


class Base(DeclarativeBase):
    """The declarative base of the fault app's models."""


db = SQLAlchemy(model_class=Base)


class FaultUser(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A user; ``may_run`` decides ``FaultRecordPolicy.run``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    may_run: Mapped[bool] = mapped_column(default=True)


class FaultRecord(db.Model):  # type: ignore[name-defined,misc]
    """The record a job acts on."""

    id: Mapped[int] = mapped_column(primary_key=True)


class Execution(db.Model):  # type: ignore[name-defined,misc]
    """One event of one job run: ``start``, ``finish`` or ``interrupted``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    event: Mapped[str] = mapped_column(sa.String(20))
    pid: Mapped[int]


class FaultRecordPolicy(Policy):
    """Users with ``may_run`` may run jobs on any record."""

    def run(self) -> bool:
        return bool(self.user.may_run)


FaultRecord.__policy__ = FaultRecordPolicy


@dataclasses.dataclass
class Fault:
    """The app, its queue and its task."""

    app: Flask
    huey: t.Any
    run_job: t.Any

    def events(self) -> list[tuple[str, str]]:
        """Return every ``(label, event)`` written so far, in order."""
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(Execution.label, Execution.event).order_by(Execution.id)
            )
            return [(label, event) for label, event in rows]

    def seed(self, users: dict[int, bool], records: t.Iterable[int]) -> None:
        """Create the tables and add users (``id -> may_run``) and records."""
        with self.app.app_context():
            db.create_all()
            for user_id, may_run in users.items():
                db.session.merge(FaultUser(id=user_id, may_run=may_run))
            for record_id in records:
                db.session.merge(FaultRecord(id=record_id))
            db.session.commit()

    def set_may_run(self, user_id: int, may_run: bool) -> None:
        """Grant or revoke a user's permission to run jobs."""
        with self.app.app_context():
            user = db.session.get(FaultUser, user_id)
            assert user is not None
            user.may_run = may_run
            db.session.commit()


def _log(label: str, event: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Execution).values(label=label, event=event, pid=os.getpid()))


def create(
    folder: Path, *, redis_port: int | None = None, requeue_interrupted: int | None = None
) -> Fault:
    """Build the app and its signed queue on the files in ``folder``.

    :param folder: Holds ``app.db`` and (SQLite storage) ``queue.db``.
    :param redis_port: Use Redis storage on this loopback port instead of SQLite.
    :param requeue_interrupted: ``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED``
        (``None``: the default).
    """
    serializer = signed_serializer(SECRET)
    if redis_port is None:
        huey: t.Any = SqliteHuey(
            QUEUE_NAME, filename=str(folder / "queue.db"), serializer=serializer
        )
    else:
        huey = RedisHuey(QUEUE_NAME, host="127.0.0.1", port=redis_port, serializer=serializer)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=SECRET,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'app.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
    )
    if requeue_interrupted is not None:
        app.config["SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED"] = requeue_interrupted
    db.init_app(app)
    login = LoginManager(app)

    @login.user_loader
    def load_user(user_id: str) -> FaultUser | None:
        return db.session.get(FaultUser, int(user_id))

    SimpleAuthorize(app, huey=huey)

    @huey_authorized_task(huey, FaultRecord, "run", name="run_job")
    def run_job(user: FaultUser, record: FaultRecord, label: str, seconds: float) -> str:
        _log(label, "start")
        time.sleep(seconds)
        _log(label, "finish")
        return label

    @huey.signal(SIGNAL_INTERRUPTED)
    def interrupted(signal: str, task: t.Any, *args: t.Any) -> None:
        with app.app_context():
            _log(str(task.args[2]), "interrupted")

    return Fault(app, huey, run_job)


if os.environ.get("FAULT_DIR"):
    _port = os.environ.get("FAULT_REDIS_PORT")
    fault = create(
        Path(os.environ["FAULT_DIR"]),
        redis_port=int(_port) if _port else None,
        requeue_interrupted=(
            int(os.environ["FAULT_REQUEUE_INTERRUPTED"])
            if os.environ.get("FAULT_REQUEUE_INTERRUPTED")
            else None
        ),
    )
    huey = fault.huey
    app = fault.app
