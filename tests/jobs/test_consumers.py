"""Real ``huey_consumer`` subprocesses (SQLite and Redis storage, threads and processes).

A mixed batch of a few hundred tasks must end exactly as an oracle predicts:
denied bodies never run, transient failures run exactly until they succeed
(or their retries run out), deleted users and records are skipped, and
nothing runs twice.
"""

from __future__ import annotations

import collections
import random
import time
import typing as t

import pytest

from .blog import Execution
from .blog import db
from .blog import seed
from .worker_tasks import Worker
from .worker_tasks import make_worker

MISSING_USER = 9999
MISSING_POST = 99999


def storage_url(kind: str, tmp_path: t.Any, request: t.Any) -> str:
    if kind == "redis":
        url: str = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(url).flushdb()
        return url
    return f"sqlite:///{tmp_path / 'queue.db'}"


def build_batch(ids: dict[str, int], size: int) -> list[tuple[tuple[t.Any, ...], str, int]]:
    """``(arguments, expected outcome, expected runs)`` for a shuffled mixed batch."""
    rng = random.Random(1234)
    batch = []
    for index in range(size):
        key = f"task-{index}"
        kind = index % 10
        if kind < 4:
            batch.append(((ids["author"], ids["draft"], key, 0), "succeeded", 1))
        elif kind == 4:
            batch.append(((ids["admin"], ids["locked"], key, 0), "succeeded", 1))
        elif kind == 5:
            failures = 1 + index % 3
            batch.append(((ids["author"], ids["draft"], key, failures), "succeeded", failures + 1))
        elif kind == 6:
            batch.append(((ids["viewer"], ids["draft"], key, 0), "job_denied", 0))
        elif kind == 7:
            batch.append(((MISSING_USER, ids["draft"], key, 0), "skipped", 0))
        elif kind == 8:
            batch.append(((ids["admin"], MISSING_POST, key, 0), "skipped", 0))
        else:
            batch.append(((ids["author"], ids["draft"], key, 9), "failed", 4))
    rng.shuffle(batch)
    return batch


def wait_for_outcomes(worker: Worker, expected: int, timeout: float = 90) -> None:
    assert worker.audit is not None
    model = worker.audit.model
    deadline = time.monotonic() + timeout
    with worker.app.app_context():
        while time.monotonic() < deadline:
            done = db.session.scalar(
                db.select(db.func.count()).select_from(model).where(model.kind == "job")
            )
            if done >= expected:
                time.sleep(0.3)  # let a wrongly repeated task show itself
                return
            db.session.rollback()
            time.sleep(0.1)
    raise AssertionError(f"only {done} of {expected} outcomes after {timeout}s")


@pytest.mark.parametrize(
    ("storage", "kind"),
    [
        pytest.param("sqlite", "thread", id="sqlite-threads"),
        pytest.param("sqlite", "process", id="sqlite-processes"),
        pytest.param("redis", "thread", id="redis-threads"),
        pytest.param("redis", "process", id="redis-processes"),
    ],
)
def test_mixed_batch_on_four_workers_matches_the_oracle(
    storage: str, kind: str, tmp_path: t.Any, request: t.Any, consumer_factory: t.Any
):
    database_uri = f"sqlite:///{tmp_path / 'blog.db'}"
    queue_url = storage_url(storage, tmp_path, request)
    worker = make_worker(queue_url, database_uri)
    ids = seed(worker.app)
    batch = build_batch(ids, 300)
    consumer = consumer_factory(queue_url, database_uri)
    task_ids = {}
    for arguments, outcome, runs in batch:
        result = worker.tasks["mixed_publish"](*arguments)
        task_ids[result.id] = (arguments[2], outcome, runs)
    consumer.start(workers=4, kind=kind)

    wait_for_outcomes(worker, len(batch))

    assert worker.audit is not None
    model = worker.audit.model
    with worker.app.app_context():
        rows = db.session.scalars(db.select(model).where(model.kind == "job")).all()
        runs = collections.Counter(db.session.scalars(db.select(Execution.key)))
    outcomes: dict[str, list[str]] = collections.defaultdict(list)
    for row in rows:
        outcomes[row.task_id].append(row.outcome)
    mismatches = [
        (key, expected, outcomes.get(task_id), expected_runs, runs.get(key, 0))
        for task_id, (key, expected, expected_runs) in task_ids.items()
        if outcomes.get(task_id) != [expected] or runs.get(key, 0) != expected_runs
    ]
    assert mismatches == []
    assert set(outcomes) == set(task_ids)
