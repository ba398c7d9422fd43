"""``policy_scope``: narrow a query, a model or a collection to what the actor may see."""

from __future__ import annotations

import typing as t
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Query
from sqlalchemy.sql import Select

from . import signals
from .checks import UNSET
from .checks import Actor
from .checks import mark_performed
from .checks import resolve_actor
from .errors import ConfigurationError
from .errors import InvalidRuleResultError
from .errors import ScopeNotDefinedError
from .finder import policy_class_for
from .identity import user_id_of
from .policy import Policy

S = t.TypeVar("S")


def policy_scope(
    scope: t.Any,
    *,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> t.Any:
    """Return ``scope`` narrowed by the policy's ``Scope`` for the actor.

    :param scope: A SQLAlchemy ``Select`` (or legacy ``Query``), a model class
        (meaning ``select(Model)``, a ``Select`` is returned), or a plain
        iterable of records, filtered with the scope's ``includes(record)``
        (the same kind of collection is returned: a list, tuple, set or
        frozenset; other iterables give a list).
    :param user: Scope for this user instead of the actor.
    :param policy_class: Use this policy's ``Scope``, skipping the lookup.
    :param namespace: Look for the policy in this namespace first.
    :raises ScopeNotDefinedError: The policy's ``Scope`` cannot narrow this kind of scope.
    """
    actor = resolve_actor(user, namespace)
    if isinstance(scope, type):
        model: t.Any = scope
        named: t.Any = model
        result = _resolve(actor, model, None, policy_class)
    elif isinstance(scope, (Select, Query)):
        model = named = _entity_of(scope, policy_class)
        result = _resolve(actor, model, scope, policy_class)
    elif isinstance(scope, Iterable) and not isinstance(scope, (str, bytes, dict)):
        items = list(scope)
        named = items[0] if items else None
        model = type(named) if items else None
        result = _same_kind(scope, _filter(actor, items, policy_class))
    else:
        raise ConfigurationError(
            f"policy_scope() takes a Select, a model class or an iterable of records,"
            f" not {type(scope).__name__}"
        )
    if actor.state.settings.verify:
        mark_performed()
    if actor.state.settings.signals and signals.policy_scoped.has_receivers_for(actor.app):
        signals.send_safely(
            signals.policy_scoped,
            actor.app,
            user=actor.user,
            user_id=user_id_of(actor.user),
            record_type=getattr(model, "__name__", None),
            scope=scope,
            result=result,
            policy_name=(policy_class.__name__ if policy_class else _policy_name(named, actor)),
        )
    return result


def _policy_name(record: t.Any, actor: Actor) -> str | None:
    if record is None:
        return None
    return policy_class_for(record, namespace=actor.namespace).__name__


def _entity_of(query: t.Any, policy_class: type[Policy] | None) -> t.Any:
    """Return the model ``query`` selects, the one whose ``Scope`` narrows it.

    With ``policy_class`` the caller says which scope applies, so a query of
    columns only (``select(func.count()).select_from(Post)``) is accepted and
    the model may be ``None``. Without it, a query must select exactly one
    model: a second one would come back unnarrowed.
    """
    entities = [description.get("entity") for description in query.column_descriptions]
    if policy_class is not None:
        return next((entity for entity in entities if entity is not None), None)
    if not entities or entities[0] is None:
        raise ConfigurationError(
            "policy_scope() could not tell which model this query selects: pass"
            " policy_class= or select a model, as in select(Post)"
        )
    models = list(dict.fromkeys(entity for entity in entities if entity is not None))
    if len(models) > 1:
        names = ", ".join(getattr(model, "__name__", repr(model)) for model in models)
        raise ConfigurationError(
            f"policy_scope() narrows one model's query, and this one selects several"
            f" ({names}): the others would come back unfiltered. Scope each model on its"
            f" own (for example join a scoped subquery), or pass policy_class= to say"
            f" which Scope narrows the whole statement"
        )
    return entities[0]


def _resolve(actor: Actor, model: t.Any, query: t.Any, policy_class: type[Policy] | None) -> t.Any:
    found = policy_class_for(model, namespace=actor.namespace, policy_class=policy_class)
    scope_class = found.Scope
    if scope_class.resolve is Policy.Scope.resolve:
        raise ScopeNotDefinedError(found)
    if query is None:
        query = _select(model)
    result = scope_class(actor.user, query, actor.context).resolve()
    if result is None:
        raise ConfigurationError(
            f"{found.__name__}.Scope.resolve() returned None: return the narrowed query,"
            " as in `return self.scope.where(...)`"
        )
    return result


def _select(model: type) -> Select[t.Any]:
    try:
        return sa.select(model)
    except sa.exc.ArgumentError:
        raise ConfigurationError(
            f"policy_scope({model.__name__}): {model.__name__} is not a mapped model; pass a"
            " Select, a mapped model class or a collection of records"
        ) from None


def _filter(actor: Actor, items: list[t.Any], policy_class: type[Policy] | None) -> list[t.Any]:
    """Keep the items whose own policy's ``Scope.includes(item)`` is ``True``.

    Each item is judged by its own policy (or ``policy_class``), found as
    :func:`.authorize` finds it, ``__policy__`` on the item included, so a
    mixed collection never has one record filtered by another's scope.
    """
    by_policy: dict[type[Policy], Policy.Scope] = {}

    def scope_for(found: type[Policy]) -> Policy.Scope:
        scope = by_policy.get(found)
        if scope is None:
            scope_class = found.Scope
            if scope_class.includes is Policy.Scope.includes:
                raise ScopeNotDefinedError(found, collections=True)
            scope = by_policy[found] = scope_class(actor.user, items, actor.context)
        return scope

    kept = []
    namespace = actor.namespace
    for item in items:
        found = policy_class or policy_class_for(item, namespace=namespace)
        if _included(scope_for(found), item):
            kept.append(item)
    return kept


def _included(scope: Policy.Scope, item: t.Any) -> bool:
    """Call ``scope.includes(item)``, which must answer a real bool (fail closed)."""
    answer = scope.includes(item)
    if type(answer) is not bool:
        owner = type(scope).policy_class or Policy
        raise InvalidRuleResultError(owner, "Scope.includes", answer)
    return answer


def _same_kind(original: t.Any, items: t.Iterable[t.Any]) -> t.Any:
    if isinstance(original, (tuple, set, frozenset)):
        return type(original)(items)
    return list(items)
