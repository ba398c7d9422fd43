"""A throwaway PostgreSQL cluster for the session, and a fresh database for each test.

The cluster is started from the server binaries (``initdb``, ``pg_ctl``) in a
temporary directory, listens on 127.0.0.1 on a free port, trusts every local
connection and is stopped at the end of the session. When running as root,
the server runs as the ``postgres`` system user (PostgreSQL refuses root).
Tests are skipped only when no server binaries are installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from huey import MemoryHuey

from ..jobs.conftest import free_port
from .workspace import create_app
from .workspace import db
from .workspace import seed

SERVER_USER = "postgres"


def server_binaries() -> Path | None:
    """Return the directory holding ``initdb`` and ``pg_ctl``, newest version first."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    candidates.sort(key=lambda path: version_of(Path(path).parent.parent.name), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def version_of(name: str) -> tuple[int, ...]:
    """``"15"`` -> ``(15,)``, ``"9.6"`` -> ``(9, 6)``; other names sort first."""
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return ()


class Cluster:
    """A PostgreSQL cluster in ``directory``, run as ``owner`` (``None``: the current user)."""

    def __init__(self, binaries: Path, directory: Path, owner: str | None) -> None:
        self.binaries = binaries
        self.directory = directory
        self.data = directory / "data"
        self.owner = owner
        self.port = 0
        self._names = itertools.count(1)

    def run(self, *command: str) -> None:
        args = [str(self.binaries / command[0]), *command[1:]]
        if self.owner is not None:
            args = ["runuser", "-u", self.owner, "--", *args]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust",
                 "--encoding=UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = " ".join([
            "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.directory}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
        ])  # fmt: skip
        for attempt in range(3):  # a free port can be taken before the server binds it
            self.port = free_port()
            try:
                self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"),
                         "-w", "-t", "60", "-o", f"{options} -p {self.port}", "start")  # fmt: skip
                return
            except RuntimeError:
                if attempt == 2:
                    raise RuntimeError(self.log()) from None

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text() if path.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self) -> str:
        name = f"test_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A running PostgreSQL cluster for the whole session."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl); scripts/test installs them")
    owner = SERVER_USER if os.geteuid() == 0 else None
    if owner is not None:
        try:
            pwd.getpwnam(owner)
        except KeyError:
            pytest.fail(f"PostgreSQL refuses to run as root: create a {owner!r} system user")
    directory = Path(tempfile.mkdtemp(prefix="fsa-postgres-"))
    if owner is not None:
        shutil.chown(directory, owner, owner)
    cluster = Cluster(binaries, directory, owner)
    try:
        cluster.start()
        yield cluster
    finally:
        if cluster.port and (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres: Cluster) -> Iterator[str]:
    """A SQLAlchemy URL of a new, empty database, dropped after the test."""
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty SQLite database file, then of a PostgreSQL database."""
    if request.param == "postgresql":
        return t.cast(str, request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'data.db'}"


@pytest.fixture
def huey() -> MemoryHuey:
    """An immediate (eager) huey: tasks run in the caller; job tests override it."""
    return MemoryHuey("postgres-tests", immediate=True)


@pytest.fixture
def app(database_url: str, huey: MemoryHuey) -> Iterator[Flask]:
    """A workspace app on the database under test, bound to ``huey``."""
    app = create_app(database_url, huey)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    """Ids of the seeded members, teams (``team:red``) and documents (by title)."""
    return seed(app)
