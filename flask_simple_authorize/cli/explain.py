"""``flask authz explain``: one decision, with the policy, the lookup path and the reason."""

from __future__ import annotations

import dataclasses
import typing as t
from collections.abc import Mapping

from flask import Flask

from .. import registry
from ..actor import anonymous_user
from ..authorizer import Decision
from ..authorizer import decide
from ..authorizer import resolve_rule
from ..finder import find_policy_class
from ..finder import lookup_path
from ..policy import Policy
from ..state import get_state


class ExplainError(Exception):
    """The user or the record cannot be found; the message says why."""


@dataclasses.dataclass
class Explanation:
    """What ``flask authz explain`` prints."""

    user: t.Any
    record: t.Any
    action: str
    policy_class: type[Policy] | None
    path: list[tuple[str, bool]]
    decision: Decision | None
    message: str | None = None


def load_user(app: Flask, user_id: str | None) -> t.Any:
    """Load a user as the app's jobs do: the extension's user loader, else flask-login's.

    :raises ExplainError: No loader, or no user with that id.
    """
    if user_id is None:
        return anonymous_user()
    loader = get_state(app).extension.user_loader_function
    if loader is None:
        manager = getattr(app, "login_manager", None)
        loader = getattr(manager, "user_callback", None)
    if loader is None:
        raise ExplainError(
            "no user loader: register one with @login_manager.user_loader or @authz.user_loader"
        )
    user = loader(str(user_id))
    if user is None:
        raise ExplainError(f"no user with id {user_id!r}")
    return user


def load_record(app: Flask, spec: str) -> t.Any:
    """Resolve ``Post:3`` (a row), ``Post`` (the model class) or ``DashboardPolicy``.

    Models are the classes mapped on Flask-SQLAlchemy's ``db.Model``.

    :raises ExplainError: Nothing of that name, or no row with that key.
    """
    name, _, key = spec.partition(":")
    model = _models(app).get(name)
    if model is None:
        for _namespace, _model_name, policy_class in registry.registered_policies():
            if policy_class.__name__ == name and not key:
                return policy_class
        known = ", ".join(sorted(_models(app))) or "none"
        raise ExplainError(
            f"{name!r} is neither a model nor a policy (models: {known}); write Model:id,"
            " Model or PolicyName"
        )
    if not key:
        return model
    db = app.extensions["sqlalchemy"]
    record = db.session.get(model, _primary_key(model, key))
    if record is None:
        raise ExplainError(f"no {name} with primary key {key!r}")
    return record


def _models(app: Flask) -> dict[str, type]:
    db = app.extensions.get("sqlalchemy")
    if db is None:
        return {}
    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}


def _primary_key(model: type, key: str) -> t.Any:
    import sqlalchemy as sa

    columns: t.Sequence[t.Any] = sa.inspect(model).primary_key
    values = key.split(",")
    converted = []
    for column, value in zip(columns, values, strict=False):
        try:
            converted.append(column.type.python_type(value))
        except (NotImplementedError, ValueError, TypeError):
            converted.append(value)
    return converted[0] if len(converted) == 1 else tuple(converted)


def explain(
    app: Flask,
    user: t.Any,
    record: t.Any,
    action: str,
    *,
    namespace: str | None = None,
    context: Mapping[str, t.Any] | None = None,
) -> Explanation:
    """Decide ``action`` on ``record`` for ``user`` as the app would, and say how."""
    found = find_policy_class(record, namespace=namespace)
    path = _marked_path(record, namespace, found)
    if found is None:
        return Explanation(user, record, action, None, path, None)
    policy = found(user, None if record is found else record, context)
    decision = decide(policy, resolve_rule(found, action))
    message = None
    describe = get_state(app).extension.denial_message_function
    if not decision.allowed and describe is not None:
        with app.test_request_context():
            message = describe(decision.policy, decision.rule, decision.reason)
    return Explanation(user, record, action, found, path, decision, message)


def _marked_path(
    record: t.Any, namespace: str | None, found: type[Policy] | None
) -> list[tuple[str, bool]]:
    if isinstance(record, type) and issubclass(record, Policy):
        return [(f"{record.__name__} (a headless policy)", True)]
    cls = record if isinstance(record, type) else type(record)
    declared = "__policy__" in getattr(record, "__dict__", {}) or any(
        "__policy__" in klass.__dict__ for klass in cls.__mro__
    )
    marked = []
    for entry in lookup_path(record, namespace):
        if entry.endswith(".__policy__"):
            matched = declared and found is not None
        else:
            space, _, name = entry.rpartition(":")
            model = name[: -len("Policy")]
            matched = found is not None and registry.lookup(model, space or None) is found
        marked.append((entry, matched))
        if matched:
            break  # the path taken ends here
    return marked


def format_explanation(result: Explanation) -> str:
    """Return the explanation as the lines ``flask authz explain`` prints."""
    from ..testing._describe import describe_record
    from ..testing._describe import describe_user

    path = " -> ".join(f"{entry} [{'found' if hit else 'no'}]" for entry, hit in result.path)
    lines = [
        f"User:        {describe_user(result.user)}",
        f"Record:      {describe_record(result.record)}",
        f"Action:      {result.action}",
        f"Lookup path: {path}",
    ]
    if result.policy_class is None or result.decision is None:
        lines.append("Policy:      none found: define one, set __policy__ or pass policy_class=")
        return "\n".join(lines)
    decision = result.decision
    lines += [
        f"Policy:      {result.policy_class.__name__} ({result.policy_class.__module__})",
        f"Rule:        {result.policy_class.__name__}.{decision.rule}()",
        f"Result:      {'ALLOWED' if decision.allowed else 'DENIED'}",
        f"Reason:      {decision.reason or '(none given)'}",
    ]
    if result.message:
        lines.append(f"Message:     {result.message}")
    return "\n".join(lines)
