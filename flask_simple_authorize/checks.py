"""The Flask side of the choke point: the actor, the context, the cache, the signals.

Every helper in :mod:`.helpers` makes its decisions through :func:`check`
(one record) or :class:`BulkChecker` (many), which call
:func:`.authorizer.decide`.
"""

from __future__ import annotations

import types
import typing as t
from collections.abc import Mapping

from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request

from . import signals
from .actor import _bound
from .actor import _unwrap
from .actor import current_actor
from .authorizer import Decision
from .authorizer import decide
from .authorizer import resolve_rule
from .errors import ConfigurationError
from .finder import policy_class_for
from .identity import record_id_of
from .identity import record_type_of
from .identity import user_id_of
from .policy import EMPTY_CONTEXT
from .policy import Policy
from .state import EXTENSION_KEY
from .state import AuthorizeState
from .state import get_state

UNSET: t.Any = object()
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
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get(EXTENSION_KEY) or get_state(app)
    bound = _bound.get()
    if bound is not None:
        acting = bound.user if user is UNSET else _unwrap(user)
        context, job = bound.context, bound.job
    else:
        acting = current_actor() if user is UNSET else _unwrap(user)
        provider = state.extension.context_provider_function
        context = EMPTY_CONTEXT if provider is None else LazyContext(provider)
        job = None
    if namespace is UNSET:
        namespace = _blueprint_namespace(state) if state.blueprint_namespaces else None
    return Actor(app, state, acting, context, namespace, job)


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
    """Decide ``action`` on ``record`` for the actor and announce the decision."""
    found = policy_class_for(record, namespace=actor.namespace, policy_class=policy_class)
    rule = resolve_rule(found, action)
    decision = decide(make_policy(actor, found, record), rule)
    settings = actor.state.settings
    if settings.signals:
        announce(actor, decision, record, enforced)
    if enforced and settings.verify:
        mark_performed()
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


class BulkChecker:
    """Decides one action over many records, resolving each record type once.

    A policy instance is reused across records of one class while its rules
    keep no state of their own on it; any attribute a rule caches on the
    instance makes the next record get a fresh one.
    """

    def __init__(
        self, actor: Actor, action: t.Any, policy_class: type[Policy] | None = None
    ) -> None:
        self.actor = actor
        self.action = action
        self.policy_class = policy_class
        self._plans: dict[type, tuple[type[Policy], str]] = {}
        self._signals = actor.state.settings.signals

    def decide(self, record: t.Any, *, enforced: bool = False) -> Decision:
        """Decide for one record."""
        record_type = type(record)
        plan = self._plans.get(record_type)
        if plan is None or "__policy__" in getattr(record, "__dict__", ()):
            found = policy_class_for(
                record, namespace=self.actor.namespace, policy_class=self.policy_class
            )
            plan = (found, resolve_rule(found, self.action))
            if "__policy__" not in getattr(record, "__dict__", ()):
                self._plans[record_type] = plan
        policy_class, rule = plan
        policy = policy_class(self.actor.user, record, self.actor.context)
        decision = decide(policy, rule)
        if self._signals:
            announce(self.actor, decision, record, enforced)
        return decision
