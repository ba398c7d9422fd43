"""Who is acting: a user bound for a block (jobs, scripts) or flask-login's ``current_user``.

Inside :func:`acting_as`, every helper (:func:`.authorize`,
:func:`.policy_scope`, :func:`.allowed_to`...) uses the bound user and
context. The binding lives in a :class:`contextvars.ContextVar`, so it never
leaks into another thread, into the next task of a worker thread, or into the
request around an eagerly run task.
"""

from __future__ import annotations

import contextlib
import contextvars
import types
import typing as t
from collections.abc import Iterator
from collections.abc import Mapping

from flask import current_app
from flask import g
from flask import has_request_context
from flask_login import current_user
from werkzeug.local import LocalProxy

from .errors import ConfigurationError
from .policy import EMPTY_CONTEXT


class BoundActor(t.NamedTuple):
    """A user bound as the actor, with the context captured for it."""

    user: t.Any
    context: Mapping[str, t.Any]
    job: str | None


_bound: contextvars.ContextVar[BoundActor | None] = contextvars.ContextVar(
    "simple_authorize_actor", default=None
)


@contextlib.contextmanager
def acting_as(
    user: t.Any, *, context: Mapping[str, t.Any] | None = None, job: str | None = None
) -> Iterator[BoundActor]:
    """Bind ``user`` as the actor for the ``with`` block.

    :param user: The user object (a proxy is unwrapped).
    :param context: The context offered to policies as ``self.context``.
    :param job: The name of the job acting, for signal payloads.
    """
    actor = BoundActor(
        unwrap_proxy(user),
        EMPTY_CONTEXT if context is None else types.MappingProxyType(dict(context)),
        job,
    )
    token = _bound.set(actor)
    try:
        yield actor
    finally:
        _bound.reset(token)


def bound_actor() -> BoundActor | None:
    """Return the actor bound by :func:`acting_as`, or ``None``."""
    return _bound.get()


def current_actor() -> t.Any:
    """Return the acting user: the bound one, else ``current_user``, else anonymous."""
    actor = _bound.get()
    if actor is not None:
        return actor.user
    return request_user()


def request_user() -> t.Any:
    """Return flask-login's user for the current request, else an anonymous user.

    Reads the user flask-login already loaded for this request directly (one
    context lookup instead of several proxy lookups); the first call in a
    request goes through ``current_user`` so the user is loaded as usual.
    """
    if not has_request_context():
        return anonymous_user()
    # flask-login keeps the user it loaded for this request on ``g``
    loaded = getattr(g._get_current_object(), "_login_user", None)
    if loaded is not None:
        return loaded
    try:
        return current_user._get_current_object()
    except AttributeError as error:
        raise _no_login_manager() from error


def anonymous_user() -> t.Any:
    """Return a new instance of the app's anonymous user class."""
    manager = getattr(current_app, "login_manager", None)
    if manager is None:
        raise _no_login_manager()
    return manager.anonymous_user()


def _no_login_manager() -> ConfigurationError:
    return ConfigurationError(
        "no acting user: set up flask_login.LoginManager(app), or pass user= or bind one"
        " with acting_as(user)"
    )


def unwrap_proxy(value: t.Any) -> t.Any:
    """Return the object behind a werkzeug ``LocalProxy`` (``current_user``), else ``value``.

    Policies are found by the record's class and compare users by identity,
    so neither may be a proxy.
    """
    if issubclass(type(value), LocalProxy):
        return value._get_current_object()
    return value
