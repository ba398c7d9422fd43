"""The Flask side of the choke point: the actor, the context, the cache, the signals.

Every helper in :mod:`.helpers` makes its decisions through :func:`check`
(one record) or :class:`BulkChecker` (many), which call
:func:`.authorizer.decide`.
"""

from __future__ import annotations

import inspect
import types
import typing as t
from collections.abc import Mapping

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask.globals import _cv_app
from flask.globals import _cv_request

from . import signals
from .actor import _bound
from .actor import _unwrap
from .actor import request_user
from .authorizer import Decision
from .authorizer import _rule_cache as _resolved_rules
from .authorizer import decide
from .authorizer import decide_result
from .authorizer import resolve_rule
from .errors import ConfigurationError
from .errors import InvalidRuleResultError
from .finder import _DYNAMIC
from .finder import _class_cache
from .finder import policy_class_for
from .identity import record_id_of
from .identity import record_type_of
from .identity import user_id_of
from .policy import EMPTY_CONTEXT
from .policy import REUSABLE_STATE
from .policy import Denial
from .policy import Policy
from .policy import user_fact_names
from .state import EXTENSION_KEY
from .state import AuthorizeState
from .state import get_state

R = t.TypeVar("R")
UNSET: t.Any = object()
_new_tuple = tuple.__new__  # builds NamedTuples without their Python-level __new__
_CACHE_KEY = "_simple_authorize_policies"
PERFORMED_KEY = "_simple_authorize_performed"


class LazyContext(Mapping[str, t.Any]):
    """A read-only mapping that calls the context provider on first use."""

    __slots__ = ("_data", "_provider")

    def __init__(self, provider: t.Callable[[], Mapping[str, t.Any]]) -> None:
        self._provider = provider
        self._data: Mapping[str, t.Any] | None = None

    def _load(self) -> Mapping[str, t.Any]:
        if self._data is None:
            self._data = types.MappingProxyType(dict(self._provider()))
        return self._data

    def __getitem__(self, key: str) -> t.Any:
        return self._load()[key]

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"LazyContext({dict(self._load())!r})"


class Actor(t.NamedTuple):
    """Everything a check needs besides the record, resolved once per helper call."""

    app: Flask
    state: AuthorizeState
    user: t.Any
    context: Mapping[str, t.Any]
    namespace: str | None
    job: str | None


def resolve_actor(user: t.Any = UNSET, namespace: t.Any = UNSET) -> Actor:
    """Resolve the app, its state, the acting user, the context and the namespace."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        raise RuntimeError(
            "Working outside of application context: authorization needs the app,"
            " so run it in a request, an authorized job or `with app.app_context():`"
        )
    app: Flask = app_ctx.app
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = get_state(app)
    bound = _bound.get()
    if bound is None:
        if user is UNSET:
            # the user flask-login already loaded for this request, else load it
            user = app_ctx.g.__dict__.get("_login_user") if _cv_request.get(None) else None
            if user is None:
                user = request_user()
        else:
            user = _unwrap(user)
        provider = state.extension.context_provider_function
        context = EMPTY_CONTEXT if provider is None else LazyContext(provider)
        job = None
    else:
        user = bound.user if user is UNSET else _unwrap(user)
        context, job = bound.context, bound.job
    if namespace is UNSET:
        namespace = _blueprint_namespace(state) if state.blueprint_namespaces else None
    return _new_tuple(Actor, (app, state, user, context, namespace, job))


def _blueprint_namespace(state: AuthorizeState) -> str | None:
    if not has_request_context():
        return None
    for name in request.blueprints:
        namespace = state.blueprint_namespaces.get(name)
        if namespace is not None:
            return namespace
    return None


def view_action() -> str:
    """Return the current view's name (the last part of the endpoint), the default action."""
    endpoint = request.endpoint if has_request_context() else None
    if not endpoint:
        raise ConfigurationError(
            "no action given and no view to take it from: pass the action, as in"
            " authorize(record, 'update')"
        )
    return endpoint.rpartition(".")[2]


def make_policy(actor: Actor, policy_class: type[Policy], record: t.Any) -> Policy:
    """Build the policy for ``record``, reusing the request's cached one when enabled."""
    target = None if record is policy_class else record
    if not actor.state.settings.policy_cache or not has_request_context():
        return policy_class(actor.user, target, actor.context)
    cache: dict[tuple[int, int, type[Policy]], Policy] | None = g.get(_CACHE_KEY)
    if cache is None:
        cache = {}
        setattr(g, _CACHE_KEY, cache)
    key = (id(actor.user), id(target), policy_class)
    policy = cache.get(key)
    if policy is None or policy.user is not actor.user or policy.record is not target:
        policy = cache[key] = policy_class(actor.user, target, actor.context)
    return policy


def drop_policy_cache(*_: t.Any, **__: t.Any) -> None:
    """Forget the request's cached policies (connected to flask-login's login/logout)."""
    if has_request_context():
        g.pop(_CACHE_KEY, None)


