"""Consumers stopped mid-batch, then restarted; Redis restarted under a consumer.

Real ``huey_consumer`` subprocesses run a mixed batch (allowed fast tasks,
denied tasks, allowed slow tasks) of the fault app. What each stop does to
the tasks it catches, as huey 3.5 and this integration behave today:

- SIGINT (graceful): the running tasks finish, the queued ones wait for the
  next consumer. Nothing is lost.
- SIGTERM (interrupt): the running tasks are cut short and huey sends its
  ``interrupted`` signal for each; the integration does not re-queue them
  (a known gap, marked xfail below), so they are lost unless the app
  re-queues them from that signal, as the mitigation test shows.
- SIGKILL: the running tasks are cut short with no signal at all: huey
  removes a message before running it (at-most-once delivery), so they are
  lost. Make tasks idempotent and sweep for work left undone.

In every case: nothing completes twice, no denied task ever runs, every
queued task runs exactly once after the restart, and the queue ends empty.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from .faultapp import Fault
from .faultapp import create
from .processes import Consumer
from .processes import RedisServer
from .processes import wait_until

ALLOWED, DENIED, RECORD = 1, 2, 10
SLOW_SECONDS = 5.0

pytestmark = pytest.mark.timeout(180)


def _batch() -> list[tuple[str, int, float]]:
    """``(label, user, seconds)``: a few quick tasks, two slow ones, then many more."""
    head = [("fast-0", ALLOWED, 0.05), ("denied-0", DENIED, 0.05), ("fast-1", ALLOWED, 0.05)]
    slow = [("slow-0", ALLOWED, SLOW_SECONDS), ("slow-1", ALLOWED, SLOW_SECONDS)]
    tail: list[tuple[str, int, float]] = []
    for number in range(2, 22):
        tail.append((f"fast-{number}", ALLOWED, 0.05))
        if number % 2:
            tail.append((f"denied-{number}", DENIED, 0.05))
    return head + slow + tail


def _enqueue(fault: Fault, batch: list[tuple[str, int, float]]) -> None:
    with fault.app.app_context():
        for label, user, seconds in batch:
            fault.run_job(user, RECORD, label, seconds)


def _counts(fault: Fault) -> Counter[tuple[str, str]]:
    return Counter(fault.events())


def _labels(batch: list[tuple[str, int, float]], prefix: str) -> set[str]:
    return {label for label, _, _ in batch if label.startswith(prefix)}


@pytest.fixture
def fault(tmp_path: Path) -> Fault:
    fault = create(tmp_path)
    fault.seed({ALLOWED: True, DENIED: False}, [RECORD])
    return fault


def _stop_mid_batch_and_restart(
    fault: Fault, folder: Path, signum: int, *, requeue: bool = False
) -> tuple[list[tuple[str, int, float]], Counter[tuple[str, str]]]:
    """Run the batch, stop the consumer with ``signum`` while the slow tasks run, restart.

    :return: The batch and the count of each ``(label, event)`` once the queue is empty.
    """
    batch = _batch()
    _enqueue(fault, batch)
    first = Consumer(folder, workers=2, requeue=requeue, name="first")
    first.wait_started()
    wait_until(
        lambda: {("slow-0", "start"), ("slow-1", "start")} <= set(fault.events()),
        "both slow tasks to start",
        log=first.log,
    )
    first.send(signum)
    first.wait_exit()
    assert fault.huey.pending_count() > 0, "the stop should catch queued tasks"

    second = Consumer(folder, workers=2, requeue=requeue, name="second")
    try:
        second.wait_started()
        wait_until(
            lambda: (
                fault.huey.pending_count() == 0
                and all(_counts(fault)[(label, "finish")] for label in _labels(batch, "fast"))
            ),
            "the second consumer to drain the queue",
            log=second.log,
        )
    finally:
        second.stop()
    counts = _counts(fault)
    assert not [label for label, _ in counts if label.startswith("denied")], "a denied task ran"
    assert max(n for (_, event), n in counts.items() if event == "finish") == 1, counts
    for label in _labels(batch, "fast"):
        assert counts[(label, "start")] == counts[(label, "finish")] == 1, label
    assert fault.huey.pending_count() == 0
    return batch, counts


def _slow_outcome(
    batch: list[tuple[str, int, float]], counts: Counter[tuple[str, str]]
) -> tuple[set[str], set[str], int]:
    """Return the slow tasks that finished, those huey reported interrupted, and most starts."""
    slow = _labels(batch, "slow")
    finished = {label for label in slow if counts[(label, "finish")]}
    interrupted = {label for label in slow if counts[(label, "interrupted")]}
    return finished, interrupted, max(counts[(label, "start")] for label in slow)


@pytest.mark.parametrize(
    ("signum", "outcome"),
    [
        # Graceful: the running tasks finish; nothing is interrupted.
        (signal.SIGINT, "finished"),
        # Interrupted: huey reports each running task; nothing re-queues it (see below).
        (signal.SIGTERM, "interrupted"),
        # At-most-once: the messages were removed before the run; no signal, lost.
        (signal.SIGKILL, "lost"),
    ],
    ids=["SIGINT graceful", "SIGTERM interrupt", "SIGKILL"],
)
def test_a_consumer_stopped_mid_batch_runs_nothing_twice_and_no_denied_task(
    fault: Fault, tmp_path: Path, signum: int, outcome: str
) -> None:
    batch, counts = _stop_mid_batch_and_restart(fault, tmp_path, signum)
    slow = _labels(batch, "slow")
    expected = {
        "finished": (slow, set(), 1),
        "interrupted": (set(), slow, 1),
        "lost": (set(), set(), 1),
    }
    assert _slow_outcome(batch, counts) == expected[outcome]


def test_requeueing_from_the_interrupted_signal_finishes_sigterm_interrupted_tasks(
    fault: Fault, tmp_path: Path
) -> None:
    """The app-level mitigation: ``@huey.signal(SIGNAL_INTERRUPTED)`` puts the task back.

    The interrupted run started but never finished; the re-queued one is
    authorized again and runs to the end: two starts, one finish.
    """
    batch, counts = _stop_mid_batch_and_restart(fault, tmp_path, signal.SIGTERM, requeue=True)
    slow = _labels(batch, "slow")
    assert _slow_outcome(batch, counts) == (slow, slow, 2)


@pytest.mark.xfail(
    strict=True,
    reason="gap: flask_simple_authorize.huey does not re-queue tasks that huey reports as"
    " interrupted on SIGTERM; they are lost unless the app re-queues them itself",
)
def test_the_integration_requeues_tasks_interrupted_by_sigterm(
    fault: Fault, tmp_path: Path
) -> None:
    batch, counts = _stop_mid_batch_and_restart(fault, tmp_path, signal.SIGTERM)
    finished, _, _ = _slow_outcome(batch, counts)
    assert finished == _labels(batch, "slow")


def test_a_consumer_recovers_when_redis_restarts_and_no_queued_task_is_lost(
    tmp_path: Path,
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    consumer: Consumer | None = None
    try:
        fault = create(tmp_path, redis_port=redis.port)
        fault.seed({ALLOWED: True, DENIED: False}, [RECORD])
        batch = [(f"fast-{n}", ALLOWED, 0.15) for n in range(30)]
        batch += [(f"denied-{n}", DENIED, 0.05) for n in range(0, 30, 5)]
        batch.sort(key=lambda item: int(item[0].rsplit("-", 1)[1]))
        _enqueue(fault, batch)
        consumer = Consumer(tmp_path, workers=1, redis_port=redis.port, name="redis")
        consumer.wait_started()
        wait_until(
            lambda: sum(event == "finish" for _, event in fault.events()) >= 3,
            "a few tasks to run",
            log=consumer.log,
        )
        redis.stop(signal.SIGTERM)
        log = consumer.log
        wait_until(
            lambda: "Error reading from queue" in log.read_text(errors="replace"),
            "the consumer to notice that Redis is gone",
            log=consumer.log,
        )
        redis.start()
        assert consumer.alive, "the consumer died while Redis was down"
        late = [(f"late-{n}", ALLOWED, 0.05) for n in range(5)]
        _enqueue(fault, late)
        expected = _labels(batch, "fast") | _labels(late, "late")
        wait_until(
            lambda: {label for label, event in fault.events() if event == "finish"} >= expected,
            "every queued task to run after the restart",
            timeout=60,
            log=consumer.log,
        )
        assert consumer.alive
    finally:
        if consumer is not None:
            consumer.stop()
        redis.stop()
    counts = _counts(fault)
    assert max(counts.values()) == 1, f"something ran twice: {counts}"
    assert not [label for label, event in counts if label.startswith("denied")]
    assert {label for label, event in counts if event == "finish"} == expected
