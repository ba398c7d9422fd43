"""The app and tasks a real huey consumer runs in the consumer tests and the benchmark.

Producer (the test process) and consumer (``huey_consumer``) both build them
with :func:`make_worker`, so task names match on both sides.
"""

from __future__ import annotations

import os
import typing as t

from flask import Flask
from huey import RedisHuey
from huey import SqliteHuey

from flask_simple_authorize import policy_class_for
from flask_simple_authorize.audit import AuditTrail
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey import signed_serializer

from .blog import Execution
from .blog import Post
from .blog import User
from .blog import create_app
from .blog import db

SECRET = "worker-test-secret"


class Worker(t.NamedTuple):
    app: Flask
    huey: t.Any
    audit: AuditTrail | None
    tasks: dict[str, t.Any]


def make_huey(queue_url: str) -> t.Any:
    """A signed SQLite or Redis huey for ``sqlite:///path`` or ``redis://...``."""
    serializer = signed_serializer(SECRET)
    if queue_url.startswith("redis://"):
        return RedisHuey("jobs-worker", url=queue_url, serializer=serializer)
    return SqliteHuey(
        "jobs-worker", filename=queue_url.removeprefix("sqlite:///"), serializer=serializer
    )


def make_worker(queue_url: str, database_uri: str, *, audit: bool = True) -> Worker:
    """The module that creates the app and the huey and binds them (the app-factory pattern)."""
    huey = make_huey(queue_url)
    app = create_app(database_uri, huey, SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_RETRIES=1)
    trail = AuditTrail(db) if audit else None
    if trail is not None:
        trail.init_app(app)

    @huey_authorized_task(huey, Post, "publish", retries=3, retry_delay=0)
    def mixed_publish(user: User, post: Post, key: str, fail_times: int) -> None:
        db.session.add(Execution(key=key, user_id=user.id))
        db.session.commit()
        runs = db.session.scalar(
            db.select(db.func.count()).select_from(Execution).where(Execution.key == key)
        )
        if runs <= fail_times:
            raise ConnectionError(f"transient failure {runs} of {fail_times}")

    @huey_authorized_task(huey, Post, "show")
    def authorized_touch(user: User, post: Post, key: str) -> None:
        db.session.add(Execution(key=key, user_id=user.id))
        db.session.commit()

    @huey.task(name="plain_touch", context=True)
    def plain_touch(user_id: int, post_id: int, key: str, task: t.Any = None) -> None:
        """The same work as authorized_touch, written by hand."""
        with app.app_context():
            user = app.login_manager.user_callback(str(user_id))
            post = db.session.get(Post, post_id)
            if user is None or post is None:
                return
            if not policy_class_for(post)(user, post).show():
                return
            db.session.add(Execution(key=key, user_id=user.id))
            db.session.commit()

    tasks = {
        "mixed_publish": mixed_publish,
        "authorized_touch": authorized_touch,
        "plain_touch": plain_touch,
    }
    return Worker(app, huey, trail, tasks)


def make_worker_from_env() -> Worker:
    return make_worker(
        os.environ["JOBS_QUEUE_URL"],
        os.environ["JOBS_DATABASE_URI"],
        audit=os.environ.get("JOBS_AUDIT", "1") == "1",
    )
