"""Putting authorized tasks that a consumer shutdown interrupted back on the queue.

huey removes a message before it runs the task. When the consumer stops with
SIGTERM (or a graceful stop runs out of ``--shutdown-timeout``, or gets a
second SIGINT), the tasks still running are cut short and huey sends its
``interrupted`` signal for each: nothing re-queues them, so
they are lost. :func:`.bind_app` connects :func:`requeue_interrupted` to that
signal once per huey instance; it puts an authorized task back on the queue,
at most ``requeue_limit`` times per message (the limit and the count travel
with the message, in the extension's meta data). The new run goes through
the worker path again: user and record reloaded, the rule re-checked.

SIGKILL, a crash or a power cut sends no signal: those tasks are lost.
"""

from __future__ import annotations

import logging
import typing as t
import weakref

from huey.signals import SIGNAL_INTERRUPTED

from .spec import MAX_REQUEUES
from .spec import META_KEY

logger = logging.getLogger("flask_simple_authorize.huey")

_connected: weakref.WeakSet[t.Any] = weakref.WeakSet()


def connect_requeue(huey: t.Any) -> None:
    """Connect the re-queue handler to ``huey``'s ``interrupted`` signal, once.

    :param huey: The huey instance.
    """
    if huey in _connected:
        return
    _connected.add(huey)

    def requeue_interrupted_task(signal: str, task: t.Any, *args: t.Any) -> None:
        requeue_interrupted(huey, task)

    huey.signal(SIGNAL_INTERRUPTED)(requeue_interrupted_task)


def requeue_interrupted(huey: t.Any, task: t.Any) -> bool:
    """Put an interrupted authorized task back on ``huey``'s queue, if its limit allows.

    Tasks that are not authorized tasks (no meta data in their keyword
    arguments) are left alone, as are tasks of an immediate huey (they run in
    the caller: re-queueing would run them again at once) and tasks whose
    body already returned (the shutdown caught them in a signal subscriber).
    Past the limit the task is dropped and an error is logged.

    :param huey: The huey instance the task ran on.
    :param task: huey's task instance, as the ``interrupted`` signal passes it.
    :return: Whether the task was re-queued.
    """
    kwargs = getattr(task, "kwargs", None)
    if not isinstance(kwargs, dict):
        return False
    meta = kwargs.get(META_KEY)
    if not isinstance(meta, dict):
        return False
    name = getattr(task, "name", type(task).__name__)
    task_id = getattr(task, "id", None)
    if huey.immediate:
        logger.warning("task %s (%s) was interrupted in an immediate queue", name, task_id)
        return False
    if meta.get("finished") is True:
        # The body already returned: running it again would do its work twice.
        logger.info("task %s (%s) was interrupted after its body returned", name, task_id)
        return False
    limit = _whole(meta.get("requeue_limit"))
    count = _whole(meta.get("interrupted"))
    if limit <= 0:
        logger.warning(
            "task %s (%s) was interrupted and is lost: re-queueing is off for it", name, task_id
        )
        return False
    if count >= min(limit, MAX_REQUEUES):
        logger.error(
            "task %s (%s) was interrupted again after %d re-queues and is dropped",
            name,
            task_id,
            count,
        )
        return False
    kwargs[META_KEY] = {**meta, "interrupted": count + 1}
    huey.enqueue(task)
    logger.warning(
        "task %s (%s) was interrupted by a shutdown and is re-queued (%d of %d)",
        name,
        task_id,
        count + 1,
        limit,
    )
    return True


def _whole(value: t.Any) -> int:
    """Return ``value`` if it is a non-negative int, else 0 (never re-queue on bad data)."""
    return value if type(value) is int and value >= 0 else 0
