"""Background jobs, run by a huey consumer: ``huey_consumer example_app.worker.huey``.

The publish job is an authorized task: the view enqueues only ids, and the
worker loads the user and the post again and re-checks ``PostPolicy.publish``
before the body runs. A denial there (say the author lost the post in the
meantime) never runs the body and is never retried.
"""

from __future__ import annotations

import datetime
import os

from flask import Flask

from flask_simple_authorize.huey import signed_serializer

from .extensions import authz
from .extensions import db
from .extensions import huey
from .models import Post
from .models import User
from .policies import PostPolicy


@authz.task(Post, "publish", policy_class=PostPolicy, retries=2, retry_delay=5)
def publish_post(user: User, post: Post) -> None:
    """Publish ``post`` on behalf of ``user`` (enqueue as ``publish_post(user.id, post.id)``)."""
    post.published = True
    post.published_at = datetime.datetime.now(datetime.timezone.utc)
    db.session.commit()


def configure_huey(app: Flask) -> None:
    """Point the queue at the app's SQLite file and sign messages with its secret key.

    ``HUEY_PATH`` (env ``EXAMPLE_HUEY_PATH``; default ``huey.db`` in the
    instance folder) is the queue file shared by the web process and the
    consumer. With ``HUEY_IMMEDIATE``, tasks run in the caller, in memory (tests).
    """
    path = app.config.get("HUEY_PATH") or os.path.join(app.instance_path, "huey.db")
    huey.serializer = signed_serializer(app.config["SECRET_KEY"])
    huey.storage_kwargs = {"filename": path}
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE", False))
    huey.storage = huey.create_storage()
