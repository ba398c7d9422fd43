"""The Flask extension: ``SimpleAuthorize(app)`` or ``authz.init_app(app)``."""

from __future__ import annotations

import typing as t
from collections.abc import Callable

from flask import Blueprint
from flask import Flask
from flask_login import user_logged_in
from flask_login import user_logged_out
from flask_login import user_needs_refresh
from flask_login import user_unauthorized

from .checks import drop_policy_cache
from .config import load_settings
from .errors import ConfigurationError
from .errors import NotAuthorizedError
from .helpers import allowed_to
from .helpers import authorized_records
from .helpers import policy
from .policy import Policy
from .responses import handle_not_authorized
from .state import EXTENSION_KEY
from .state import AuthorizeState
from .state import ContextProvider
from .state import UserLoader
from .verification import refused_by_login
from .verification import verify_authorization_performed

F = t.TypeVar("F", bound=Callable[..., t.Any])
DenialMessage = Callable[[Policy, str, str | None], str | None]


class SimpleAuthorize:
    """Policy-based authorization for a Flask app and its huey tasks.

    :param app: The app to register on now; or call :meth:`init_app` later.
    :param huey: A huey instance whose authorized tasks run against this app.

    One instance may serve several apps; each app keeps its own state in
    ``app.extensions["simple_authorize"]``.
    """

    def __init__(self, app: Flask | None = None, *, huey: t.Any = None) -> None:
        #: The function registered with :meth:`context_provider`.
        self.context_provider_function: ContextProvider | None = None
        #: The function registered with :meth:`user_loader`.
        self.user_loader_function: UserLoader | None = None
        #: The function registered with :meth:`denial_message`.
        self.denial_message_function: DenialMessage | None = None
        #: ``blueprint name -> policy namespace``, see :meth:`register_namespace`.
        self.blueprint_namespaces: dict[str, str] = {}
        #: Names of the blueprints registered with :meth:`register_api`.
        self.api_blueprints: set[str] = set()
        self._huey = huey
        if app is not None:
            self.init_app(app, huey=huey)

    def init_app(self, app: Flask, *, huey: t.Any = None) -> None:
        """Register the extension on ``app``.

        Reads and validates the ``SIMPLE_AUTHORIZE_*`` configuration, registers
        the Jinja globals (``policy``, ``allowed_to``, ``authorized_records``),
        the error handler and the verification hook, and binds ``huey``.

        :param app: The Flask app.
        :param huey: A huey instance to bind to this app (overrides the one
            given to the constructor).
        :raises ConfigurationError: The extension is already registered on
            ``app``, or a configuration value is invalid.
        """
        if EXTENSION_KEY in app.extensions:
            raise ConfigurationError(
                f"Flask-Simple-Authorize is already registered on app {app.name!r}:"
                " import and use that instance instead of creating another"
            )
        settings = load_settings(app.config)
        if huey is None:
            huey = self._huey
        elif self._huey is None:
            self._huey = huey
        state = AuthorizeState(self, settings, huey, self.blueprint_namespaces, self.api_blueprints)
        app.extensions[EXTENSION_KEY] = state
        app.add_template_global(policy, "policy")
        app.add_template_global(allowed_to, "allowed_to")
        app.add_template_global(authorized_records, "authorized_records")
        if settings.register_error_handlers and not _has_own_handler(app):
            app.register_error_handler(NotAuthorizedError, handle_not_authorized)
        if settings.verify:
            app.after_request(verify_authorization_performed)
            user_unauthorized.connect(refused_by_login, app)
            user_needs_refresh.connect(refused_by_login, app)
        user_logged_in.connect(drop_policy_cache)
        user_logged_out.connect(drop_policy_cache)
        if huey is not None:
            from .huey import bind_app

            bind_app(huey, app)

    @property
    def huey(self) -> t.Any:
        """The huey instance given to the constructor or :meth:`init_app`."""
        return self._huey

    def context_provider(self, function: F) -> F:
        """Register the function whose mapping policies see as ``self.context``.

        It is called at most once per helper call, and only when a rule reads
        the context. In jobs, the context captured at enqueue is used instead.
        """
        self.context_provider_function = function
        return function

    def user_loader(self, function: F) -> F:
        """Register how jobs load a user from its id (default: flask-login's user loader)."""
        self.user_loader_function = function
        return function

    def denial_message(self, function: F) -> F:
        """Register ``function(policy, rule, reason) -> str | None`` for denial messages.

        Returning ``None`` falls back to ``SIMPLE_AUTHORIZE_DEFAULT_MESSAGE``.
        """
        self.denial_message_function = function
        return function

    def register_namespace(self, blueprint: Blueprint | str, namespace: str) -> None:
        """Look for policies in ``namespace`` first in the views of ``blueprint``.

        ``authz.register_namespace(admin_bp, "admin")`` makes ``authorize(post)``
        in the admin blueprint find ``class PostPolicy(Policy, namespace="admin")``
        and fall back to the plain ``PostPolicy``.
        """
        name = blueprint if isinstance(blueprint, str) else blueprint.name
        self.blueprint_namespaces[name] = namespace

    def register_api(self, blueprint: Blueprint | str) -> None:
        """Answer every denial in ``blueprint`` with JSON (401/403), whatever the client accepts.

        Without it, a request counts as an API request when it sends JSON or
        prefers JSON to HTML, so a bare ``curl`` to an API route would get the
        HTML answer (a login redirect).
        """
        self.api_blueprints.add(blueprint if isinstance(blueprint, str) else blueprint.name)

    def task(self, model_or_policy: t.Any, action: str, **options: t.Any) -> t.Any:
        """Declare an authorized huey task on the bound huey instance.

        The short form of :func:`flask_simple_authorize.huey.huey_authorized_task`.
        """
        if self._huey is None:
            raise ConfigurationError(
                "no huey instance is bound: pass huey= to SimpleAuthorize(...) or init_app()"
            )
        from .huey import huey_authorized_task

        return huey_authorized_task(self._huey, model_or_policy, action, **options)


def _has_own_handler(app: Flask) -> bool:
    """Whether the app already registered an ``errorhandler(NotAuthorizedError)``."""
    return NotAuthorizedError in app.error_handler_spec.get(None, {}).get(403, {})
