"""The framework-free choke point: every decision goes through :func:`decide`.

It knows nothing of Flask: it resolves an action name to a rule of a policy
class, calls it, and checks the result. The Flask side (:mod:`.checks`) adds
the acting user, the context, the per-request cache and the signals.
"""

from __future__ import annotations

import difflib
import typing as t

from .errors import InvalidRuleResultError
from .errors import UnknownActionError
from .policy import Denial
from .policy import Policy

#: Aliases tried when a policy has no rule of that name (as in Pundit).
ACTION_ALIASES = {"new": "create", "edit": "update"}

_rule_cache: dict[tuple[type[Policy], t.Any], str] = {}
_new = tuple.__new__  # builds a Decision without the NamedTuple's Python-level __new__


class Decision(t.NamedTuple):
    """The outcome of one check.

    :param allowed: Whether the rule allowed.
    :param rule: The rule that decided (aliases resolved, no ``?``).
    :param policy: The policy instance that decided.
    :param reason: The reason given with :meth:`.Policy.deny`, if any.
    """

    allowed: bool
    rule: str
    policy: Policy
    reason: str | None


def resolve_rule(policy_class: type[Policy], action: t.Any) -> str:
    """Return the rule name that ``action`` names on ``policy_class``.

    Accepts a trailing ``?`` and the ``new``/``edit`` aliases. Only strings
    name rules; a ``str`` subclass is read for the text it holds, whatever its
    ``__eq__`` or ``__hash__`` claim.

    :raises UnknownActionError: ``action`` is not a string naming a public rule.
    """
    if type(action) is not str:
        if not isinstance(action, str):
            raise UnknownActionError(policy_class, action)
        action = str.__str__(action)  # a str subclass may lie about equality and hashing
    key = (policy_class, action)
    try:
        return _rule_cache[key]
    except KeyError:
        pass
    rule = _resolve_uncached(policy_class, action)
    if len(_rule_cache) < 10_000:  # action names can come from user input: stay bounded
        _rule_cache[key] = rule
    return rule


def _resolve_uncached(policy_class: type[Policy], action: str) -> str:
    rules = policy_class.rule_names()
    name = action[:-1] if action.endswith("?") else action
    if name in rules:
        return name
    alias = ACTION_ALIASES.get(name)
    if alias is not None and alias in rules:
        return alias
    if name.startswith("_") or hasattr(policy_class, name):
        raise UnknownActionError(policy_class, action, reserved=True)
    suggestions = difflib.get_close_matches(name[:100], sorted(rules), n=3)
    raise UnknownActionError(policy_class, action, suggestions)


def decide(policy: Policy, rule: str) -> Decision:
    """Call ``rule`` (already resolved) on ``policy`` and check the result.

    :raises InvalidRuleResultError: The rule returned something other than a
        bool or a :class:`.Denial`.
    """
    result = getattr(policy, rule)()
    if result is True:
        return _new(Decision, (True, rule, policy, None))
    if result is False:
        return _new(Decision, (False, rule, policy, None))
    if type(result) is Denial:
        return _new(Decision, (False, rule, policy, result.reason))
    raise InvalidRuleResultError(type(policy), rule, result)


def clear_caches() -> None:
    """Forget resolved rule names (for tests that redefine policies)."""
    _rule_cache.clear()
