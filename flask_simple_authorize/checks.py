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
from werkzeug.local import LocalProxy

from . import signals
from .actor import _bound
from .actor import request_user
from .actor import unwrap_proxy
from .authorizer import Decision
from .authorizer import decide
from .authorizer import resolve_rule
from .errors import ConfigurationError
from .finder import _class_cache
from .finder import policy_class_for
from .identity import record_id_of
from .identity import record_type_of
from .identity import user_id_of
from .policy import EMPTY_CONTEXT
from .policy import Policy
from .state import EXTENSION_KEY
from .state import AuthorizeState
from .state import get_state
from .state import request_blueprint_names

R = t.TypeVar("R")
UNSET: t.Any = object()
_CACHE_KEY = "_simple_authorize_policies"
_MAX_PLANS = 10_000
#: ``(record class, namespace, action) -> (policy class, rule)``, kept in the
#: finder's cache so that it is dropped whenever a policy registers.
_plans: dict[t.Any, t.Any] = _class_cache
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


class Actor:
    """Everything a check needs besides the record, resolved once per helper call.

    A plain slotted class rather than a named tuple: its fields are read on
    every check, and slot reads are the cheapest attribute reads there are.
    """

    __slots__ = ("app", "context", "job", "namespace", "state", "user")

    def __init__(
        self,
        app: Flask,
        state: AuthorizeState,
        user: t.Any,
        context: Mapping[str, t.Any],
        namespace: str | None,
        job: str | None,
    ) -> None:
        self.app = app
        self.state = state
        self.user = user
        self.context = context
        self.namespace = namespace
        self.job = job

    def __repr__(self) -> str:
        return f"<Actor user={self.user!r} namespace={self.namespace!r} job={self.job!r}>"


def resolve_actor(user: t.Any = UNSET, namespace: t.Any = UNSET) -> Actor:
    """Resolve the app, its state, the acting user, the context and the namespace.

    :param user: Decide for this user instead of the bound actor or ``current_user``.
    :param namespace: The policy namespace (default: the blueprint's, if registered).
    :raises RuntimeError: There is no app context.
    :raises ConfigurationError: The extension is not registered on the app.
    """
    try:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:
        raise RuntimeError(
            "Working outside of application context: authorization needs the app,"
            " so run it in a request, an authorized job or `with app.app_context():`"
        ) from None
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = get_state(app)
    bound = _bound.get()
    if bound is None:
        user = request_user() if user is UNSET else unwrap_proxy(user)
        provider = state.extension.context_provider_function
        context = EMPTY_CONTEXT if provider is None else LazyContext(provider)
        job = None
    else:
        user = bound.user if user is UNSET else unwrap_proxy(user)
        context, job = bound.context, bound.job
    if namespace is UNSET:
        namespace = _blueprint_namespace(state) if state.blueprint_namespaces else None
    return Actor(app, state, user, context, namespace, job)


def _blueprint_namespace(state: AuthorizeState) -> str | None:
    if not has_request_context():
        return None
    for name in request_blueprint_names():
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
    """Build the policy for ``record``, reusing the request's cached one when enabled.

    A cached policy is reused only for the same user, record and context: a
    block bound with :func:`.acting_as` inside the request gets its own.
    """
    target = None if record is policy_class else record
    if not actor.state.settings.policy_cache or not has_request_context():
        return policy_class(actor.user, target, actor.context)
    cache = _request_entry(_CACHE_KEY)
    if cache is None:
        cache = {}
        _set_request_entry(_CACHE_KEY, cache)
    key = (id(actor.user), id(target), policy_class)
    policy: Policy | None = cache.get(key)
    if (
        policy is None
        or policy.user is not actor.user
        or policy.record is not target
        or not _same_context(policy.context, actor.context)
    ):
        policy = cache[key] = policy_class(actor.user, target, actor.context)
    return policy


def _same_context(cached: Mapping[str, t.Any], wanted: Mapping[str, t.Any]) -> bool:
    # the request's contexts all come from the one provider; a bound one is its own
    return cached is wanted or (type(cached) is LazyContext and type(wanted) is LazyContext)


def _request_entry(key: str) -> t.Any:
    """Return what :func:`_set_request_entry` stored under ``key`` for this request.

    ``g`` belongs to the app context, which several requests share when a test
    pushes one around them, so each entry is tagged with its request.
    """
    entry = g.get(key)
    if entry is None or entry[0] is not _current_request():
        return None
    return entry[1]


def _set_request_entry(key: str, value: t.Any) -> None:
    setattr(g, key, (_current_request(), value))


def _current_request() -> t.Any:
    return request._get_current_object()  # type: ignore[attr-defined]


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

    This runs on every request that authorizes, so the policy class and the
    rule found for a (record class, namespace, action) are remembered in the
    finder's cache, which is dropped whenever a policy registers.
    """
    if issubclass(type(record), LocalProxy):  # unwrap_proxy, inlined on the hot path:
        record = record._get_current_object()  # authorize(current_user, ...) is the user
    cacheable = (
        policy_class is None and type(action) is str and getattr(record, "__policy__", None) is None
    )
    if cacheable:
        key = (record if isinstance(record, type) else type(record), actor.namespace, action)
        plan = _plans.get(key)
    else:
        plan = None
    if plan is None:
        found = policy_class_for(record, namespace=actor.namespace, policy_class=policy_class)
        plan = (found, resolve_rule(found, action))
        if cacheable and len(_plans) < _MAX_PLANS:  # action names can come from user input
            _plans[key] = plan
    found, rule = plan
    settings = actor.state.settings
    policy = make_policy(actor, found, record)
    decision = decide(policy, rule)
    if settings.signals and (
        signals.authorization_checked.receivers
        or (enforced and signals.authorization_denied.receivers)
    ):
        announce(actor, decision, record, enforced)
    if enforced and settings.verify:
        mark_performed()
    return decision


def mark_performed() -> None:
    """Record that the current request authorized or scoped something (verification)."""
    if has_request_context():
        _set_request_entry(PERFORMED_KEY, True)


def performed() -> bool:
    """Whether the current request authorized, scoped or skipped authorization."""
    return bool(_request_entry(PERFORMED_KEY))


def announce(actor: Actor, decision: Decision, record: t.Any, enforced: bool) -> None:
    """Send ``authorization_checked`` (and ``authorization_denied`` for enforced denials).

    Nothing is built unless a receiver listens to this app: a subscriber
    connected for another app in the same process costs this one nothing.
    """
    app = actor.app
    checked = signals.authorization_checked.has_receivers_for(app)
    denied = (
        enforced and not decision.allowed and signals.authorization_denied.has_receivers_for(app)
    )
    if not checked and not denied:
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
    if checked:
        signals.send_safely(signals.authorization_checked, app, **payload)
    if denied:
        signals.send_safely(signals.authorization_denied, app, **payload)
