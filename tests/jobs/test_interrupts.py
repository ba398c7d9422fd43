"""Tasks a consumer shutdown interrupts are re-queued, bounded, and re-authorized.

A body that raises ``KeyboardInterrupt`` is what huey sees when a consumer
stops with SIGTERM: it sends its ``interrupted`` signal and drops the task.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask
from huey import MemoryHuey
from huey import crontab

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import signals
from flask_simple_authorize.huey import huey_authorized_batch_task
from flask_simple_authorize.huey import huey_authorized_periodic_task
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey.interrupts import requeue_interrupted
from flask_simple_authorize.huey.spec import META_KEY

from .blog import MaintenancePolicy
from .blog import Post
from .blog import User
from .blog import create_app
from .blog import db


@pytest.fixture
def huey() -> MemoryHuey:
    """Tasks wait in the queue until the test drains it, as with a consumer."""
    return MemoryHuey("jobs-interrupts", immediate=False)


class Body:
    """A task body that is interrupted on its first ``interruptions`` runs, then finishes."""

    def __init__(self, interruptions: int) -> None:
        self.interruptions = interruptions
        self.starts = 0
        self.finishes = 0

    def __call__(self, *args: t.Any) -> None:
        self.starts += 1
        if self.starts <= self.interruptions:
            raise KeyboardInterrupt  # what a worker sees when the consumer gets SIGTERM
        self.finishes += 1


def _declare(huey: t.Any, body: Body, **options: t.Any) -> t.Any:
    @huey_authorized_task(huey, Post, "publish", **options)
    def publish(user: User, post: Post) -> None:
        body(user, post)

    return publish


def test_an_interrupted_task_is_requeued_and_finishes_once(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, caplog: t.Any
):
    body = Body(interruptions=1)
    publish = _declare(huey, body)

    publish(ids["author"], ids["draft"])
    with caplog.at_level(logging.WARNING, "flask_simple_authorize.huey"):
        drain()

    assert (body.starts, body.finishes) == (2, 1)
    assert huey.pending_count() == 0
    assert "re-queued (1 of 3)" in caplog.text


def test_the_requeued_message_carries_the_interrupted_count(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    body = Body(interruptions=5)
    publish = _declare(huey, body)
    publish(ids["author"], ids["draft"])

    ids_and_counts = []
    for _ in range(3):
        task = huey.dequeue()
        ids_and_counts.append((task.id, task.kwargs.get(META_KEY, {}).get("interrupted")))
        huey.execute(task)

    assert len({task_id for task_id, _ in ids_and_counts}) == 1
    assert [count for _, count in ids_and_counts] == [None, 1, 2]


def test_a_task_interrupted_past_the_limit_is_dropped_with_an_error(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, caplog: t.Any
):
    body = Body(interruptions=10)
    publish = _declare(huey, body)

    publish(ids["author"], ids["draft"])
    with caplog.at_level(logging.WARNING, "flask_simple_authorize.huey"):
        drain()

    assert (body.starts, body.finishes) == (4, 0)  # the first run and 3 re-queued ones
    assert huey.pending_count() == 0
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "after 3 re-queues and is dropped" in error.getMessage()


def test_a_permission_revoked_meanwhile_denies_the_requeued_run(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, recorder: t.Any
):
    body = Body(interruptions=1)
    publish = _declare(huey, body)
    publish(ids["author"], ids["draft"])

    huey.execute(huey.dequeue())
    with app.app_context():
        db.session.get(User, ids["author"]).role = "viewer"
        db.session.get(Post, ids["draft"]).user_id = ids["admin"]
        db.session.commit()
    drain()

    assert (body.starts, body.finishes) == (1, 0)
    assert recorder.payload("job_authorization_denied")["user_id"] == ids["author"]
    assert huey.pending_count() == 0


def test_a_task_that_is_not_authorized_is_left_alone(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    body = Body(interruptions=1)

    @huey.task()
    def plain() -> None:
        body()

    plain()
    drain()

    assert (body.starts, body.finishes) == (1, 0)
    assert huey.pending_count() == 0
    assert requeue_interrupted(huey, plain.s()) is False


@pytest.mark.parametrize(
    ("config", "option", "starts"),
    [
        pytest.param(0, None, 1, id="config 0 disables"),
        pytest.param(3, 0, 1, id="task option 0 disables"),
        pytest.param(0, 1, 2, id="task option overrides config 0"),
        pytest.param(1, None, 2, id="config 1"),
        pytest.param(3, 2, 3, id="task option overrides config 3"),
    ],
)
def test_the_limit_comes_from_the_task_option_or_the_config(
    huey: t.Any,
    tmp_path: t.Any,
    ids: dict[str, int],
    drain: t.Any,
    config: int,
    option: int | None,
    starts: int,
):
    create_app(
        f"sqlite:///{tmp_path / 'blog.db'}", huey, SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED=config
    )
    body = Body(interruptions=10)
    publish = _declare(huey, body, requeue_interrupted=option)

    publish(ids["author"], ids["draft"])
    drain()

    assert body.starts == starts
    assert huey.pending_count() == 0


def test_binding_the_queue_twice_requeues_an_interrupted_task_once(
    huey: t.Any, app: Flask, ids: dict[str, int], tmp_path: t.Any
):
    create_app(f"sqlite:///{tmp_path / 'blog.db'}", huey)
    publish = _declare(huey, Body(interruptions=1))
    publish(ids["author"], ids["draft"])

    huey.execute(huey.dequeue())

    assert huey.pending_count() == 1


def test_an_interrupted_eager_task_is_not_run_again(
    app: Flask, ids: dict[str, int], tmp_path: t.Any
):
    eager = MemoryHuey("jobs-interrupts-eager", immediate=True)
    create_app(f"sqlite:///{tmp_path / 'blog.db'}", eager)
    body = Body(interruptions=1)
    publish = _declare(eager, body)

    publish(ids["author"], ids["draft"])

    assert (body.starts, body.finishes) == (1, 0)


def test_an_interrupted_batch_resumes_after_the_records_it_finished(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    with app.app_context():
        third = Post(title="third", user_id=ids["author"])
        db.session.add(third)
        db.session.commit()
        third_id = third.id
    runs: list[int] = []

    @huey_authorized_batch_task(huey, Post, "publish")
    def publish_all(user: User, post: Post) -> None:
        if post.id == ids["locked"] and ids["locked"] not in runs:
            runs.append(post.id)
            raise KeyboardInterrupt
        runs.append(post.id)
        post.published = True
        db.session.commit()

    result = publish_all(ids["author"], [ids["draft"], ids["locked"], third_id])
    drain()

    assert runs == [ids["draft"], ids["locked"], ids["locked"], third_id]
    assert result().done == [ids["draft"], ids["locked"], third_id]


@pytest.mark.parametrize(
    ("option", "starts"),
    [pytest.param(None, 1, id="not re-queued by default"), pytest.param(1, 2, id="opted in")],
)
def test_an_interrupted_periodic_task_is_requeued_only_when_it_opts_in(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any, option: int | None, starts: int
):
    body = Body(interruptions=1)

    @huey_authorized_periodic_task(
        huey,
        crontab(hour="2", minute="0"),
        MaintenancePolicy,
        "run",
        run_as=ids["system"],
        requeue_interrupted=option,
    )
    def nightly(user: User) -> None:
        body(user)

    huey.enqueue(nightly.s())
    drain()

    assert (body.starts, body.finishes) == (starts, starts - 1)


@pytest.mark.parametrize("value", [-1, 101, 2.0, True, "3"], ids=repr)
def test_a_bad_requeue_option_fails_at_declaration(huey: t.Any, app: Flask, value: t.Any):
    with pytest.raises(ConfigurationError, match="requeue_interrupted"):
        _declare(huey, Body(0), requeue_interrupted=value)


@pytest.mark.parametrize("value", [-1, 101, 2.0, True, "3"], ids=repr)
def test_a_bad_requeue_config_fails_at_start_up(value: t.Any):
    app = Flask(__name__)
    app.config["SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED"] = value
    with pytest.raises(ConfigurationError, match="SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED"):
        SimpleAuthorize(app)


def test_a_shutdown_after_the_body_returned_does_not_run_it_again(
    huey: t.Any, app: Flask, ids: dict[str, int], drain: t.Any
):
    body = Body(interruptions=0)
    publish = _declare(huey, body)
    in_flight: list[t.Any] = []
    huey.pre_execute()(in_flight.append)

    def shutdown_now(sender: t.Any, **payload: t.Any) -> None:
        # SIGTERM while a subscriber (an audit write, a mail) still runs: huey
        # sends ``interrupted`` for every task in flight.
        requeue_interrupted(huey, in_flight[-1])

    signals.job_succeeded.connect(shutdown_now, sender=app)
    try:
        publish(ids["author"], ids["draft"])
        drain()
    finally:
        signals.job_succeeded.disconnect(shutdown_now)

    assert (body.starts, body.finishes) == (1, 1)
    assert huey.pending_count() == 0
