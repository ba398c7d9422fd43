"""Batch tasks: only authorized records reach the body; the rest are reported by reason."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask

from flask_simple_authorize import JobArgumentError
from flask_simple_authorize import authorize
from flask_simple_authorize.huey import BatchReport
from flask_simple_authorize.huey import huey_authorized_batch_task

from .blog import Post
from .blog import User
from .blog import db


def test_batch_processes_authorized_records_and_reports_the_others(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any, caplog: t.Any
):
    with app.app_context():
        other = Post(title="other", user_id=ids["admin"])
        broken = Post(title="broken", user_id=ids["author"])
        db.session.add_all([other, broken])
        db.session.commit()
        other_id, broken_id = other.id, broken.id
    processed: list[int] = []

    @huey_authorized_batch_task(huey, Post, "update")
    def retitle(user: User, post: Post, prefix: str) -> None:
        post.title = prefix + post.title
        if post.title.endswith("broken"):
            raise ValueError("cannot retitle")
        db.session.commit()
        processed.append(post.id)

    with caplog.at_level(logging.WARNING, "flask_simple_authorize.huey"):
        result = retitle(
            ids["author"], [ids["draft"], 404, other_id, ids["locked"], broken_id], "x-"
        )

    report = result()
    assert isinstance(report, BatchReport)
    assert report.done == processed == [ids["draft"]]
    assert report.not_found == [404]
    assert report.unauthorized == [other_id, ids["locked"]]
    assert report.failed == [broken_id]
    assert [item.detail for item in report.skipped if item.reason == "unauthorized"] == [
        None,
        "locked",
    ]
    with app.app_context():
        assert db.session.get(Post, broken_id).title == "broken"
        assert db.session.get(Post, other_id).title == "other"
    denied = [p["record_id"] for n, p in recorder.events if n == "job_authorization_denied"]
    assert denied == [other_id, ids["locked"]]
    assert recorder.payload("job_succeeded")["result"] == report
    assert report.as_dict()["skipped"][0] == {
        "record_id": 404,
        "reason": "not_found",
        "detail": None,
    }


def test_batch_of_a_missing_user_is_skipped(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any
):
    @huey_authorized_batch_task(huey, Post, "update")
    def touch(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    touch(9999, [ids["draft"]])

    assert recorder.payload("job_skipped")["reason"] == "user_not_found"


def test_batch_ids_must_be_a_list(huey: t.Any, app: Flask, ids: dict[str, int]):
    @huey_authorized_batch_task(huey, Post, "update")
    def touch(user: User, post: Post) -> None:
        pass

    try:
        touch(ids["admin"], ids["draft"])
    except JobArgumentError as error:
        assert "list" in str(error)
    else:
        raise AssertionError("a single id was accepted as a batch")


@pytest.mark.parametrize(
    "record_ids",
    [pytest.param(5, id="one-id"), pytest.param("123", id="string"), pytest.param(None, id="none")],
)
def test_batch_message_without_a_list_of_ids_is_skipped(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any, record_ids: t.Any
):
    processed: list[int] = []

    @huey_authorized_batch_task(huey, Post, "update")
    def touch(user: User, post: Post) -> None:
        processed.append(post.id)

    # As an older release or another producer may have queued it, unchecked.
    huey.enqueue(touch.task_class((ids["admin"], record_ids), {}))

    assert processed == []
    assert recorder.payload("job_skipped")["reason"] == "invalid_record_id"


def test_denial_inside_a_batch_body_reports_the_record_as_unauthorized(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any
):
    @huey_authorized_batch_task(huey, Post, "update")
    def remove(user: User, post: Post) -> None:
        post.title = "half done"
        authorize(post, "destroy")  # only admins may: the author is denied here
        db.session.delete(post)
        db.session.commit()

    report = remove(ids["author"], [ids["draft"]]).get()

    assert (report.done, report.unauthorized, report.failed) == ([], [ids["draft"]], [])
    denied = recorder.payload("job_authorization_denied")
    assert (denied["query"], denied["record_id"]) == ("destroy", ids["draft"])
    with app.app_context():
        assert db.session.get(Post, ids["draft"]).title == "draft"
