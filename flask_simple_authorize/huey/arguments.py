"""The enqueue side: only ids and JSON-safe values cross the queue.

A model instance is reduced to its primary key and a user object to its id.
A record id is checked against the types of the model's primary-key columns.
Anything else that is not JSON-safe, an id that cannot be a key of the model,
and any parameter (or mapping key) whose name looks like a secret, raise
:class:`.JobArgumentError` before anything is queued.
"""

from __future__ import annotations

import itertools
import math
import re
import typing as t
import uuid
import weakref
from collections.abc import Mapping

import sqlalchemy as sa
from flask import current_app
from flask import has_app_context
from flask import has_request_context
from sqlalchemy.orm import InstanceState
from sqlalchemy.orm import Mapper

from ..actor import bound_actor
from ..errors import JobArgumentError
from ..state import EXTENSION_KEY
from .binding import app_for
from .spec import HUEY_KEYWORDS
from .spec import META_KEY
from .spec import JobSpec

__all__ = ["JobArgumentError", "looks_secret", "prepare_call", "record_key"]

#: Name parts that mark a secret (``user_password``, ``apiToken``, ``card_cvv``...).
SECRET_PARTS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "apikey",
        "cvv",
        "cvc",
        "ssn",
        "pin",
        "credential",
        "credentials",
        "card",
        "cards",
        "iban",
        "otp",
        "cookie",
        "cookies",
        "authorization",
    }
)
#: Adjacent name parts that mark a secret (``api_key``, ``private_key``...).
SECRET_PAIRS = frozenset(
    {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("card", "number")}
)
#: How many lists and dicts may nest in one argument (``[[1]]`` is 2 levels).
MAX_DEPTH = 20
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_INTEGER = re.compile(r"-?[0-9]+")

#: Keywords a caller may not pass: the extension's meta data (the captured
#: context, retry counts) and huey's task instance travel under them.
RESERVED_KEYWORDS = frozenset({META_KEY, "task"})

JSON_HINT = "pass an id or a JSON-safe value (str, int, float, bool, None, list, dict)"


def looks_secret(name: str) -> bool:
    """Return whether a parameter or key name looks like it holds a secret.

    Names that end in ``_id`` or ``_ids`` are references, never secrets
    (``payment_method_id``, ``token_id``).
    """
    parts = [part.lower() for part in _WORDS.findall(name)]
    if not parts or parts[-1] in ("id", "ids"):
        return False
    if any(part in SECRET_PARTS for part in parts):
        return True
    return any(pair in SECRET_PAIRS for pair in itertools.pairwise(parts))


def prepare_call(
    spec: JobSpec, args: tuple[t.Any, ...], kwargs: dict[str, t.Any], *, batch: bool = False
) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
    """Reduce and check a call's arguments; add the captured context.

    :param spec: The task's declaration.
    :param args: ``(user, record, *rest)`` (``(user, *rest)`` for headless tasks,
        ``(user, records, *rest)`` for batch tasks).
    :param kwargs: Keyword arguments (huey's own keywords are left alone).
    :param batch: The second argument is a list of records.
    :raises JobArgumentError: An argument may not cross the queue.
    """
    lead = 2 if spec.with_record else 1
    if len(args) < lead:
        expected = "(user_id, record_id, ...)" if spec.with_record else "(user_id, ...)"
        raise JobArgumentError(spec.name, "user_id", f"is missing: call the task as {expected}")
    reduced: list[t.Any] = [reduce_user(spec, args[0])]
    if spec.with_record:
        second = args[1]
        if batch:
            if not isinstance(second, (list, tuple)):
                raise JobArgumentError(spec.name, "record_ids", "must be a list of ids or records")
            reduced.append([reduce_record(spec, item, "record_ids") for item in second])
        else:
            reduced.append(reduce_record(spec, second, "record_id"))
    names = spec.parameter_names
    for index, value in enumerate(args[lead:]):
        name = names[index] if index < len(names) else f"argument {index + lead + 1}"
        reduced.append(_checked(spec, name, reduce_instance(value), 0, named=index < len(names)))
    checked: dict[str, t.Any] = {}
    for name, value in kwargs.items():
        if name in HUEY_KEYWORDS:
            checked[name] = value
        elif name in RESERVED_KEYWORDS:
            raise JobArgumentError(
                spec.name, name, "is reserved for the extension and huey: rename the parameter"
            )
        else:
            checked[name] = _checked(spec, name, reduce_instance(value), 0, named=True)
    context = captured_context(spec)
    if context:
        checked[META_KEY] = {"context": context}
    return tuple(reduced), checked


def reduce_user(spec: JobSpec, user: t.Any) -> t.Any:
    """Return the user's id (a user object or an id may be given)."""
    if hasattr(user, "is_authenticated") and not isinstance(user, (str, int)):
        if not user.is_authenticated:
            raise JobArgumentError(
                spec.name, "user_id", "is an anonymous user: a job needs a real user as its actor"
            )
        from ..identity import user_id_of

        user = user_id_of(user)
    user = reduce_instance(user)
    if user is None or type(user) not in (int, str):
        raise JobArgumentError(spec.name, "user_id", f"must be a user or its id, got {user!r}")
    return user


def reduce_record(spec: JobSpec, record: t.Any, name: str) -> t.Any:
    """Return the record's primary key (a record or an id may be given).

    Without a ``record_loader``, the id must fit the model's primary key: digits
    become an ``int`` for an integer key, a UUID is queued as its string, a
    composite key is queued as a list.
    """
    value = reduce_instance(record)
    if value is None:
        raise JobArgumentError(spec.name, name, "is None or a record that was never flushed")
    if spec.record_loader is None:
        try:
            value = queued_key(record_key(spec.target, value))
        except ValueError as error:
            raise JobArgumentError(
                spec.name, name, f"{error}: pass a {spec.record_type} or its primary key"
            ) from None
    return _checked(spec, name, value, 0, named=False)


