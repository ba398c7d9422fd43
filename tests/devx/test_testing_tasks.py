"""Running huey tasks eagerly in tests."""

from __future__ import annotations

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize.state import get_state
from flask_simple_authorize.testing import record_decisions
from flask_simple_authorize.testing import run_tasks_eagerly

from .blog import Article
from .blog import Member
from .blog import create_app
from .blog import db


def test_tasks_run_at_once_inside_the_block_and_queue_after() -> None:
    huey = MemoryHuey("devx-eager")
    ran: list[int] = []

    @huey.task()
    def record(value: int) -> int:
        ran.append(value)
        return value * 2

    storage = huey.storage
    with run_tasks_eagerly(huey) as eager:
        assert eager is huey
        assert record(1)() == 2
    assert ran == [1]
    assert huey.immediate is False
    assert huey.storage is storage
    record(2)
    assert ran == [1]
    assert huey.pending_count() == 1


def test_the_apps_bound_huey_is_used_by_default(app: Flask) -> None:
    huey = MemoryHuey("devx-bound")
    get_state(app).huey = huey
    with run_tasks_eagerly() as eager:
        assert eager is huey
        assert huey.immediate is True
    assert huey.immediate is False


def test_no_bound_huey_is_a_clear_error(app: Flask) -> None:
    with pytest.raises(ConfigurationError, match="no huey instance is bound"), run_tasks_eagerly():
        pass


def test_authorized_tasks_run_eagerly_and_their_decisions_are_recorded() -> None:
    from flask_simple_authorize.huey import huey_authorized_task

    huey = MemoryHuey("devx-authorized", immediate=False)
    app = create_app(huey=huey)
    ran: list[int] = []

    @huey_authorized_task(huey, Article, "publish", name="devx_publish")
    def publish(user: Member, article: Article) -> None:
        ran.append(article.id)

    with app.app_context():
        admin = db.session.execute(db.select(Member).filter_by(name="admin")).scalar_one()
        viewer = db.session.execute(db.select(Member).filter_by(name="viewer")).scalar_one()
        draft = db.session.execute(db.select(Article).filter_by(title="Draft")).scalar_one()
        with run_tasks_eagerly(app=app), record_decisions(app) as recorder:
            publish(admin.id, draft.id)
            publish(viewer.id, draft.id)
    assert ran == [draft.id]
    allowed = recorder.assert_checked("publish", draft, allowed=True, user=admin)
    assert allowed.job is not None
    denied = recorder.assert_checked("publish", draft, allowed=False, user=viewer)
    assert denied.reason == "admins_only"
    assert huey.immediate is False
