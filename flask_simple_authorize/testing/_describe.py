"""How the testing kit names users, records and decisions in failure messages."""

from __future__ import annotations

import typing as t

from ..authorizer import Decision
from ..identity import record_id_of
from ..identity import record_type_of
from ..identity import user_id_of
from ..policy import Policy


def describe_user(user: t.Any) -> str:
    """Return ``"User#3"``, ``"anonymous user"`` or ``"no user"``."""
    if user is None:
        return "no user"
    user_id = user_id_of(user)
    if user_id is None:
        return "anonymous user"
    return f"{type(user).__name__}#{user_id}"


def describe_record(record: t.Any) -> str:
    """Return ``"Post#3"``, ``"Post (class)"``, ``"DashboardPolicy (headless)"``..."""
    if record is None:
        return "no record"
    if isinstance(record, type):
        if issubclass(record, Policy):
            return f"{record.__name__} (headless)"
        return f"{record.__name__} (class)"
    record_id = record_id_of(record)
    name = record_type_of(record)
    return f"{name}#{record_id}" if record_id is not None else f"new {name}"


def describe_outcome(decision: Decision) -> str:
    """Return ``"allowed"`` or ``"denied (reason 'draft_locked')"``."""
    if decision.allowed:
        return "allowed"
    if decision.reason is None:
        return "denied (no reason given)"
    return f"denied (reason {decision.reason!r})"


def describe_decider(decision: Decision) -> str:
    """Return ``"PostPolicy.update"``, the rule that decided."""
    return f"{type(decision.policy).__name__}.{decision.rule}"