def record_key(target: t.Any, value: t.Any) -> t.Any:
    """Return ``value`` as a primary key of the mapped model ``target``.

    A composite key (given as a list or a tuple) becomes a tuple. Parts of an
    ``int``, ``str`` or ``uuid.UUID`` column are checked and converted
    (``"12"`` becomes ``12``); parts of other types, and keys of a ``target``
    that is not a mapped class, are returned unchanged.

    :raises ValueError: ``value`` cannot be a key of ``target``.
    """
    kinds = key_types(target)
    if kinds is None:
        return value
    if len(kinds) == 1:
        return _key_part(value, kinds[0])
    if not isinstance(value, (list, tuple)) or len(value) != len(kinds):
        raise ValueError(f"is {value!r}, not a list of the {len(kinds)} parts of the key")
    return tuple(_key_part(part, kind) for part, kind in zip(value, kinds, strict=True))


def key_types(target: t.Any) -> tuple[type | None, ...] | None:
    """Return the Python types of a mapped class's primary-key columns (``None``: unknown).

    Returns ``None`` when ``target`` is not a mapped class. Remembered per
    class: every enqueue and every run asks.
    """
    try:
        return _key_types[target]
    except KeyError:
        kinds = _key_types[target] = _read_key_types(target)
        return kinds
    except TypeError:  # not hashable: not a class
        return _read_key_types(target)


_key_types: weakref.WeakKeyDictionary[t.Any, tuple[type | None, ...] | None] = (
    weakref.WeakKeyDictionary()
)


def _read_key_types(target: t.Any) -> tuple[type | None, ...] | None:
    mapper = sa.inspect(target, raiseerr=False)
    if not isinstance(mapper, Mapper):
        return None
    kinds: list[type | None] = []
    for column in mapper.primary_key:
        try:
            kinds.append(column.type.python_type)
        except NotImplementedError:
            kinds.append(None)
    return tuple(kinds)


def _key_part(value: t.Any, kind: type | None) -> t.Any:
    if kind is int:
        if type(value) is int:
            return value
        if type(value) is str and _INTEGER.fullmatch(value):
            return int(value)
    elif kind is str:
        if type(value) is str:
            return value
        if type(value) is int:
            return str(value)
    elif kind is uuid.UUID:
        if isinstance(value, uuid.UUID):
            return value
        if type(value) is str:
            try:
                return uuid.UUID(value)
            except ValueError:
                pass
    else:
        return value
    raise ValueError(f"is {value!r}, not a valid {kind.__name__} key")


def queued_key(key: t.Any) -> t.Any:
    """Return a primary key in the JSON-safe form it is queued in (a list for composite keys)."""
    if isinstance(key, tuple):
        return [queued_key(part) for part in key]
    if isinstance(key, uuid.UUID):
        return str(key)
    return key


def reduce_instance(value: t.Any) -> t.Any:
    """Return the primary key of a mapped instance; other values unchanged."""
    if value is None or type(value) in (int, str, bool, float):
        return value
    state = sa.inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        identity = state.identity
        if identity is None:
            return None
        return identity[0] if len(identity) == 1 else list(identity)
    return value


def _checked(spec: JobSpec, name: str, value: t.Any, depth: int, *, named: bool) -> t.Any:
    if named and name not in spec.allowed_arguments and looks_secret(name):
        raise JobArgumentError(
            spec.name,
            name,
            "looks like a secret: queue messages are readable in the broker; pass the id of"
            " a stored record instead (or list the name in allowed_arguments=)",
        )
    return json_safe(spec.name, name, value, depth, spec.allowed_arguments)


def json_safe(
    task_name: str, name: str, value: t.Any, depth: int = 0, allowed: frozenset[str] = frozenset()
) -> t.Any:
    """Return ``value`` if it is JSON-safe and holds no secret-looking key.

    :raises JobArgumentError: It is not.
    """
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if not math.isfinite(value):
            raise JobArgumentError(task_name, name, f"is {value!r}, which JSON cannot carry")
        return value
    if kind in (list, tuple, dict) and depth >= MAX_DEPTH:
        # ``depth`` counts the containers around this one: this is level ``depth + 1``.
        raise JobArgumentError(task_name, name, f"is nested deeper than {MAX_DEPTH} levels")
    if kind in (list, tuple):
        return kind(json_safe(task_name, name, item, depth + 1, allowed) for item in value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise JobArgumentError(task_name, name, f"has a non-string key {key!r}")
            if key not in allowed and looks_secret(key):
                raise JobArgumentError(
                    task_name, f"{name}[{key!r}]", "looks like a secret: pass an id instead"
                )
            json_safe(task_name, f"{name}[{key!r}]", item, depth + 1, allowed)
        return value
    raise JobArgumentError(task_name, name, f"is a {kind.__name__}: {JSON_HINT}")


def captured_context(spec: JobSpec) -> dict[str, t.Any] | None:
    """Return the context to carry to the worker, or ``None``.

    Inside a job (or an ``acting_as`` block) the bound context is carried on;
    in a request, the app's context provider is called.
    """
    bound = bound_actor()
    if bound is not None:
        context: Mapping[str, t.Any] = bound.context
    elif has_request_context():
        app = current_app._get_current_object() if has_app_context() else app_for(spec.huey)  # type: ignore[attr-defined]
        state = app.extensions.get(EXTENSION_KEY)
        provider = state.extension.context_provider_function if state is not None else None
        if provider is None:
            return None
        context = provider()
    else:
        return None
    if not context:
        return None
    return t.cast(dict[str, t.Any], json_safe(spec.name, "context", dict(context)))
