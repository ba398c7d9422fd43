"""Fixtures for the huey integration: an app with a blog, a huey queue, eager or driven."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import signals
from flask_simple_authorize.testing import use_policies

from .blog import ExportPolicy
from .blog import MaintenancePolicy
from .blog import PostPolicy
from .blog import create_app
from .blog import db
from .blog import seed


@pytest.fixture(autouse=True)
def _blog_policies() -> Iterator[None]:
    """Make the blog's policies the registered ones (other packages define a PostPolicy too)."""
    with use_policies(PostPolicy, ExportPolicy, MaintenancePolicy):
        yield


@pytest.fixture
def huey() -> MemoryHuey:
    """An immediate (eager) huey: tasks run in the caller, as in unit tests."""
    return MemoryHuey("jobs-test", immediate=True)


@pytest.fixture
def app(huey: MemoryHuey, tmp_path: t.Any) -> Iterator[Flask]:
    app = create_app(f"sqlite:///{tmp_path / 'blog.db'}", huey)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ids(app: Flask) -> dict[str, t.Any]:
    """Ids of the seeded users and posts."""
    return seed(app)


class Drain:
    """Runs a non-immediate MemoryHuey's queue and schedule by hand, like a consumer would."""

    def __init__(self, huey: t.Any) -> None:
        self.huey = huey

    def __call__(self, limit: int = 100) -> int:
        import datetime

        ran = 0
        far = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        far += datetime.timedelta(days=3650)
        while ran < limit:
            task = self.huey.dequeue()
            if task is None:
                due = self.huey.read_schedule(far)
                if not due:
                    return ran
                for item in due:
                    self.huey.enqueue(item)
                continue
            self.huey.execute(task)
            ran += 1
        return ran


@pytest.fixture
def drain(huey: MemoryHuey) -> Drain:
    """Runs the queue by hand; test modules make ``huey`` non-immediate to use it."""
    return Drain(huey)


class Recorder:
    """Collects the job signals an app sends, as ``(signal name, payload)``."""

    NAMES = (
        "job_started",
        "job_succeeded",
        "job_failed",
        "job_skipped",
        "job_authorization_denied",
        "authorization_denied",
    )

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, t.Any]]] = []
        self._receivers: list[t.Any] = []

    def connect(self, app: Flask) -> None:
        for name in self.NAMES:
            receiver = self._receiver(name)
            self._receivers.append(receiver)
            getattr(signals, name).connect(receiver, sender=app)

    def _receiver(self, name: str) -> t.Callable[..., None]:
        def receive(sender: t.Any, **payload: t.Any) -> None:
            self.events.append((name, payload))

        return receive

    def disconnect(self) -> None:
        for name, receiver in zip(self.NAMES, self._receivers, strict=True):
            getattr(signals, name).disconnect(receiver)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def payload(self, name: str) -> dict[str, t.Any]:
        found = [payload for event, payload in self.events if event == name]
        assert len(found) == 1, f"expected one {name}, got {self.names()}"
        return found[0]


@pytest.fixture
def recorder(app: Flask) -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.connect(app)
    yield recorder
    recorder.disconnect()


# -- real consumers in subprocesses -------------------------------------------------

REPO_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: t.Any) -> Iterator[str]:
    """A real redis-server on a free loopback port, for the whole session."""
    import shutil
    import subprocess
    import time

    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (scripts/test installs it)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


class Consumer:
    """A ``huey_consumer`` subprocess running ``tests.jobs.worker_app.huey``."""

    def __init__(self, queue_url: str, database_uri: str, log: t.Any) -> None:
        self.queue_url = queue_url
        self.database_uri = database_uri
        self.log = log
        self.process: t.Any = None

    def start(self, workers: int = 4, kind: str = "thread") -> None:
        import os
        import subprocess
        import sys

        env = dict(os.environ)
        env.update(
            JOBS_QUEUE_URL=self.queue_url,
            JOBS_DATABASE_URI=self.database_uri,
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        )
        command = [sys.executable, "-m", "huey.bin.huey_consumer", "tests.jobs.worker_app.huey"]
        command += ["-w", str(workers), "-k", kind, "-d", "0.01", "-m", "0.1", "-b", "1.1", "-C"]
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        import signal

        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except Exception:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def consumer_factory(tmp_path: t.Any) -> Iterator[t.Callable[[str, str], Consumer]]:
    consumers: list[Consumer] = []

    def make(queue_url: str, database_uri: str) -> Consumer:
        log = open(tmp_path / f"consumer-{len(consumers)}.log", "wb")  # noqa: SIM115
        consumer = Consumer(queue_url, database_uri, log)
        consumers.append(consumer)
        return consumer

    yield make
    for consumer in consumers:
        consumer.stop()
        consumer.log.close()
