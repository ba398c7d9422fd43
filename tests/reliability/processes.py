"""Real processes for the fault tests: huey consumers and a redis-server on loopback.

Every wait is bounded: a helper that runs out of time fails the test with
what it was waiting for and the tail of the process's log, instead of hanging.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSUMER_TARGET = "tests.reliability.faultapp.huey"


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: t.Callable[[], bool], what: str, *, timeout: float = 30, log: Path | None = None
) -> None:
    """Poll ``condition`` until it holds; after ``timeout``, fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    raise AssertionError(f"gave up waiting for {what} after {timeout}s\n{tail}")


class Consumer:
    """A ``huey_consumer`` subprocess running the fault app's queue."""

    def __init__(
        self,
        folder: Path,
        *,
        workers: int = 2,
        redis_port: int | None = None,
        requeue_interrupted: int | None = None,
        name: str = "c",
    ) -> None:
        self.log = folder / f"consumer-{name}.log"
        env = dict(os.environ, FAULT_DIR=str(folder), PYTHONPATH=str(ROOT))
        if redis_port is not None:
            env["FAULT_REDIS_PORT"] = str(redis_port)
        if requeue_interrupted is not None:
            env["FAULT_REQUEUE_INTERRUPTED"] = str(requeue_interrupted)
        program = shutil.which("huey_consumer")
        command = [program] if program else [sys.executable, "-m", "huey.bin.huey_consumer"]
        command += [
            CONSUMER_TARGET, "-w", str(workers), "-k", "thread", "-d", "0.05", "-m", "0.2",
            "-b", "1.1", "-n", "-C",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_started(self) -> None:
        """Wait until the consumer logs that its workers run."""
        wait_until(
            lambda: (
                "Huey consumer started" in self.log.read_text(errors="replace") or not self.alive
            ),
            "the consumer to start",
            log=self.log,
        )
        assert self.alive, self.log.read_text(errors="replace")[-3000:]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, signum: int) -> None:
        """Send ``signum`` to the consumer."""
        self.process.send_signal(signum)

    def wait_exit(self, timeout: float = 30) -> int:
        """Wait for the consumer to exit; return its exit status."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"consumer did not exit within {timeout}s\n"
                + self.log.read_text(errors="replace")[-3000:]
            ) from None

    def stop(self) -> None:
        """Stop gracefully (SIGINT), killing it if it does not exit in time."""
        if self.alive:
            self.send(signal.SIGINT)
            self.wait_exit()


class RedisServer:
    """A redis-server on a free loopback port, with an fsync-always append-only file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.log = folder / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (or restart) the server on the same port and data folder."""
        program = shutil.which("redis-server")
        assert program, "redis-server is not installed (scripts/test installs it)"
        command = [
            program, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            "--protected-mode", "no",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        wait_until(self.answers, "redis-server to answer PING", log=self.log)

    def answers(self) -> bool:
        """Whether the server answers PING."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Stop the server with ``signum`` and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
