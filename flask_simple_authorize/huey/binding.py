"""Binding a huey instance to the Flask app its authorized tasks run against.

``SimpleAuthorize(app, huey=huey)`` (or ``authz.init_app(app, huey=huey)``)
calls :func:`bind_app`. The worker imports the module that builds the app, as
it imports the tasks, so ``huey_consumer yourapp.worker.huey`` finds the app
through the huey instance it was given.
"""

from __future__ import annotations

import typing as t
import warnings
import weakref

from flask import Flask

from ..errors import ConfigurationError
from .exceptions import UnsignedQueueWarning
from .interrupts import connect_requeue
from .signing import is_signed

_apps: weakref.WeakKeyDictionary[t.Any, Flask] = weakref.WeakKeyDictionary()

_STARTUP_HOOK = "flask_simple_authorize_dispose_engines"


def bind_app(huey: t.Any, app: Flask) -> None:
    """Make ``app`` the app whose context authorized tasks of ``huey`` run in.

    Binding again (another app of the same factory, in tests) replaces the
    previous app. Also registers a worker start-up hook that disposes the
    app's SQLAlchemy engines, so process workers never share the parent's
    connections; connects the handler that re-queues authorized tasks
    interrupted by a consumer shutdown (once per huey instance, see
    :mod:`flask_simple_authorize.huey.interrupts`); and warns with
    :class:`UnsignedQueueWarning` when the queue is not immediate, does not
    sign its messages, and the app is in neither debug nor testing mode.

    :param huey: The huey instance.
    :param app: The Flask app.
    """
    _apps[huey] = app
    huey.on_startup(_STARTUP_HOOK)(_dispose_engines_hook(huey))
    connect_requeue(huey)
    if not huey.immediate and not is_signed(huey) and not (app.debug or app.testing):
        warnings.warn(
            f"huey queue {huey.name!r} bound to app {app.name!r} does not sign its messages:"
            " whoever can write to the queue can run code in the worker. Create it with"
            " serializer=flask_simple_authorize.huey.signed_serializer(SECRET_KEY)",
            UnsignedQueueWarning,
            stacklevel=3,
        )


def app_for(huey: t.Any) -> Flask:
    """Return the app bound to ``huey``.

    :raises ConfigurationError: No app is bound to it.
    """
    app = _apps.get(huey)
    if app is None:
        raise ConfigurationError(
            f"huey instance {getattr(huey, 'name', huey)!r} is not bound to a Flask app: pass"
            " huey= to SimpleAuthorize(app, huey=huey) or authz.init_app(app, huey=huey), in"
            " a module the worker imports (huey_consumer yourapp.worker.huey)"
        )
    return app


def _dispose_engines_hook(huey: t.Any) -> t.Callable[[], None]:
    def dispose_engines() -> None:
        app = _apps.get(huey)
        db = app.extensions.get("sqlalchemy") if app is not None else None
        if app is None or db is None:
            return
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)

    return dispose_engines
