"""huey_authorized_task with an eager queue: the guide's scenarios and the task's contract."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask
from flask_login import current_user
from flask_login import login_user
from huey.api import TaskWrapper
from huey.exceptions import TaskException

from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import policy_scope
from flask_simple_authorize.errors import UnknownActionError
from flask_simple_authorize.huey import JobDenied
from flask_simple_authorize.huey import huey_authorized_task

from .blog import Execution
from .blog import ExportPolicy
from .blog import Post
from .blog import User
from .blog import db


def executions(app: Flask, key: str) -> list[int | None]:
    with app.app_context():
        rows = db.session.scalars(db.select(Execution).where(Execution.key == key))
        return [row.user_id for row in rows]


@pytest.fixture
def publish_post(huey: t.Any, app: Flask) -> t.Any:
    @huey_authorized_task(huey, Post, "publish")
    def publish_post(user: User, post: Post) -> str:
        post.published = True
        db.session.add(Execution(key="publish", user_id=user.id))
        db.session.commit()
        return f"published {post.id}"

    return publish_post


def published(app: Flask, post_id: int) -> bool:
    with app.app_context():
        return bool(db.session.get(Post, post_id).published)


def test_admin_can_publish_post_via_job(app: Flask, ids: dict[str, int], publish_post: t.Any):
    result = publish_post(ids["admin"], ids["draft"])

    assert result() == f"published {ids['draft']}"
    assert published(app, ids["draft"])


def test_author_can_publish_own_post_via_job(app: Flask, ids: dict[str, int], publish_post: t.Any):
    publish_post(ids["author"], ids["draft"])

    assert published(app, ids["draft"])
    assert executions(app, "publish") == [ids["author"]]


def test_viewer_cannot_publish_post_via_job(
    app: Flask, ids: dict[str, int], publish_post: t.Any, recorder: t.Any, caplog: t.Any
):
    with caplog.at_level(logging.WARNING, "flask_simple_authorize.huey"):
        result = publish_post(ids["viewer"], ids["draft"])

    assert not published(app, ids["draft"])
    assert executions(app, "publish") == []
    with pytest.raises(TaskException, match="JobDenied"):
        result.get()
    [warning] = [r for r in caplog.records if r.name == "flask_simple_authorize.huey"]
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert "publish_post" in message and f"user {ids['viewer']}" in message
    assert f"Post {ids['draft']}" in message
    denied = recorder.payload("job_authorization_denied")
    assert denied["user_id"] == ids["viewer"]
    assert denied["record_id"] == ids["draft"]
    assert denied["task_name"] == "publish_post"
    assert denied["policy_name"] == "PostPolicy"
    assert "job_started" not in recorder.names()


def test_denial_reason_reaches_the_signal(
    ids: dict[str, int], huey: t.Any, app: Flask, recorder: t.Any
):
    @huey_authorized_task(huey, Post, "update")
    def retitle(user: User, post: Post, title: str) -> None:
        raise AssertionError("must not run")

    retitle(ids["admin"], ids["locked"], "new")

    assert recorder.payload("job_authorization_denied")["reason"] == "locked"


def test_deleted_record_is_skipped_and_logged_at_info(
    app: Flask, ids: dict[str, int], publish_post: t.Any, recorder: t.Any, caplog: t.Any
):
    with app.app_context():
        db.session.delete(db.session.get(Post, ids["draft"]))
        db.session.commit()

    with caplog.at_level(logging.INFO, "flask_simple_authorize.huey"):
        publish_post(ids["admin"], ids["draft"])

    assert executions(app, "publish") == []
    skipped = recorder.payload("job_skipped")
    assert skipped["reason"] == "record_not_found"
    assert skipped["record_id"] == ids["draft"]
    assert any(r.levelno == logging.INFO and "skipped" in r.getMessage() for r in caplog.records)


def test_deleted_user_is_skipped(
    app: Flask, ids: dict[str, int], publish_post: t.Any, recorder: t.Any
):
    publish_post(9999, ids["draft"])

    assert executions(app, "publish") == []
    assert recorder.payload("job_skipped")["reason"] == "user_not_found"


def test_model_instances_are_reduced_to_ids(app: Flask, ids: dict[str, int], publish_post: t.Any):
    with app.app_context():
        admin = db.session.get(User, ids["admin"])
        post = db.session.get(Post, ids["draft"])
        message = publish_post.s(admin, post)

    assert message.args == (ids["admin"], ids["draft"])


def test_authorized_task_is_a_real_huey_task(publish_post: t.Any, huey: t.Any):
    assert isinstance(publish_post, TaskWrapper)
    for method in ("schedule", "s", "revoke", "call_local", "map"):
        assert callable(getattr(publish_post, method))
    assert callable(publish_post.s(1, 2).then)
    assert publish_post.name == "publish_post"


def test_call_local_runs_the_checks_in_the_caller(
    app: Flask, ids: dict[str, int], publish_post: t.Any
):
    assert publish_post.call_local(ids["admin"], ids["draft"]) == f"published {ids['draft']}"
    with pytest.raises(JobDenied):
        publish_post.call_local(ids["viewer"], ids["draft"])


def test_job_signals_carry_who_did_what(ids: dict[str, int], publish_post: t.Any, recorder: t.Any):
    publish_post(ids["author"], ids["draft"])

    assert recorder.names()[-2:] == ["job_started", "job_succeeded"]
    started = recorder.payload("job_started")
    succeeded = recorder.payload("job_succeeded")
    for payload in (started, succeeded):
        assert payload["user_id"] == ids["author"]
        assert isinstance(payload["user"], User)
        assert payload["record_id"] == ids["draft"]
        assert isinstance(payload["record"], Post)
        assert payload["record_type"] == "Post"
        assert payload["task_name"] == "publish_post"
        assert payload["task_id"]
        assert payload["query"] == "publish"
        assert payload["attempt"] == 1
    assert succeeded["duration"] >= 0
    assert succeeded["result"] == f"published {ids['draft']}"


def test_body_can_use_the_helpers_as_the_job_user(huey: t.Any, app: Flask, ids: dict[str, int]):
    seen: dict[str, t.Any] = {}

    @huey_authorized_task(huey, Post, "show")
    def inspect_post(user: User, post: Post) -> None:
        seen["may_update"] = allowed_to("update", post)
        seen["authorized"] = authorize(post, "publish") is post
        seen["visible"] = sorted(p.id for p in db.session.scalars(policy_scope(Post)))

    inspect_post(ids["author"], ids["draft"])

    assert seen == {
        "may_update": True,
        "authorized": True,
        "visible": [ids["draft"], ids["locked"]],
    }


def test_headless_task_checks_the_policy_and_gets_no_record(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    exported: list[tuple[int, str]] = []

    @huey_authorized_task(huey, ExportPolicy, "export_data")
    def export_data(user: User, fmt: str) -> None:
        exported.append((user.id, fmt))

    export_data(ids["author"], "csv")
    export_data(ids["viewer"], "csv")

    assert exported == [(ids["author"], "csv")]


def test_bound_short_form_declares_the_same_task(huey: t.Any, app: Flask, ids: dict[str, int]):
    authz = app.extensions["simple_authorize"].extension

    @authz.task(Post, "destroy")
    def destroy_post(user: User, post: Post) -> None:
        db.session.delete(post)
        db.session.commit()

    destroy_post(ids["author"], ids["draft"])
    destroy_post(ids["admin"], ids["locked"])

    with app.app_context():
        assert db.session.get(Post, ids["draft"]) is not None
        assert db.session.get(Post, ids["locked"]) is None


def test_unknown_action_fails_at_declaration(huey: t.Any):
    with pytest.raises(UnknownActionError, match="publsh"):
        huey_authorized_task(huey, Post, "publsh")


def test_event_driven_task_picks_its_action_from_the_payload(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any
):
    handled: list[str] = []
    actions = {"post.updated": "update", "post.deleted": "destroy"}

    @huey_authorized_task(huey, Post, lambda event: actions[event])
    def process_post_event(user: User, post: Post, event: str) -> None:
        handled.append(event)

    process_post_event(ids["author"], ids["draft"], "post.updated")
    process_post_event(ids["author"], ids["draft"], "post.deleted")

    assert handled == ["post.updated"]
    assert recorder.payload("job_authorization_denied")["query"] == "destroy"


def test_captured_request_context_reaches_the_policy(huey: t.Any, app: Flask, ids: dict[str, int]):
    authz = app.extensions["simple_authorize"].extension
    ran: list[int] = []

    @authz.context_provider
    def request_context() -> dict[str, str]:
        from flask import request

        return {"ip": request.remote_addr or ""}

    @huey_authorized_task(huey, Post, "publish_from")
    def publish_from_office(user: User, post: Post) -> None:
        ran.append(post.id)

    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.1"}):
        message = publish_from_office.s(ids["author"], ids["draft"])
        publish_from_office(ids["author"], ids["draft"])
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        publish_from_office(ids["author"], ids["draft"])

    assert ran == [ids["draft"]]
    assert message.kwargs["__simple_authorize__"] == {"context": {"ip": "10.0.0.1"}}


def test_eager_task_inside_a_request_leaves_the_request_user_alone(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    seen: list[int] = []

    @huey_authorized_task(huey, Post, "destroy")
    def as_admin(user: User, post: Post) -> None:
        seen.append(user.id)
        authorize(post, "destroy")

    with app.test_request_context():
        viewer = db.session.get(User, ids["viewer"])
        login_user(viewer)
        as_admin(ids["admin"], ids["draft"])

        assert seen == [ids["admin"]]
        assert current_user.id == ids["viewer"]
        assert not allowed_to("destroy", db.session.get(Post, ids["draft"]))
        assert db.session.get(User, ids["viewer"]) is viewer


def test_chained_job_re_authorizes_in_turn(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any
):
    notified: list[int] = []

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        post.published = True
        db.session.commit()

    @huey_authorized_task(huey, Post, "notify_subscribers")
    def notify_subscribers(user: User, post: Post) -> None:
        notified.append(user.id)

    huey.enqueue(
        publish.s(ids["author"], ids["draft"]).then(notify_subscribers, ids["author"], ids["draft"])
    )
    huey.enqueue(
        publish.s(ids["admin"], ids["locked"]).then(notify_subscribers, ids["admin"], ids["locked"])
    )

    assert published(app, ids["draft"]) and published(app, ids["locked"])
    assert notified == [ids["admin"]]
    denied = recorder.payload("job_authorization_denied")
    assert (denied["task_name"], denied["user_id"]) == ("notify_subscribers", ids["author"])


def test_follow_up_enqueued_from_the_body_re_authorizes(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    notified: list[int] = []

    @huey_authorized_task(huey, Post, "notify_subscribers")
    def notify(user: User, post: Post) -> None:
        notified.append(user.id)

    @huey_authorized_task(huey, Post, "publish")
    def publish_and_notify(user: User, post: Post) -> None:
        post.published = True
        db.session.commit()
        notify(user, post)

    publish_and_notify(ids["author"], ids["draft"])
    publish_and_notify(ids["admin"], ids["locked"])

    assert notified == [ids["admin"]]
