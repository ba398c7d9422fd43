"""Turns :class:`.NotAuthorizedError` into the response a user should see.

- API requests (JSON sent, or JSON preferred over HTML): a JSON body
  ``{"error": "not_authorized", "message": ..., "reason": ...}`` with 401 for
  an anonymous user and 403 otherwise.
- HTML requests by an anonymous user: flask-login's unauthorized handler
  (the login page).
- HTML requests by a logged-in user: a flash message and a redirect to a
  same-host referrer or ``SIMPLE_AUTHORIZE_REDIRECT_PATH``, else the 403 page
  with the message (the app's own 403 handler when it has one) and no flash.
- Hidden denials (existence hiding) never reach this handler: they are
  :class:`.RecordHiddenError`, a ``NotFound``, answered by the 404 handlers.
- An app's (or blueprint's) own ``errorhandler(403)`` renders the 403 page;
  an ``errorhandler(NotAuthorizedError)`` replaces this handler entirely
  (registered before or after :meth:`.SimpleAuthorize.init_app`).

Redirects only ever go to a local path: never an open redirect.
"""

from __future__ import annotations

import typing as t
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import request
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException

from .actor import current_actor
from .checks import mark_performed
from .errors import ConfigurationError
from .errors import NotAuthorizedError
from .identity import record_type_of
from .state import get_state
from .state import request_blueprint_names

ResponseValue = t.Any
#: The types a denial can answer in; on a tie ``best_match`` takes the first.
_HTML_FIRST = ("text/html", "application/json")


def is_api_request() -> bool:
    """Whether the request is an API request.

    It is when its blueprint was registered with
    :meth:`.SimpleAuthorize.register_api`, when the client sent JSON or
    ``X-Requested-With: XMLHttpRequest``, or when its ``Accept`` header
    matches JSON best: a higher quality, or the same quality with JSON named
    and HTML only matched by a wildcard (axios sends
    ``application/json, text/plain, */*``). On a true tie HTML wins.
    """
    if request.is_json or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    api_blueprints = get_state().api_blueprints
    if api_blueprints and not api_blueprints.isdisjoint(request_blueprint_names()):
        return True
    return request.accept_mimetypes.best_match(_HTML_FIRST) == "application/json"


def handle_not_authorized(error: NotAuthorizedError) -> ResponseValue:
    """The error handler registered for :class:`.NotAuthorizedError`."""
    if get_state().settings.verify:
        mark_performed()  # a denied request was authorized, even when sent back with a redirect
    anonymous = not getattr(_denied_user(error), "is_authenticated", False)
    if is_api_request():
        return _json_error(error, anonymous)
    if anonymous:
        manager = getattr(current_app, "login_manager", None)
        if manager is not None:
            try:
                return manager.unauthorized()
            except HTTPException as http_error:
                return current_app.handle_http_exception(http_error)
    target = safe_redirect_target(request.referrer) or _configured_redirect()
    if target and not _is_denied_url(target):
        if current_app.secret_key:
            flash(error.message, "error")
        return redirect(target)
    # the page shows the message itself: a flash would linger until the next page
    return current_app.handle_http_exception(Forbidden(description=error.message))


def _configured_redirect() -> str | None:
    """``SIMPLE_AUTHORIZE_REDIRECT_PATH`` under the app's mount point, as ``url_for`` does."""
    path = get_state().settings.redirect_path
    return None if path is None else request.script_root + path


def _is_denied_url(target: str) -> bool:
    """Whether the local ``target`` is the URL that was just denied (a redirect would loop).

    Both are compared percent-decoded and with the app's mount point
    (``SCRIPT_NAME``), as the browser would request ``target``.
    """
    parts = urlsplit(target)
    here = request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return unquote(parts.path) == here and unquote(parts.query) == unquote(query)


def _denied_user(error: NotAuthorizedError) -> t.Any:
    if error.policy is not None:
        return error.policy.user
    try:  # raised by hand: whoever acts, if anyone can tell
        return current_actor()
    except ConfigurationError:  # no flask-login and no bound actor: nobody is logged in
        return None


def _json_error(error: NotAuthorizedError, anonymous: bool) -> ResponseValue:
    body: dict[str, t.Any] = {"error": "not_authorized", "message": error.message}
    if error.reason is not None:
        body["reason"] = error.reason
    if get_state().settings.api_error_details:
        body["query"] = error.query
        body["record_type"] = record_type_of(error.record)
        body["policy"] = type(error.policy).__name__ if error.policy is not None else None
    return jsonify(body), 401 if anonymous else 403


def safe_redirect_target(url: str | None) -> str | None:
    """Return ``url`` as a local path when it points to this host, else ``None``.

    Only the path and query are kept, so the result can never leave the site.
    """
    if not url or len(url) > 2048 or "\\" in url or url.startswith("//"):
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc):
        return None
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return f"{path}?{parts.query}" if parts.query else path
