"""Assertions on policies, made without a request: ``assert_permit``, ``assert_forbid``...

They resolve the policy and the rule exactly as the app does
(:func:`.finder.policy_class_for`, :func:`.authorizer.resolve_rule`,
:func:`.authorizer.decide`), so a misspelled action or a missing policy fails
the test with the same error the app would raise. No app context is needed
unless the policy itself uses one.
"""

from __future__ import annotations

import operator
import typing as t
from collections.abc import Iterable
from collections.abc import Mapping

from ..actor import unwrap_proxy
from ..authorizer import Decision
from ..authorizer import decide
from ..authorizer import resolve_rule
from ..finder import policy_class_for
from ..policy import Policy
from ..policy import permitted_attributes_for
from ._describe import describe_decider
from ._describe import describe_outcome
from ._describe import describe_record
from ._describe import describe_user

__tracebackhide__ = True


def build_policy(
    user: t.Any,
    record: t.Any,
    *,
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> Policy:
    """Return the policy the app would build for ``user`` and ``record``.

    :param user: The acting user (a proxy is unwrapped).
    :param record: A model instance, a model class, or a headless policy class.
    :param policy_class: Use this policy, skipping the lookup.
    :param context: What the policy sees as ``self.context``.
    :param namespace: Look in this namespace first, then in the plain one.
    """
    found = policy_class_for(record, namespace=namespace, policy_class=policy_class)
    target = None if record is found else record
    return found(unwrap_proxy(user), target, context)


def decision_for(
    user: t.Any,
    record: t.Any,
    action: str,
    *,
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> Decision:
    """Return the :class:`.Decision` the app would reach, without sending signals."""
    policy = build_policy(
        user, record, policy_class=policy_class, context=context, namespace=namespace
    )
    return decide(policy, resolve_rule(type(policy), action))


def assert_permit(
    user: t.Any,
    record: t.Any,
    action: str,
    *,
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> Decision:
    """Fail unless the policy allows ``action`` on ``record`` for ``user``.

    :returns: The decision, for further checks.
    :raises AssertionError: The rule denied; the message names the policy,
        the rule and the reason.
    """
    decision = decision_for(
        user, record, action, policy_class=policy_class, context=context, namespace=namespace
    )
    if not decision.allowed:
        raise AssertionError(_mismatch("permit", user, record, action, decision))
    return decision


def assert_forbid(
    user: t.Any,
    record: t.Any,
    action: str,
    *,
    reason: str | None = None,
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> Decision:
    """Fail unless the policy denies ``action`` on ``record`` for ``user``.

    :param reason: Also require this denial reason.
    :returns: The decision, for further checks.
    :raises AssertionError: The rule allowed, or denied for another reason.
    """
    decision = decision_for(
        user, record, action, policy_class=policy_class, context=context, namespace=namespace
    )
    if decision.allowed:
        raise AssertionError(_mismatch("forbid", user, record, action, decision))
    if reason is not None and decision.reason != reason:
        raise AssertionError(
            _mismatch(f"forbid with reason {reason!r}", user, record, action, decision)
        )
    return decision


def _mismatch(expected: str, user: t.Any, record: t.Any, action: str, decision: Decision) -> str:
    return (
        f"expected {type(decision.policy).__name__} to {expected} {action!r} on"
        f" {describe_record(record)} for {describe_user(user)}, but"
        f" {describe_decider(decision)}() {describe_outcome(decision)}"
    )


def assert_permitted_attributes(
    user: t.Any,
    record: t.Any,
    expected: Iterable[str] | None = None,
    *,
    action: str | None = None,
    includes: Iterable[str] = (),
    excludes: Iterable[str] = (),
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> list[str]:
    """Check the attributes ``user`` may write (``permitted_attributes``).

    With ``action``, ``permitted_attributes_for_<action>`` takes precedence,
    as in :func:`.permitted_attributes`.

    :param expected: The exact attributes (order ignored).
    :param includes: Attributes that must be among them.
    :param excludes: Attributes that must not be among them.
    :returns: The attributes, for further checks.
    """
    label = f"permitted attributes for {action!r}" if action else "permitted attributes"
    return _assert_attributes(
        label,
        lambda policy: permitted_attributes_for(policy, action),
        user,
        record,
        expected,
        includes,
        excludes,
        build=dict(policy_class=policy_class, context=context, namespace=namespace),
    )


def assert_visible_attributes(
    user: t.Any,
    record: t.Any,
    expected: Iterable[str] | None = None,
    *,
    includes: Iterable[str] = (),
    excludes: Iterable[str] = (),
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> list[str]:
    """Check the attributes ``user`` may read (``visible_attributes``); see above."""
    return _assert_attributes(
        "visible attributes",
        operator.methodcaller("visible_attributes"),
        user,
        record,
        expected,
        includes,
        excludes,
        build=dict(policy_class=policy_class, context=context, namespace=namespace),
    )


def assert_editable_attributes(
    user: t.Any,
    record: t.Any,
    expected: Iterable[str] | None = None,
    *,
    includes: Iterable[str] = (),
    excludes: Iterable[str] = (),
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> list[str]:
    """Check the attributes ``user`` may edit (``editable_attributes``); see above."""
    return _assert_attributes(
        "editable attributes",
        operator.methodcaller("editable_attributes"),
        user,
        record,
        expected,
        includes,
        excludes,
        build=dict(policy_class=policy_class, context=context, namespace=namespace),
    )


def _assert_attributes(
    label: str,
    read: t.Callable[[Policy], Iterable[str]],
    user: t.Any,
    record: t.Any,
    expected: Iterable[str] | None,
    includes: Iterable[str],
    excludes: Iterable[str],
    *,
    build: dict[str, t.Any],
) -> list[str]:
    """Build the policy as the app would, read one attribute list, and check it."""
    policy = build_policy(user, record, **build)
    return _check_attributes(
        label, policy, user, record, read(policy), expected, includes, excludes
    )


def _check_attributes(
    label: str,
    policy: Policy,
    user: t.Any,
    record: t.Any,
    actual_attributes: Iterable[str],
    expected: Iterable[str] | None,
    includes: Iterable[str],
    excludes: Iterable[str],
) -> list[str]:
    includes, excludes = list(includes), list(excludes)
    if expected is None and not includes and not excludes:
        raise TypeError("pass the expected attributes, includes= or excludes=")
    actual = list(actual_attributes)
    present = set(actual)
    problems: list[str] = []
    if expected is not None:
        wanted = set(expected)
        if missing := sorted(wanted - present):
            problems.append(f"missing {missing}")
        if extra := sorted(present - wanted):
            problems.append(f"unexpected {extra}")
    if missing_included := [name for name in includes if name not in present]:
        problems.append(f"should include {missing_included}")
    if present_excluded := [name for name in excludes if name in present]:
        problems.append(f"should exclude {present_excluded}")
    if problems:
        raise AssertionError(
            f"{type(policy).__name__} {label} of {describe_record(record)} for"
            f" {describe_user(user)}: {'; '.join(problems)} (got {actual})"
        )
    return actual
