"""The task wrapper: a real huey TaskWrapper whose every enqueue path checks arguments."""

from __future__ import annotations

import datetime
import typing as t

import pytest
from flask import Flask
from huey import MemoryHuey
from huey.api import TaskWrapper

from flask_simple_authorize import JobArgumentError
from flask_simple_authorize.huey import huey_authorized_task

from .blog import Post
from .blog import User
from .blog import db


class CustomWrapper(TaskWrapper):  # type: ignore[misc]
    """A huey task wrapper class an app may already use."""


class CustomHuey(MemoryHuey):  # type: ignore[misc]
    def get_task_wrapper_class(self) -> type:
        return CustomWrapper


@pytest.fixture
def huey() -> MemoryHuey:
    return CustomHuey("jobs-wrapper", immediate=False)


@pytest.fixture
def publish(huey: t.Any, app: Flask) -> t.Any:
    @huey_authorized_task(
        huey,
        Post,
        "publish",
        retries=2,
        retry_delay=3,
        retry_backoff=2,
        priority=7,
        name="publish_now",
    )
    def publish(user: User, post: Post, note: str = "") -> None:
        pass

    return publish


def test_huey_wrapper_class_of_the_app_is_kept(publish: t.Any):
    assert isinstance(publish, CustomWrapper)


def test_huey_options_reach_the_task(publish: t.Any):
    message = publish.s(1, 2)

    assert (message.retries, message.retry_delay, message.retry_backoff) == (2, 3, 2)
    assert message.priority == 7
    assert message.name == "publish_now"


def test_schedule_reduces_instances_and_queues_for_later(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        post = db.session.get(Post, ids["draft"])
        publish.schedule((ids["admin"], post), {"note": "x"}, delay=60)

    message = huey.dequeue()
    assert message.args == (ids["admin"], ids["draft"])
    assert message.kwargs == {"note": "x"}
    assert message.eta is not None


def test_map_checks_every_call_before_queueing_any(
    huey: t.Any, ids: dict[str, int], publish: t.Any
):
    with pytest.raises(JobArgumentError):
        publish.map([(ids["admin"], ids["draft"]), (ids["admin"], ids["draft"], b"bytes")])

    assert huey.pending_count() == 0
    publish.map([(ids["admin"], ids["draft"]), (ids["author"], ids["locked"])])
    assert huey.pending_count() == 2


def test_then_follow_up_arguments_are_checked(ids: dict[str, int], publish: t.Any):
    with pytest.raises(JobArgumentError, match="secret"):
        publish.s(ids["admin"], ids["draft"]).then(publish, ids["admin"], ids["draft"], api_key="k")


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(60, id="seconds"),
        pytest.param(datetime.timedelta(minutes=1), id="timedelta"),
        pytest.param(datetime.datetime(2030, 1, 1), id="datetime"),
    ],
)
def test_schedule_with_a_time_in_place_of_args_still_checks_the_arguments(
    huey: t.Any, publish: t.Any, when: t.Any
):
    with pytest.raises(JobArgumentError):
        publish.schedule(when, {"password": "hunter2"})

    assert huey.pending_count() + huey.scheduled_count() == 0


def test_call_local_takes_a_user_and_a_record_as_a_queued_call_does(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        post.published = True
        db.session.commit()

    with app.app_context():
        user = db.session.get(User, ids["author"])
        post = db.session.get(Post, ids["draft"])

    publish.call_local(user, post)

    with app.app_context():
        assert db.session.get(Post, ids["draft"]).published
