"""Log a Flask test client in as a user (flask-login's session keys), or out."""

from __future__ import annotations

import typing as t

from flask import current_app
from flask import g
from flask import has_app_context
from flask.testing import FlaskClient


def login_client(client: FlaskClient, user: t.Any, *, fresh: bool = True) -> FlaskClient:
    """Make the next requests of ``client`` come from ``user``.

    Writes flask-login's ``_user_id`` and ``_fresh`` into the client's session
    (and the session identifier, so ``SESSION_PROTECTION = "strong"`` keeps
    the login), as :class:`flask_login.FlaskLoginClient` does. The app's user
    loader loads the user on each request, as in production.

    :param client: A test client of the app.
    :param user: A user with ``get_id()`` (flask-login's ``UserMixin``).
    :param fresh: Whether the login counts as fresh (``fresh_login_required``).
    :returns: The client.
    """
    identifier = _session_identifier(client)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.get_id())
        session["_fresh"] = fresh
        if identifier is not None:
            session["_id"] = identifier
    _forget_loaded_user(client)
    return client


def logout_client(client: FlaskClient) -> FlaskClient:
    """Forget the user ``client`` is logged in as."""
    with client.session_transaction() as session:
        for key in ("_user_id", "_fresh", "_id", "_remember"):
            session.pop(key, None)
    _forget_loaded_user(client)
    return client


def _forget_loaded_user(client: FlaskClient) -> None:
    # A test that keeps an app context pushed shares ``g`` with the client's
    # requests (Flask reuses it), so the user flask-login loaded before would stick.
    if has_app_context() and current_app._get_current_object() is client.application:  # type: ignore[attr-defined]
        g.pop("_login_user", None)


def _session_identifier(client: FlaskClient) -> str | None:
    app = client.application
    manager = getattr(app, "login_manager", None)
    generate = getattr(manager, "_session_identifier_generator", None)
    if generate is None:
        return None
    with app.test_request_context(environ_base=client.environ_base):
        return t.cast(str, generate())
