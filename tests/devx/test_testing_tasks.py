"""Running huey tasks eagerly in tests."""

from __future__ import annotations

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize.state import get_state
from flask_simple_authorize.testing import run_tasks_eagerly


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
