"""Loading a task's user and records from the ids that crossed the queue.

Ids are checked again in the worker: a message may come from an older
release or another producer, so an id that cannot be a key (of a user or of
the task's model) is refused here rather than handed to a loader.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from sqlalchemy.exc import DataError

from ..errors import ConfigurationError
from .arguments import record_key
from .spec import JobSpec


class InvalidRecordId(Exception):
    """A queued record id cannot be a primary key of the task's model."""


def valid_user_id(user_id: t.Any) -> bool:
    """Whether a queued user id has a type an id can have (``int`` or ``str``, not ``bool``)."""
    return type(user_id) in (int, str)


def load_user(app: Flask, loader: t.Callable[[t.Any], t.Any] | None, user_id: t.Any) -> t.Any:
    """Load a user with the app's job user loader, else flask-login's ``user_loader``.

    :param app: The app the task runs in.
    :param loader: The loader registered with ``@authz.user_loader``, if any.
    :param user_id: The queued user id.
    :return: The user, or ``None`` when it is gone.
    """
    if loader is not None:
        return loader(user_id)
    callback = getattr(getattr(app, "login_manager", None), "user_callback", None)
    if callback is None:
        raise ConfigurationError(
            "authorized tasks load users with flask-login's user_loader or"
            " @authz.user_loader: register one"
        )
    return callback(str(user_id))


def lookup_record(app: Flask, spec: JobSpec, record_id: t.Any) -> t.Any:
    """Load a record of ``spec``'s model by primary key (``None`` when it is gone).

    :raises InvalidRecordId: ``record_id`` cannot be a key of the model.
    """
    if isinstance(record_id, list):  # a composite key, queued as a list
        record_id = tuple(record_id)
    db = app.extensions.get("sqlalchemy")
    try:
        if spec.record_loader is not None:
            return spec.record_loader(record_id)
        if db is None:
            raise ConfigurationError(
                f"task {spec.name}: no Flask-SQLAlchemy extension on the app to load"
                f" {spec.record_type} records; pass record_loader="
            )
        try:
            key = record_key(spec.target, record_id)
        except ValueError as error:
            raise InvalidRecordId(str(error)) from None
        return db.session.get(spec.target, key)
    except DataError as error:
        # The database refused the value for the key column (PostgreSQL does,
        # SQLite finds no row); the failed statement spoiled the transaction.
        if db is not None:
            db.session.rollback()
        detail = str(error.orig).strip().partition("\n")[0]
        raise InvalidRecordId(f"is {record_id!r}, refused by the database: {detail}") from error


def rollback(app: Flask) -> None:
    """Roll the app's Flask-SQLAlchemy session back, if it has one."""
    db = app.extensions.get("sqlalchemy")
    if db is not None:
        db.session.rollback()
