"""The helpers views, templates and job bodies call: ``authorize``, ``policy_scope``...

Each one works in a request (the actor is flask-login's ``current_user``) and
inside an authorized job or an :func:`.acting_as` block (the bound actor).
Pass ``user=`` to decide for someone else.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable
from collections.abc import Mapping

from .actor import unwrap_proxy
from .authorizer import Decision
from .bulk import BulkChecker
from .checks import UNSET
from .checks import Actor
from .checks import check
from .checks import make_policy
from .checks import mark_performed
from .checks import resolve_actor
from .checks import view_action
from .denial import denial_error
from .errors import ConfigurationError
from .finder import policy_class_for
from .policy import Policy
from .policy import permitted_attributes_for

R = t.TypeVar("R")


def authorize(
    record: R,
    action: str | None = None,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
    hidden: bool | None = None,
    message: str | None = None,
) -> R:
    """Check that the actor may perform ``action`` on ``record`` and return the record.

    :param record: A model instance, a model class, or a headless policy class.
    :param action: The rule to check (``"update"``, ``"publish?"``). Defaults
        to the current view's name.
    :param user: Decide for this user instead of the actor.
    :param policy_class: Use this policy, skipping the lookup.
    :param namespace: Look for the policy in this namespace first (default:
        the blueprint's namespace, if one is registered).
    :param hidden: Answer 404 instead of 403 on denial (default: the policy's
        ``hide_denied`` or ``SIMPLE_AUTHORIZE_HIDE_DENIED``).
    :param message: The message of the denial, instead of the configured one.
    :raises NotAuthorizedError: The rule denied.
    """
    actor = resolve_actor(user, namespace)
    decision = check(
        actor,
        record,
        view_action() if action is None else action,
        policy_class=policy_class,
        enforced=True,
    )
    if decision.allowed:
        return record
    raise denial_error(actor, decision, record, hidden=hidden, message=message)


def allowed_to(
    action: str,
    record: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> bool:
    """Return whether the actor may perform ``action`` on ``record``; never raises on denial."""
    actor = resolve_actor(user, namespace)
    return check(actor, record, action, policy_class=policy_class).allowed


def policy(
    record: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> Policy:
    """Return the policy instance for ``record`` and the actor (for ``policy(post).update()``).

    With ``SIMPLE_AUTHORIZE_POLICY_CACHE`` on, it is the request's cached
    instance. Calling a rule on it directly checks nothing and sends no signal.
    """
    actor = resolve_actor(user, namespace)
    record = unwrap_proxy(record)
    found = policy_class_for(record, namespace=actor.namespace, policy_class=policy_class)
    return make_policy(actor, found, record)


def authorize_all(
    records: Iterable[R],
    action: str | None = None,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
    hidden: bool | None = None,
    message: str | None = None,
) -> list[R]:
    """Authorize ``action`` on every record; raise on the first denial, else return them all.

    ``hidden`` and ``message`` work as in :func:`authorize`.

    :raises NotAuthorizedError: Some record was denied (nothing is returned).
    """
    actor = resolve_actor(user, namespace)
    checker = BulkChecker(actor, view_action() if action is None else action, policy_class)
    items = list(records)
    _performed(actor)  # a denial counts as checked too, as with authorize()
    for item in items:
        decision = checker.decide(item, enforced=True)
        if not decision.allowed:
            raise denial_error(actor, decision, item, hidden=hidden, message=message)
    return items


def authorized_records(
    records: Iterable[R],
    action: str = "show",
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[R]:
    """Return the records on which the actor may perform ``action`` (default ``"show"``)."""
    actor = resolve_actor(user, namespace)
    allowed, _ = BulkChecker(actor, action, policy_class).split(records)
    _performed(actor)
    return allowed


def partition_records(
    records: Iterable[R],
    action: str = "show",
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> tuple[list[R], list[R]]:
    """Split records into ``(allowed, denied)`` for ``action``."""
    actor = resolve_actor(user, namespace)
    allowed, denied = BulkChecker(actor, action, policy_class).split(records)
    _performed(actor)
    return allowed, denied


def decisions(
    records: Iterable[R],
    action: str,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[tuple[R, Decision]]:
    """Return ``(record, decision)`` pairs, reasons included (batch jobs report these)."""
    actor = resolve_actor(user, namespace)
    decide = BulkChecker(actor, action, policy_class).decide
    return [(item, decide(item)) for item in records]


def allowed_actions(
    record: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[str]:
    """Return the plain names of every rule of the policy that allows, sorted."""
    actor = resolve_actor(user, namespace)
    record = unwrap_proxy(record)
    found = policy_class_for(record, namespace=actor.namespace, policy_class=policy_class)
    return [
        rule
        for rule in sorted(found.rule_names())
        if check(actor, record, rule, policy_class=found).allowed
    ]


def permitted_attributes(
    record: t.Any,
    action: str | None = None,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[str]:
    """Return the attributes the actor may write for ``action`` (default: the view's name).

    ``permitted_attributes_for_<action>`` on the policy takes precedence over
    ``permitted_attributes``.
    """
    if action is not None and type(action) is not str:
        raise ConfigurationError(
            f"the action of permitted_attributes() must be a rule name (str), got {action!r}"
        )
    found = policy(record, user=user, policy_class=policy_class, namespace=namespace)
    return permitted_attributes_for(found, view_action_or_none() if action is None else action)


def view_action_or_none() -> str | None:
    """Return the current view's name, or ``None`` outside a view."""
    try:
        return view_action()
    except ConfigurationError:
        return None


def visible_attributes(
    record: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[str]:
    """Return the attributes the actor may read."""
    found = policy(record, user=user, policy_class=policy_class, namespace=namespace)
    return list(found.visible_attributes())


def editable_attributes(
    record: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> list[str]:
    """Return the attributes the actor may edit."""
    found = policy(record, user=user, policy_class=policy_class, namespace=namespace)
    return list(found.editable_attributes())


def filter_attributes(
    record: t.Any,
    data: Mapping[str, t.Any],
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> dict[str, t.Any]:
    """Return ``data`` restricted to the attributes the actor may read (for responses)."""
    visible = set(
        visible_attributes(record, user=user, policy_class=policy_class, namespace=namespace)
    )
    return {key: value for key, value in data.items() if key in visible}


def _performed(actor: Actor) -> None:
    if actor.state.settings.verify:
        mark_performed()
