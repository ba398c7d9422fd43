"""Publish mail, sent from the signals to a real SMTP server."""

from __future__ import annotations

from flask import Flask

from example_app.extensions import db
from example_app.models import User
from example_app.tasks import publish_post

from .conftest import Inbox
from .conftest import LoginAs
from .conftest import load_post
from .conftest import post_id


def _user_id(app: Flask, username: str) -> int:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        assert user is not None
        return user.id


def test_completed_publish_mails_the_author(app: Flask, login_as: LoginAs, inbox: Inbox):
    login_as("author").post(f"/posts/{post_id(app, 'Draft: background jobs')}/publish")
    [message] = inbox.wait_for(1)
    assert message["To"] == "author@example.com"
    assert message["Subject"] == "Published: Draft: background jobs"
    assert "is live" in message.get_content()


def test_publish_denied_in_the_request_mails_the_user_why(
    app: Flask, login_as: LoginAs, inbox: Inbox
):
    login_as("viewer").post(f"/posts/{post_id(app, 'How policies work')}/publish")
    [message] = inbox.wait_for(1)
    assert message["To"] == "viewer@example.com"
    assert message["Subject"] == "Not published: How policies work"
    assert "not_your_post" in message.get_content()


def test_publish_denied_in_the_job_mails_the_user_and_publishes_nothing(app: Flask, inbox: Inbox):
    viewer, draft = _user_id(app, "viewer"), post_id(app, "Draft: background jobs")
    with app.test_request_context():
        publish_post(viewer, draft)
    [message] = inbox.wait_for(1)
    assert message["To"] == "viewer@example.com"
    assert message["Subject"] == "Not published: Draft: background jobs"
    assert load_post(app, "Draft: background jobs").published is False


def test_other_denials_send_no_mail(app: Flask, login_as: LoginAs, inbox: Inbox):
    client = login_as("viewer")
    response = client.post(f"/posts/{post_id(app, 'How policies work')}/delete")
    assert response.status_code == 403
    client.post(f"/posts/{post_id(app, 'How policies work')}/publish")
    assert [m["Subject"] for m in inbox.wait_for(1)] == ["Not published: How policies work"]
