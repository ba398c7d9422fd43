"""Run huey tasks eagerly in tests, without importing huey until asked."""

from __future__ import annotations

import contextlib
import typing as t
from collections.abc import Iterator

from flask import Flask

from ..errors import ConfigurationError
from ..state import get_state


@contextlib.contextmanager
def run_tasks_eagerly(huey: t.Any = None, *, app: Flask | None = None) -> Iterator[t.Any]:
    """Run the tasks enqueued inside the block at once, in the caller.

    Sets ``huey.immediate = True`` (huey swaps in an in-memory storage) and
    restores the previous mode and the very same storage afterwards.

    :param huey: The huey instance; default: the one bound to ``app`` (or the
        current app) with ``SimpleAuthorize(app, huey=huey)``.
    :param app: The app whose bound huey instance to use.
    :returns: The huey instance.

    As in huey's immediate mode, a task's exception is stored on its result,
    not raised: call ``result()`` on the value the task call returned (or
    ``result.get()``) to see it.
    """
    if huey is None:
        huey = get_state(app).huey
        if huey is None:
            raise ConfigurationError(
                "no huey instance is bound to the app: pass it, as in run_tasks_eagerly(huey)"
            )
    previous_mode, previous_storage = huey.immediate, huey.storage
    huey.immediate = True
    try:
        yield huey
    finally:
        huey.immediate = previous_mode
        huey.storage = previous_storage
