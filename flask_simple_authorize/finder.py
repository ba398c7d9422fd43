"""Finds the policy class for a record, in a short, ordered list of probes.

1. an explicit ``policy_class=``;
2. a headless policy given as the record (``authorize(DashboardPolicy, "show")``);
3. a ``__policy__`` attribute on the record or on its class;
4. the registry, by the class name of the record (or of the class given as the
   record), walking the class's bases, first in the namespace and then in the
   plain one. The bases that every model shares (a SQLAlchemy declarative base
   and the classes above it, ``typing.Generic``) are never tried: an app's
   ``BasePolicy`` or ``ModelPolicy`` must not become every model's policy.

:func:`find_policy_class` is the quiet variant, :func:`policy_class_for` the
raising one. Results of probe 4 are cached per class and namespace (and
dropped whenever a policy registers); ``__policy__`` is read on every call.
"""

from __future__ import annotations

import typing as t

import sqlalchemy.orm as sa_orm

from . import registry
from .errors import PolicyNotDefinedError
from .policy import Policy

_class_cache = registry.cache()  # (class, namespace) -> registry policy class, or False


def policy_class_for(
    record: t.Any,
    *,
    namespace: str | None = None,
    policy_class: type[Policy] | None = None,
) -> type[Policy]:
    """Return the policy class for ``record`` or raise :class:`.PolicyNotDefinedError`.

    :param record: A model instance, a model class, or a headless policy class.
    :param namespace: Look in this namespace first, then in the plain one.
    :param policy_class: Use this class, skipping the lookup.
    """
    if policy_class is None and declared_policy(record) is None:
        # the usual case, no __policy__ anywhere: the cached answer for the class
        cached = _class_cache.get((record if isinstance(record, type) else type(record), namespace))
        if cached is not None and cached is not False:
            return cached  # type: ignore[no-any-return]
    found = find_policy_class(record, namespace=namespace, policy_class=policy_class)
    if found is None:
        raise PolicyNotDefinedError(record, lookup_path(record, namespace))
    return found


def find_policy_class(
    record: t.Any,
    *,
    namespace: str | None = None,
    policy_class: type[Policy] | None = None,
) -> type[Policy] | None:
    """Return the policy class for ``record``, or ``None`` when there is none."""
    if policy_class is not None:
        return _checked(policy_class, "policy_class=")
    # read on every call, never cached: it may be set on an instance, computed
    # by a property, or set on (or removed from) the class at any time
    declared = declared_policy(record)
    if declared is not None:
        return _checked(declared, "__policy__")
    cls = record if isinstance(record, type) else type(record)
    key = (cls, namespace)
    found = _class_cache.get(key)
    if found is None:
        found = _class_cache[key] = _find_for_class(cls, namespace)
    return t.cast("type[Policy] | None", found) or None


def declared_policy(record: t.Any) -> t.Any:
    """Return the ``__policy__`` that ``record`` declares, or ``None``.

    A class given as the record whose ``__policy__`` is a property (or another
    descriptor) chooses per instance: the class itself declares nothing and
    goes by its name, so ``authorize(Post, "create")`` and
    ``policy_scope(Post)`` keep working.
    """
    declared = getattr(record, "__policy__", None)
    if (
        declared is not None
        and isinstance(record, type)
        and not isinstance(declared, type)
        and hasattr(type(declared), "__get__")
    ):
        return None
    return declared


def _named_bases(cls: type) -> list[type]:
    """Return the classes of ``cls.__mro__`` whose names the registry is asked for."""
    shared: set[type] = {object, t.Generic}
    for base in cls.__mro__:
        if isinstance(base.__dict__.get("registry"), sa_orm.registry):
            shared.update(base.__mro__)  # a declarative base: the base of every model
    return [base for base in cls.__mro__ if base not in shared]


def _find_for_class(cls: type, namespace: str | None) -> type[Policy] | t.Literal[False]:
    if issubclass(cls, Policy):
        return cls
    for base in _named_bases(cls):
        if namespace is not None:
            found = registry.lookup(base.__name__, namespace)
            if found is not None:
                return found
        found = registry.lookup(base.__name__, None)
        if found is not None:
            return found
    return False  # cached "not found"


def lookup_path(record: t.Any, namespace: str | None = None) -> list[str]:
    """Describe the names tried for ``record``, in order, for errors and ``flask authz explain``."""
    cls = record if isinstance(record, type) else type(record)
    tried = [f"{cls.__name__}.__policy__"]
    for base in _named_bases(cls):
        if namespace is not None:
            tried.append(f"{namespace}:{base.__name__}Policy")
        tried.append(f"{base.__name__}Policy")
    return tried


def _checked(candidate: t.Any, where: str) -> type[Policy]:
    if isinstance(candidate, type) and issubclass(candidate, Policy):
        return candidate
    from .errors import ConfigurationError

    raise ConfigurationError(
        f"{where} must be a Policy subclass, got {candidate!r}: point it at a class"
        " that derives from flask_simple_authorize.Policy"
    )
