"""Signed queue messages: a forged or tampered message is refused, never executed."""

from __future__ import annotations

import os
import pickle
import time
import typing as t

import pytest
from huey import MemoryHuey

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize.huey import signed_serializer

from .blog import Execution
from .blog import db
from .blog import seed
from .worker_tasks import make_worker


class Exploit:
    """Unpickling this creates a file: proof that a message was executed."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (os.mkdir, (self.path,))


def test_tampered_and_forged_messages_never_run(tmp_path: t.Any, consumer_factory: t.Any):
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    database_uri = f"sqlite:///{tmp_path / 'blog.db'}"
    worker = make_worker(queue_url, database_uri)
    ids = seed(worker.app)
    huey = worker.huey
    touch = worker.tasks["authorized_touch"]
    marker = tmp_path / "pwned"

    signed = huey.serialize_task(touch.s(ids["viewer"], ids["draft"], "tampered"))
    tampered = signed.replace(b"tampered", b"tampere!")
    huey.storage.enqueue(tampered)
    huey.storage.enqueue(pickle.dumps(Exploit(str(marker))))
    huey.storage.enqueue(pickle.dumps(Exploit(str(marker))) + b":" + b"0" * 40)
    touch(ids["author"], ids["draft"], "genuine")
    consumer = consumer_factory(queue_url, database_uri)
    consumer.start(workers=1)

    deadline = time.monotonic() + 30
    keys: list[str] = []
    while time.monotonic() < deadline and "genuine" not in keys:
        time.sleep(0.1)
        with worker.app.app_context():
            keys = list(db.session.scalars(db.select(Execution.key)))

    assert keys == ["genuine"]
    assert not marker.exists()
    assert huey.pending_count() == 0


def test_signed_serializer_round_trips_and_rejects_other_keys():
    ours = MemoryHuey("a", serializer=signed_serializer("k1"))
    theirs = MemoryHuey("b", serializer=signed_serializer("k2"))
    data = ours.serializer.serialize({"x": 1})

    assert ours.serializer.deserialize(data) == {"x": 1}
    with pytest.raises(ValueError, match="mismatch"):
        theirs.serializer.deserialize(data)


def test_signed_serializer_needs_a_secret():
    with pytest.raises(ConfigurationError, match="secret"):
        signed_serializer("")
