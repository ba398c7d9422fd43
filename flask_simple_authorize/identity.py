"""Ids and type names of users and records, for signal payloads, logs and queues."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState


def user_id_of(user: t.Any) -> t.Any:
    """Return the user's id, or ``None`` for ``None`` and anonymous users."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    value = getattr(user, "id", None)
    if value is None and hasattr(user, "get_id"):
        value = user.get_id()
    return value


def record_id_of(record: t.Any) -> t.Any:
    """Return the primary key of a record (a tuple for composite keys), or ``None``.

    Classes, ``None`` and transient (never flushed) instances have no id.
    """
    if record is None or isinstance(record, type):
        return None
    state = sa.inspect(record, raiseerr=False)
    if isinstance(state, InstanceState):
        identity = state.identity
        if identity is None:
            return None
        return identity[0] if len(identity) == 1 else tuple(identity)
    return getattr(record, "id", None)


def record_type_of(record: t.Any) -> str | None:
    """Return the model name of a record or class (``"Post"``), or ``None``."""
    if record is None:
        return None
    if isinstance(record, type):
        return record.__name__
    return type(record).__name__
