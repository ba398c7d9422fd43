"""The worker side, driven step by step: retries, missing records, denials, isolation."""

from __future__ import annotations

import dataclasses
import typing as t

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import InvalidRuleResultError
from flask_simple_authorize import Policy
from flask_simple_authorize import authorize
from flask_simple_authorize.actor import bound_actor
from flask_simple_authorize.huey import huey_authorized_task

from .blog import Post
from .blog import User
from .blog import db


@pytest.fixture
def huey() -> MemoryHuey:
    """Tasks wait in the queue until the test drains it."""
    return MemoryHuey("jobs-driven", immediate=False)


def test_transient_failure_is_retried_until_it_succeeds(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    attempts: list[int] = []

    @huey_authorized_task(huey, Post, "publish", retries=3)
    def flaky(user: User, post: Post) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise ConnectionError("mail server down")

    flaky(ids["author"], ids["draft"])
    drain()

    assert attempts == [1, 2, 3]
    assert recorder.payload("job_succeeded")["attempt"] == 3
    assert "job_failed" not in recorder.names()


def test_failure_without_retries_left_sends_job_failed(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    runs: list[int] = []

    @huey_authorized_task(huey, Post, "publish", retries=2)
    def broken(user: User, post: Post) -> None:
        runs.append(post.id)
        raise ValueError("bad data")

    broken(ids["author"], ids["draft"])
    drain()

    assert len(runs) == 3
    failed = recorder.payload("job_failed")
    assert failed["attempt"] == 3
    assert failed["retries_left"] == 0
    assert isinstance(failed["error"], ValueError)
    assert failed["duration"] >= 0
    assert (failed["user_id"], failed["record_id"]) == (ids["author"], ids["draft"])


def test_denied_job_is_not_retried(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    @huey_authorized_task(huey, Post, "publish", retries=5)
    def publish(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    publish(ids["viewer"], ids["draft"])

    assert drain() == 1
    assert recorder.names() == ["job_authorization_denied"]


def test_missing_record_is_retried_before_it_counts_as_deleted(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    @huey_authorized_task(huey, Post, "publish", missing_record_retries=2, retries=4)
    def publish(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    publish(ids["admin"], 4242)

    assert drain() == 3
    skipped = recorder.payload("job_skipped")
    assert (skipped["reason"], skipped["attempt"]) == ("record_not_found", 3)


@pytest.mark.parametrize(
    "record_id",
    [pytest.param("2x", id="no-number"), pytest.param([1, 2], id="list-for-a-single-key")],
)
def test_queued_id_that_cannot_be_a_key_is_skipped_without_retries(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any, record_id: t.Any
):
    @huey_authorized_task(huey, Post, "publish", missing_record_retries=2, retries=4)
    def publish(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    # As an older release or another producer may have queued it, unchecked.
    huey.enqueue(publish.task_class((ids["admin"], record_id), {}))

    assert drain() == 1
    skipped = recorder.payload("job_skipped")
    assert (skipped["reason"], skipped["record"]) == ("invalid_record_id", None)


def test_record_committed_after_enqueue_is_found_on_retry(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    ran: list[int] = []

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        ran.append(post.id)

    publish(ids["admin"], 77)
    assert drain(limit=1) == 1
    with app.app_context():
        db.session.add(Post(id=77, title="late", user_id=ids["author"]))
        db.session.commit()
    drain()

    assert ran == [77]


def test_missing_record_retries_come_from_the_config(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    state = app.extensions["simple_authorize"]
    state.settings = dataclasses.replace(state.settings, job_missing_record_retries=0)

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    publish(ids["admin"], 4242)

    assert drain() == 1


def test_actor_does_not_leak_into_the_next_task(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    seen: list[t.Any] = []

    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        seen.append(bound_actor().user.id)

    publish(ids["admin"], ids["draft"])
    publish(ids["author"], ids["draft"])
    drain()

    assert seen == [ids["admin"], ids["author"]]
    assert bound_actor() is None


class BrokenPolicy(Policy):
    def run(self) -> t.Any:
        return "yes"  # not a bool: an error, never an allow


def test_broken_rule_fails_closed_and_is_reported(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    ran: list[int] = []

    @huey_authorized_task(huey, BrokenPolicy, "run", retries=1)
    def job(user: User) -> None:
        ran.append(user.id)

    job(ids["admin"])
    assert drain() == 2

    assert ran == []
    failed = recorder.payload("job_failed")
    assert isinstance(failed["error"], InvalidRuleResultError)
    assert failed["attempt"] == 2


@pytest.mark.parametrize(
    "user_id",
    [
        pytest.param(None, id="none"),
        pytest.param([1], id="list"),
        pytest.param(True, id="bool"),
        pytest.param(1.5, id="float"),
    ],
)
def test_queued_user_id_that_cannot_be_an_id_is_skipped_without_retries(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any, user_id: t.Any
):
    @huey_authorized_task(huey, Post, "publish", retries=4)
    def publish(user: User, post: Post) -> None:
        raise AssertionError("must not run")

    # As an older release or another producer may have queued it, unchecked.
    huey.enqueue(publish.task_class((user_id, ids["draft"]), {}))

    assert drain() == 1
    skipped = recorder.payload("job_skipped")
    assert (skipped["reason"], skipped["user"]) == ("invalid_user_id", None)


def test_denial_inside_the_body_stops_the_task_without_retries(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    runs: list[int] = []

    @huey_authorized_task(huey, Post, "show", retries=3)
    def retitle_and_remove(user: User, post: Post) -> None:
        runs.append(post.id)
        post.title = "half done"
        authorize(post, "destroy")  # only admins may: the author is denied here
        db.session.delete(post)
        db.session.commit()

    retitle_and_remove(ids["author"], ids["draft"])

    assert drain() == 1
    assert runs == [ids["draft"]]
    denied = recorder.payload("job_authorization_denied")
    assert (denied["query"], denied["user_id"], denied["record_id"]) == (
        "destroy",
        ids["author"],
        ids["draft"],
    )
    assert "job_failed" not in recorder.names()
    with app.app_context():
        assert db.session.get(Post, ids["draft"]).title == "draft"
