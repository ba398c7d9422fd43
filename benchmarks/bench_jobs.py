"""Benchmark: an authorized huey task versus the same work written by hand.

Both tasks load the user with the app's user loader and the post by primary
key, check ``PostPolicy.show`` and insert one row. The hand-written one pushes
the app context and checks the policy itself; the authorized one does it
through ``huey_authorized_task`` (fresh context, actor binding, argument
checks, signals). Same SQLite storage, same workers, interleaved rounds.

Two figures:

1. in-process: tasks dequeued and executed one by one in this process (the
   per-task CPU cost, without the consumer's polling);
2. consumer: a real ``huey_consumer`` with 4 thread workers draining N tasks
   (throughput as a user sees it).

Run: ``python benchmarks/bench_jobs.py [--tasks N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.jobs.blog import Execution  # noqa: E402
from tests.jobs.blog import db  # noqa: E402
from tests.jobs.blog import seed  # noqa: E402
from tests.jobs.worker_tasks import make_worker  # noqa: E402

KINDS = ("plain_touch", "authorized_touch")


def executions(worker: object, prefix: str) -> int:
    with worker.app.app_context():  # type: ignore[attr-defined]
        count = db.session.scalar(
            db.select(db.func.count())
            .select_from(Execution)
            .where(Execution.key.like(prefix + "%"))
        )
        db.session.rollback()
        return int(count or 0)


Timings = dict[str, dict[str, list[float]]]  # kind -> {"wall": [...], "cpu": [...]} per task


def new_timings() -> Timings:
    return {kind: {"wall": [], "cpu": []} for kind in KINDS}


def consumer_cpu(pid: int) -> float:
    """CPU seconds (user + system) the consumer process has used, all threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(worker: object, ids: dict[str, int], tasks: int, rounds: int) -> Timings:
    huey = worker.huey  # type: ignore[attr-defined]
    timings = new_timings()
    for round_no in range(-1, rounds):  # round -1 warms up and is not counted
        order = KINDS if round_no % 2 == 0 else KINDS[::-1]
        for kind in order:
            task = worker.tasks[kind]  # type: ignore[attr-defined]
            for index in range(tasks):
                task(ids["author"], ids["draft"], f"ip-{kind}-{round_no}-{index}")
            wall, cpu = time.perf_counter(), time.process_time()
            while (message := huey.dequeue()) is not None:
                huey.execute(message)
            if round_no >= 0:
                timings[kind]["wall"].append((time.perf_counter() - wall) / tasks)
                timings[kind]["cpu"].append((time.process_time() - cpu) / tasks)
    return timings


def with_consumer(
    worker: object, ids: dict[str, int], queue_url: str, database_uri: str, tasks: int, rounds: int
) -> Timings:
    env = dict(os.environ, JOBS_QUEUE_URL=queue_url, JOBS_DATABASE_URI=database_uri,
               JOBS_AUDIT="0", PYTHONPATH=str(ROOT))  # fmt: skip
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "tests.jobs.worker_app.huey",
         "-w", "4", "-k", "thread", "-d", "0.01", "-m", "0.05", "-b", "1.1", "-q", "-C"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    timings = new_timings()
    try:
        time.sleep(1.0)
        for round_no in range(-1, rounds):  # round -1 warms up and is not counted
            order = KINDS if round_no % 2 == 0 else KINDS[::-1]
            for kind in order:
                task = worker.tasks[kind]  # type: ignore[attr-defined]
                prefix = f"c-{kind}-{round_no}-"
                wall, cpu = time.perf_counter(), consumer_cpu(consumer.pid)
                for index in range(tasks):
                    task(ids["author"], ids["draft"], f"{prefix}{index}")
                while executions(worker, prefix) < tasks:
                    time.sleep(0.005)
                if round_no >= 0:
                    timings[kind]["wall"].append((time.perf_counter() - wall) / tasks)
                    timings[kind]["cpu"].append((consumer_cpu(consumer.pid) - cpu) / tasks)
    finally:
        consumer.send_signal(signal.SIGINT)
        consumer.wait(timeout=30)
    return timings


def per_task(seconds: float) -> str:
    """Format a per-task time and rate; CPU below the clock's resolution reads as 0."""
    rate = f"{1 / seconds:6.0f} tasks/s" if seconds > 0 else "  (below the clock's resolution)"
    return f"{seconds * 1e6:7.0f} us/task  {rate}"


def report(title: str, timings: Timings) -> None:
    print(f"\n{title}")
    for measure, label in (("wall", "wall time"), ("cpu", "worker CPU")):
        plain_runs = timings["plain_touch"][measure]
        authorized_runs = timings["authorized_touch"][measure]
        plain, authorized = statistics.median(plain_runs), statistics.median(authorized_runs)
        ratios = [a / p for a, p in zip(authorized_runs, plain_runs, strict=True) if p > 0]
        print(f"  {label}:")
        print(f"    hand-written : {per_task(plain)}")
        print(f"    authorized   : {per_task(authorized)}")
        overhead = f"    overhead     : {(authorized - plain) * 1e6:7.0f} us/task"
        if not ratios:
            print(f"{overhead}  (too few tasks to compare: raise --tasks)")
            continue
        median, low, high = (
            (value - 1) * 100 for value in (statistics.median(ratios), min(ratios), max(ratios))
        )
        print(f"{overhead}  ({median:+.1f}% median of paired")
        print(f"                   rounds, spread {low:+.0f}% .. {high:+.0f}%)")


def main(argv: list[str] | None = None) -> None:
    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=8)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        database_uri = f"sqlite:///{tmp}/blog.db"
        local = make_worker(f"sqlite:///{tmp}/local-queue.db", database_uri, audit=False)
        ids = seed(local.app)
        report("in-process (dequeue + execute, 1 thread)",
               in_process(local, ids, options.tasks, options.rounds))  # fmt: skip
        queue_url = f"sqlite:///{tmp}/queue.db"
        remote = make_worker(queue_url, database_uri, audit=False)
        timings = with_consumer(remote, ids, queue_url, database_uri, options.tasks, options.rounds)
        report("consumer (SQLite storage, 4 thread workers)", timings)


if __name__ == "__main__":
    main()
