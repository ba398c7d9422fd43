"""The publish job and the queue's configuration."""

from __future__ import annotations

from flask import Flask
from huey.serializer import SignedSerializer

from example_app import create_app
from example_app.extensions import db
from example_app.extensions import huey
from example_app.models import Post
from example_app.models import User
from example_app.tasks import publish_post

from .conftest import app_config
from .conftest import load_post
from .conftest import post_id


def _user_id(app: Flask, username: str) -> int:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        assert user is not None
        return user.id


def test_admin_publishes_any_draft_via_the_job(app: Flask):
    with app.test_request_context():
        publish_post(_user_id(app, "admin"), post_id(app, "Draft: signals and mail"))
    assert load_post(app, "Draft: signals and mail").published is True


def test_author_publishes_own_draft_via_the_job(app: Flask):
    with app.test_request_context():
        publish_post(_user_id(app, "author"), post_id(app, "Draft: background jobs"))
    assert load_post(app, "Draft: background jobs").published is True


def test_author_cannot_publish_the_admins_draft_via_the_job(app: Flask):
    with app.test_request_context():
        publish_post(_user_id(app, "author"), post_id(app, "Draft: admin notes"))
    assert load_post(app, "Draft: admin notes").published is False


def test_job_for_a_deleted_post_does_nothing(app: Flask):
    draft = post_id(app, "Draft: background jobs")
    with app.app_context():
        db.session.delete(db.session.get(Post, draft))
        db.session.commit()
    with app.test_request_context():
        publish_post(_user_id(app, "author"), draft)
    with app.app_context():
        assert db.session.get(Post, draft) is None


def test_queue_uses_the_configured_file_and_signs_messages(tmp_path, smtp):
    path = tmp_path / "queue.db"
    create_app(app_config(tmp_path, smtp[1], HUEY_IMMEDIATE=False, HUEY_PATH=str(path)))
    try:
        assert huey.immediate is False
        assert isinstance(huey.serializer, SignedSerializer)
        huey.enqueue(publish_post.s(1, 1))
        assert path.exists()
        assert len(huey) == 1
    finally:
        huey.flush()
        huey.immediate = True
