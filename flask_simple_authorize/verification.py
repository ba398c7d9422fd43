"""Verification mode: a view that neither authorized nor scoped fails loudly.

Off by default; turn it on with ``SIMPLE_AUTHORIZE_VERIFY = True``. Like
Pundit's ``verify_authorized``, it is a safety net for forgotten checks, not a
failsafe: a view that authorizes the wrong thing still passes.
"""

from __future__ import annotations

import typing as t

from flask import Response
from flask import current_app
from flask import request

from . import signals
from .checks import mark_performed
from .checks import performed
from .errors import AuthorizationNotPerformedError
from .state import get_state

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

_SKIP_ATTRIBUTE = "_simple_authorize_skip"


@t.overload
def skip_authorization(view: F) -> F: ...
@t.overload
def skip_authorization(view: None = None) -> None: ...
def skip_authorization(view: F | None = None) -> F | None:
    """Exempt a view from verification.

    As a decorator, ``@skip_authorization`` exempts the whole view (on a
    class-based view: the class, or one method of a ``MethodView``); called
    as ``skip_authorization()`` inside a view, it exempts the current request.
    """
    if view is not None:
        setattr(view, _SKIP_ATTRIBUTE, True)
        return view
    mark_performed()
    return None


def refused_by_login(sender: t.Any, **_: t.Any) -> None:
    """Count a request flask-login turned away as checked: its view never ran.

    Connected to flask-login's ``user_unauthorized`` and ``user_needs_refresh``,
    sent when ``login_required`` (or ``fresh_login_required``) answers instead
    of the view, with a redirect to the login page.
    """
    mark_performed()


def verify_authorization_performed(response: Response) -> Response:
    """``after_request`` hook: raise when a successful view authorized nothing.

    Flask's automatic ``OPTIONS`` answers (CORS preflights) never ran the view
    and pass.
    """
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint == "static"
        or endpoint.endswith(".static")
        or response.status_code >= 400
        or _automatic_options()
        or performed()
    ):
        return response
    if skips_verification(current_app.view_functions.get(endpoint), request.method):
        return response
    if get_state().settings.signals:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        signals.send_safely(signals.authorization_not_performed, app, endpoint=endpoint)
    raise AuthorizationNotPerformedError(endpoint)


def _automatic_options() -> bool:
    """Whether Flask answered this ``OPTIONS`` request itself, without the view."""
    rule = request.url_rule
    return request.method == "OPTIONS" and bool(getattr(rule, "provide_automatic_options", False))


def skips_verification(view: t.Any, method: str) -> bool:
    """Whether ``view`` is exempt from verification for requests with ``method``.

    It is when the view function is marked, or for a class-based view its
    class, or (for a ``MethodView``) the handler of ``method``; ``HEAD``
    falls back to ``get`` as Flask does.
    """
    if view is None:
        return False
    if getattr(view, _SKIP_ATTRIBUTE, False):
        return True
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return False
    if getattr(view_class, _SKIP_ATTRIBUTE, False):
        return True
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method.upper() == "HEAD":
        handler = getattr(view_class, "get", None)
    return bool(getattr(handler, _SKIP_ATTRIBUTE, False))
