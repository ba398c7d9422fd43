"""The registry of policy classes by model name and namespace.

Every :class:`~flask_simple_authorize.Policy` subclass whose name ends in
``Policy`` registers itself here when it is defined: ``PostPolicy`` under
``"Post"``, and ``class PostPolicy(Policy, namespace="admin")`` under
``("admin", "Post")``. Defining a class with the same name and namespace again
replaces the earlier one (the usual case when a module is reloaded).
"""

from __future__ import annotations

import typing as t
import weakref

if t.TYPE_CHECKING:
    from .policy import Policy

_POLICY_SUFFIX = "Policy"

_policies: weakref.WeakValueDictionary[tuple[str | None, str], type[Policy]] = (
    weakref.WeakValueDictionary()
)
_lookup_cache: dict[tuple[t.Any, ...], t.Any] = {}


def register(policy_class: type[Policy], namespace: str | None) -> None:
    """Register a policy class under its model name and namespace.

    :param policy_class: The policy class. Its name must end in ``Policy``;
        other names are not registered (base classes such as ``BasePolicy``
        still are, under ``"Base"``; the finder never asks for the name of a
        SQLAlchemy declarative base, so they match only a model called ``Base``).
    :param namespace: The namespace, or ``None`` for the plain one.
    """
    name = policy_class.__name__
    if not name.endswith(_POLICY_SUFFIX) or name == _POLICY_SUFFIX:
        return
    _policies[(namespace, name[: -len(_POLICY_SUFFIX)])] = policy_class
    _lookup_cache.clear()


def lookup(model_name: str, namespace: str | None) -> type[Policy] | None:
    """Return the policy registered for a model name in a namespace, if any."""
    return _policies.get((namespace, model_name))


def registered_policies() -> list[tuple[str | None, str, type[Policy]]]:
    """List ``(namespace, model_name, policy_class)`` for every registered policy."""
    return sorted(
        ((ns, name, cls) for (ns, name), cls in list(_policies.items())),
        key=lambda item: (item[0] or "", item[1]),
    )


def cache() -> dict[tuple[t.Any, ...], t.Any]:
    """Return the lookup cache, cleared whenever a policy registers.

    Keys are ``(class, namespace)`` for policy classes and, for the request
    fast path, ``(class, namespace, action)`` for ``(policy class, rule)`` pairs.
    """
    return _lookup_cache


Snapshot = dict[tuple[str | None, str], "type[Policy]"]


def snapshot() -> Snapshot:
    """Return a copy of the registry, for :func:`restore` (tests swap policies this way)."""
    return dict(_policies)


def restore(saved: Snapshot) -> None:
    """Make the registry exactly ``saved`` again and drop every cached lookup."""
    _policies.clear()
    _policies.update(saved)
    _lookup_cache.clear()
