"""The extension objects, created unbound and registered in :func:`.create_app`.

They live at module level so that models, views and tasks can import them
before any app exists: the usual shape of an app factory.
"""

from __future__ import annotations

from flask_login import LoginManager
from flask_mailman import Mail
from flask_sqlalchemy import SQLAlchemy
from huey import SqliteHuey
from sqlalchemy.orm import DeclarativeBase

from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.audit import AuditTrail


class Base(DeclarativeBase):
    """The declarative base of the example app's models."""


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
mail = Mail()

#: The task queue. It starts in immediate mode (in memory, nothing written to
#: disk at import time); :func:`.configure_huey` points it at the SQLite file
#: of the app being created and signs its messages with the app's secret key.
huey = SqliteHuey("example_app", immediate=True)

#: Bound to ``huey`` here, so that ``@authz.task`` works at import time.
authz = SimpleAuthorize(huey=huey)

#: Denials and job runs, written by the extension's signals to a table of ``db``
#: (read by the admin's audit page).
audit = AuditTrail(db)
