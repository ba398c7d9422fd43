"""Deciding one action over many records: the path of ``authorized_records`` and friends.

:meth:`BulkChecker.split` reuses one policy instance per policy class while
that is safe (see :class:`BulkChecker`), which keeps a check near the cost of
calling the rule itself.
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing as t
from collections.abc import Mapping

from . import signals
from .authorizer import Decision
from .authorizer import decide
from .authorizer import resolve_rule
from .checks import Actor
from .checks import announce
from .errors import InvalidRuleResultError
from .finder import policy_class_for
from .policy import Denial
from .policy import Policy
from .user_facts import REUSABLE_STATE
from .user_facts import ActorHelpers
from .user_facts import user_fact
from .user_facts import user_fact_names

R = t.TypeVar("R")


class _Plan:
    """How :class:`BulkChecker` decides for records of one class."""

    __slots__ = ("facts", "function", "policy_class", "reusable", "rule", "spare", "spare_size")

    def __init__(self, policy_class: type[Policy], rule: str) -> None:
        self.policy_class = policy_class
        self.rule = rule
        self.function: t.Callable[[Policy], t.Any] = getattr(policy_class, rule)
        self.reusable = reusable(policy_class)
        self.facts = user_fact_names(policy_class) if self.reusable else frozenset()
        self.spare: Policy | None = None
        self.spare_size = -1  # len(spare.__dict__) when it was last vetted; -1: vet it

    def new_policy(self, user: t.Any, record: t.Any, context: Mapping[str, t.Any]) -> Policy:
        """Build a fresh policy for ``record``; :meth:`vet` decides whether to keep it."""
        self.spare_size = -1
        policy_class = self.policy_class
        return policy_class(user, None if record is policy_class else record, context)

    def vet(self, policy: Policy) -> None:
        """Keep ``policy`` for the next record if it holds only reusable state, else drop it.

        A policy kept for the first time gets its user facts computed once and
        stored on it, so the next records read them as plain attributes.
        """
        state = policy.__dict__
        if self.reusable and state.keys() <= REUSABLE_STATE | self.facts:
            if self.spare is not policy:
                for name in self.facts - state.keys():
                    try:
                        state[name] = getattr(policy, name)
                    except Exception:  # computed on access instead, as without reuse
                        continue
            self.spare = policy
            self.spare_size = len(state)
        else:
            self.spare = None
            self.spare_size = -1


#: Class attribute kinds that can hold per-instance state (a memo keyed by the policy).
_MUTABLE_KINDS = (
    collections.abc.MutableMapping,
    collections.abc.MutableSequence,
    collections.abc.MutableSet,
)
#: Methods that may keep or redirect state where :meth:`_Plan.vet` cannot see it.
_STATE_HOOKS = frozenset({"__init__", "__new__", "__setattr__", "__delattr__", "__getattribute__"})
_LIBRARY_CLASSES = frozenset({Policy, ActorHelpers, object})
#: The instance ``__dict__`` itself and the weakref slot, found on plain mixin classes.
_INSTANCE_STORAGE = frozenset({"__dict__", "__weakref__"})


def reusable(policy_class: type[Policy]) -> bool:
    """Whether one instance of ``policy_class`` may be re-pointed at record after record.

    Only when every piece of its state lives in the instance ``__dict__``,
    where :meth:`_Plan.vet` checks it: built by the base ``__init__``, no
    ``__slots__``, no property named ``record``, and no attribute that could
    keep state elsewhere (``functools.lru_cache`` on a method, a method
    wrapped by a decorator that closes over a memo, a custom descriptor, a
    dict or set on the class, an own ``__setattr__``). Anything unknown gets
    a fresh instance per record, which is always right, only slower.
    """
    for klass in policy_class.__mro__:
        if klass in _LIBRARY_CLASSES:
            continue
        for name, value in vars(klass).items():
            if name in _STATE_HOOKS or name == "__slots__" or name == "record":
                return False
            if name in _INSTANCE_STORAGE or _stateless(value) or _class_metadata(name, value):
                continue
            return False
    return True


def _stateless(value: t.Any) -> bool:
    if isinstance(value, types.FunctionType):
        return _plain_function(value)
    if isinstance(value, property):
        return all(
            accessor is None or _plain_function(accessor)
            for accessor in (value.fget, value.fset, value.fdel)
        )
    if isinstance(value, user_fact):
        return _plain_function(value.function)
    if isinstance(value, (staticmethod, classmethod)):
        return _plain_function(value.__func__)
    if isinstance(value, functools.cached_property):
        return _plain_function(value.func)
    if isinstance(value, _MUTABLE_KINDS):
        return False  # a class-level dict or set can remember the instance (a memo by self)
    return not hasattr(type(value), "__get__")


def _class_metadata(name: str, value: t.Any) -> bool:
    # what Python itself keeps on a class: __annotations__, __static_attributes__...
    return name[:2] == name[-2:] == "__" and not hasattr(type(value), "__get__")


def _plain_function(function: t.Any) -> bool:
    """Whether ``function`` is a plain function with no state of its own.

    A function that closes over variables, such as the wrapper a memoizing
    decorator returns, may remember the instance it was called with; only
    the ``__class__`` cell that ``super()`` needs is harmless.
    """
    if not isinstance(function, types.FunctionType):
        return False
    return set(function.__code__.co_freevars) <= {"__class__"}


class BulkChecker:
    """Decides one action over many records, resolving each record class once.

    :meth:`split` reuses one policy instance per policy class, re-pointed at
    each record, while nothing can keep hold of it (no signal receiver), its
    class keeps no state outside the instance (see :func:`reusable`), and
    its ``__dict__`` holds only ``user``, ``record``, ``context`` and the
    user facts (:class:`.user_fact`): a rule that caches anything else on
    ``self`` makes the next record get a fresh instance. :meth:`decide`
    always builds a fresh policy, since the :class:`.Decision` it returns
    keeps it.
    """

    def __init__(
        self, actor: Actor, action: t.Any, policy_class: type[Policy] | None = None
    ) -> None:
        self.actor = actor
        self.action = action
        self.policy_class = policy_class
        self._plans: dict[type, _Plan] = {}
        self._signals = actor.state.settings.signals

    def _plan(self, record: t.Any) -> _Plan:
        instance_dict = getattr(record, "__dict__", None)
        per_instance = type(instance_dict) is dict and "__policy__" in instance_dict
        plan = None if per_instance else self._plans.get(type(record))
        if plan is None:
            found = policy_class_for(
                record, namespace=self.actor.namespace, policy_class=self.policy_class
            )
            plan = _Plan(found, resolve_rule(found, self.action))
            if not (per_instance or isinstance(record, type) or self._varies_by_instance(record)):
                self._plans[type(record)] = plan
        return plan

    def _varies_by_instance(self, record: t.Any) -> bool:
        """Whether records of this class may each name another ``__policy__``.

        They may when the class computes it (a property), when an own
        ``__getattribute__`` can answer anything, or when a ``__getattr__``
        may forward it (a presenter wrapping records of several classes)
        because no class of the record declares it.
        """
        if self.policy_class is not None or isinstance(record, type):
            return False
        classes = type(record).__mro__
        if any(isinstance(k.__dict__.get("__getattribute__"), types.FunctionType) for k in classes):
            return True
        declared = next(
            (k.__dict__["__policy__"] for k in classes if "__policy__" in k.__dict__), None
        )
        if declared is not None:
            return not isinstance(declared, type)
        return any("__getattr__" in klass.__dict__ for klass in classes)

    def decide(self, record: t.Any, *, enforced: bool = False) -> Decision:
        """Decide for one record, with a fresh policy, and announce the decision."""
        plan = self._plan(record)
        actor = self.actor
        target = None if record is plan.policy_class else record
        decision = decide(plan.policy_class(actor.user, target, actor.context), plan.rule)
        if self._signals:
            announce(actor, decision, record, enforced)
        return decision

    def split(self, records: t.Iterable[R]) -> tuple[list[R], list[R]]:
        """Return ``(allowed, denied)`` for ``records``, in their order."""
        allowed: list[R] = []
        denied: list[R] = []
        if self._signals and signals.authorization_checked.has_receivers_for(self.actor.app):
            # every decision is announced with its own policy instance
            for record in records:
                (allowed if self.decide(record).allowed else denied).append(record)
            return allowed, denied
        keep, drop = allowed.append, denied.append
        user, context = self.actor.user, self.actor.context
        plans = self._plans
        # The common case, a run of records of one class, is served from locals.
        fast_type: type | None = None
        fast_policy: t.Any = None
        fast_state: t.Any = None
        fast_rule: t.Any = None
        fast_size = -1
        for record in records:
            if type(record) is fast_type and "__policy__" not in record.__dict__:
                fast_state["record"] = record
                result = fast_rule(fast_policy)
                if result is True:
                    keep(record)
                elif result is False or type(result) is Denial:
                    drop(record)
                else:
                    raise InvalidRuleResultError(type(fast_policy), plans[fast_type].rule, result)
                if len(fast_state) != fast_size:
                    plans[fast_type].vet(fast_policy)
                    fast_type = None
                continue
            plan = plans.get(type(record))
            if plan is None or "__policy__" in getattr(record, "__dict__", ()):
                plan = self._plan(record)
            policy = plan.spare
            if policy is None:
                policy = plan.new_policy(user, record, context)
            else:
                policy.record = record
            result = plan.function(policy)
            if result is True:
                keep(record)
            elif result is False or type(result) is Denial:
                drop(record)
            else:
                raise InvalidRuleResultError(plan.policy_class, plan.rule, result)
            if len(policy.__dict__) != plan.spare_size:
                plan.vet(policy)
            if (
                plan.spare is not None
                and plans.get(type(record)) is plan
                and type(getattr(record, "__dict__", None)) is dict
            ):
                fast_type, fast_policy, fast_rule = type(record), plan.spare, plan.function
                fast_state, fast_size = fast_policy.__dict__, plan.spare_size
        return allowed, denied
