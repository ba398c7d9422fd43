"""A small blog that uses every part of Flask-Simple-Authorize.

Run it with ``scripts/demo``, or by hand::

    flask --app example_app seed
    flask --app example_app run &
    huey_consumer example_app.worker.huey

Configuration comes from, in order: the defaults below, ``config.py`` in the
instance folder, ``EXAMPLE_*`` environment variables (``EXAMPLE_HUEY_PATH``
sets ``HUEY_PATH``), and the ``config`` mapping given to :func:`create_app`.
"""

from __future__ import annotations

import os
import typing as t

from flask import Flask
from flask import render_template
from werkzeug.exceptions import HTTPException

from .api import bp as api_bp
from .auth import bp as auth_bp
from .extensions import audit
from .extensions import authz
from .extensions import db
from .extensions import login_manager
from .extensions import mail as mailer
from .mail import connect_mail
from .policies import AuditPolicy
from .seed import seed_command
from .tasks import configure_huey
from .views import bp as posts_bp


def create_app(config: t.Mapping[str, t.Any] | None = None) -> Flask:
    """Create the blog app.

    :param config: Settings that override every other source (tests use this).
    """
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "blog.db"),
        HUEY_PATH=os.path.join(app.instance_path, "huey.db"),
        HUEY_IMMEDIATE=False,
        MAIL_BACKEND="console",
        MAIL_DEFAULT_SENDER="blog@example.com",
        SIMPLE_AUTHORIZE_VERIFY=True,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("EXAMPLE")
    if config is not None:
        app.config.update(config)

    db.init_app(app)
    login_manager.init_app(app)
    mailer.init_app(app)
    configure_huey(app)
    authz.init_app(app)
    audit.init_app(app)
    connect_mail(app)

    app.register_blueprint(auth_bp)
    app.register_blueprint(posts_bp)
    app.register_blueprint(api_bp)
    # Every denial in the API answers JSON 401/403, whatever the client accepts.
    authz.register_api(api_bp)
    app.register_error_handler(HTTPException, _http_error)
    app.add_template_global(AuditPolicy, "AuditPolicy")
    app.cli.add_command(seed_command)
    return app


def _http_error(error: HTTPException) -> tuple[str, int]:
    # One styled page for every HTTP error, not only 403: 404 for a missing post
    # (or a hidden denial), 405 and the rest. For denials the extension decides
    # first (login redirect, flash and redirect back) and comes here only for the
    # final 403 page; the API blueprint's own handler answers its errors in JSON.
    return render_template("error.html", error=error), error.code or 500
