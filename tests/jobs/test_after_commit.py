"""Enqueue after commit: queued when the transaction commits, never when it rolls back."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import JobArgumentError
from flask_simple_authorize.huey import enqueue_after_commit
from flask_simple_authorize.huey import huey_authorized_task

from .blog import Post
from .blog import User
from .blog import db


@pytest.fixture
def huey() -> MemoryHuey:
    return MemoryHuey("jobs-after-commit", immediate=False)


@pytest.fixture
def publish(huey: t.Any, app: Flask) -> t.Any:
    @huey_authorized_task(huey, Post, "publish")
    def publish(user: User, post: Post) -> None:
        post.published = True
        db.session.commit()

    return publish


def test_task_is_queued_only_when_the_transaction_commits(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any, drain: t.Any
):
    with app.app_context():
        post = Post(title="new", user_id=ids["author"])
        db.session.add(post)
        db.session.flush()
        publish.after_commit(db.session, ids["author"], post.id)
        assert huey.pending_count() == 0
        db.session.commit()
        post_id = post.id

    assert huey.pending_count() == 1
    drain()
    with app.app_context():
        assert db.session.get(Post, post_id).published


def test_task_is_never_queued_when_the_transaction_rolls_back(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        post = Post(title="new", user_id=ids["author"])
        db.session.add(post)
        db.session.flush()
        enqueue_after_commit(db.session, publish, ids["author"], post.id)
        db.session.rollback()
        db.session.commit()

    assert huey.pending_count() == 0


def test_session_closed_without_commit_queues_nothing_later(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        session = db.session()
        session.add(Post(title="x", user_id=ids["author"]))
        session.flush()
        publish.after_commit(session, ids["author"], ids["draft"])
        session.close()
        session.add(Post(title="y", user_id=ids["author"]))
        session.commit()

    assert huey.pending_count() == 0


def test_refused_argument_raises_at_once(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context(), pytest.raises(JobArgumentError):
        publish.after_commit(db.session, ids["author"], ids["draft"], token="abc")
        db.session.commit()

    assert huey.pending_count() == 0


def test_task_added_in_a_savepoint_that_rolls_back_is_never_queued(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        publish.after_commit(db.session, ids["author"], ids["draft"])
        savepoint = db.session.begin_nested()
        publish.after_commit(db.session, ids["admin"], ids["draft"])
        inner = db.session.begin_nested()
        publish.after_commit(db.session, ids["admin"], ids["locked"])
        inner.commit()
        savepoint.rollback()
        db.session.commit()

    assert [task.args for task in huey.pending()] == [(ids["author"], ids["draft"])]


def test_task_added_in_a_released_savepoint_waits_for_the_outer_commit(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        with db.session.begin_nested():
            publish.after_commit(db.session, ids["author"], ids["draft"])
        assert huey.pending_count() == 0
        db.session.commit()

    assert huey.pending_count() == 1


def test_task_added_in_a_released_savepoint_is_dropped_when_the_outer_transaction_rolls_back(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        with db.session.begin_nested():
            publish.after_commit(db.session, ids["author"], ids["draft"])
        db.session.rollback()
        db.session.commit()

    assert huey.pending_count() == 0


def test_savepoint_rolled_back_after_a_released_inner_one_drops_both_tasks(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any
):
    with app.app_context():
        with db.session.begin_nested() as outer:
            with db.session.begin_nested():
                publish.after_commit(db.session, ids["author"], ids["draft"])
            publish.after_commit(db.session, ids["admin"], ids["draft"])
            outer.rollback()
        publish.after_commit(db.session, ids["admin"], ids["locked"])
        db.session.commit()

    assert [task.args for task in huey.pending()] == [(ids["admin"], ids["locked"])]


def test_a_message_the_queue_refuses_after_commit_does_not_drop_the_others(
    huey: t.Any, app: Flask, ids: dict[str, int], publish: t.Any, monkeypatch: t.Any
):
    queue = huey.enqueue
    attempts: list[t.Any] = []

    def enqueue(message: t.Any) -> t.Any:
        attempts.append(message)
        if len(attempts) == 1:
            raise ConnectionError("broker down")
        return queue(message)

    monkeypatch.setattr(huey, "enqueue", enqueue)
    with app.app_context():
        publish.after_commit(db.session, ids["author"], ids["draft"])
        publish.after_commit(db.session, ids["admin"], ids["locked"])
        db.session.get(Post, ids["draft"]).title = "committed"
        with pytest.raises(ConnectionError, match="broker down"):
            db.session.commit()

    assert len(attempts) == 2
    assert huey.pending_count() == 1
    with app.app_context():
        assert db.session.get(Post, ids["draft"]).title == "committed"