def check(
    actor: Actor,
    record: t.Any,
    action: t.Any,
    *,
    policy_class: type[Policy] | None = None,
    enforced: bool = False,
) -> Decision:
    """Decide ``action`` on ``record`` for the actor and announce the decision.

    The same steps as :func:`.policy_class_for`, :func:`.resolve_rule` and
    :func:`.authorizer.decide`, with their common cases inlined: this runs on
    every request that authorizes.
    """
    found: t.Any = None
    if policy_class is None and getattr(record, "__policy__", None) is None:
        found = _class_cache.get(
            (record if isinstance(record, type) else type(record), actor.namespace)
        )
    if found is None or found is False or found is _DYNAMIC:
        found = policy_class_for(record, namespace=actor.namespace, policy_class=policy_class)
    rule = _resolved_rules.get((found, action)) if type(action) is str else None
    if rule is None:
        rule = resolve_rule(found, action)
    settings = actor.state.settings
    if settings.policy_cache:
        policy = make_policy(actor, found, record)
    else:
        policy = found(actor.user, None if record is found else record, actor.context)
    result = getattr(policy, rule)()
    if result is True:
        decision = _new_tuple(Decision, (True, rule, policy, None))
    elif result is False:
        decision = _new_tuple(Decision, (False, rule, policy, None))
    else:
        decision = decide_result(policy, rule, result)
    if settings.signals and (
        signals.authorization_checked.receivers
        or (enforced and signals.authorization_denied.receivers)
    ):
        announce(actor, decision, record, enforced)
    if enforced and settings.verify:
        mark_performed()
    return decision


def check_current(
    record: t.Any,
    action: t.Any,
    *,
    policy_class: type[Policy] | None = None,
    enforced: bool = False,
) -> Decision:
    """:func:`check` for the current actor: ``check(resolve_actor(), ...)``.

    The most common case, flask-login's user in a request deciding on a record
    whose policy and rule were found before, is served here directly; every
    other case takes :func:`resolve_actor` and :func:`check`. Both make the
    same decision and send the same signals.
    """
    app_ctx = _cv_app.get(None)
    if (
        policy_class is None
        and type(action) is str
        and app_ctx is not None
        and _bound.get() is None
        and _cv_request.get(None) is not None
        and getattr(record, "__policy__", None) is None
    ):
        user = app_ctx.g.__dict__.get("_login_user")
        plan = _class_cache.get((type(record), None, action))
        state = app_ctx.app.extensions.get(EXTENSION_KEY)
        if (
            plan is not None
            and user is not None
            and state is not None
            and not state.blueprint_namespaces
            and not state.settings.policy_cache
        ):
            found, rule = plan
            provider = state.extension.context_provider_function
            policy = found(
                user, record, EMPTY_CONTEXT if provider is None else LazyContext(provider)
            )
            result = getattr(policy, rule)()
            if result is True:
                decision = _new_tuple(Decision, (True, rule, policy, None))
            elif result is False:
                decision = _new_tuple(Decision, (False, rule, policy, None))
            else:
                decision = decide_result(policy, rule, result)
            settings = state.settings
            if settings.signals and (
                signals.authorization_checked.receivers
                or (enforced and signals.authorization_denied.receivers)
            ):
                announce(resolve_actor(), decision, record, enforced)
            if enforced and settings.verify:
                setattr(app_ctx.g, PERFORMED_KEY, True)
            return decision
    actor = resolve_actor()
    decision = check(actor, record, action, policy_class=policy_class, enforced=enforced)
    if (
        policy_class is None
        and type(action) is str
        and actor.namespace is None
        and not isinstance(record, type)
        and getattr(record, "__policy__", None) is None
        and _class_cache.get((type(record), None)) is type(decision.policy)
        and len(_class_cache) < 10_000  # action names can come from user input: stay bounded
    ):
        # remember (class, action) -> (policy class, rule) for the branch above;
        # kept in the finder's cache, so it is dropped whenever a policy registers
        _class_cache[(type(record), None, action)] = (type(decision.policy), decision.rule)
    return decision


def mark_performed() -> None:
    """Record that the current request authorized or scoped something (verification)."""
    if has_request_context():
        setattr(g, PERFORMED_KEY, True)


def announce(actor: Actor, decision: Decision, record: t.Any, enforced: bool) -> None:
    """Send ``authorization_checked`` (and ``authorization_denied`` for enforced denials)."""
    denied = enforced and not decision.allowed and bool(signals.authorization_denied.receivers)
    if not signals.authorization_checked.receivers and not denied:
        return
    target = decision.policy.record
    payload = {
        "user": actor.user,
        "user_id": user_id_of(actor.user),
        "record": target,
        "record_id": record_id_of(target),
        "record_type": record_type_of(record),
        "query": decision.rule,
        "policy": decision.policy,
        "policy_name": type(decision.policy).__name__,
        "allowed": decision.allowed,
        "reason": decision.reason,
        "enforced": enforced,
        "job": actor.job,
    }
    signals.send_safely(signals.authorization_checked, actor.app, **payload)
    if denied:
        signals.send_safely(signals.authorization_denied, actor.app, **payload)


class _Plan:
    """How :class:`BulkChecker` decides for records of one class."""

    __slots__ = ("facts", "function", "policy_class", "reusable", "rule", "spare", "spare_size")

    def __init__(self, policy_class: type[Policy], rule: str) -> None:
        self.policy_class = policy_class
        self.rule = rule
        self.function: t.Callable[[Policy], t.Any] = getattr(policy_class, rule)
        # Only a policy built by the base __init__, with a plain ``record`` attribute,
        # can be re-pointed at another record.
        self.reusable = (
            policy_class.__init__ is Policy.__init__
            and inspect.getattr_static(policy_class, "record", None) is None
        )
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


class BulkChecker:
    """Decides one action over many records, resolving each record class once.

    :meth:`split` reuses one policy instance per policy class, re-pointed at
    each record, while nothing can keep hold of it (no signal receiver) and
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
        # a __policy__ computed per instance (a property) cannot be cached per class
        if self.policy_class is not None or isinstance(record, type):
            return False
        return any(
            "__policy__" in klass.__dict__ and not isinstance(klass.__dict__["__policy__"], type)
            for klass in type(record).__mro__
        )

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
        if self._signals and signals.authorization_checked.receivers:
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
