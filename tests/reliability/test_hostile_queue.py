"""Forged, tampered and replayed queue messages; arguments that may not cross the queue.

With a signed queue, a message the worker cannot verify is dropped before it
is unpickled: it never runs, and the consumer goes on with the next one. A
replayed genuine message is authorized again, so it runs only while its user
still may. At enqueue, secret-looking and non-JSON arguments raise
:class:`.JobArgumentError` and nothing is queued.
"""

from __future__ import annotations

import math
import os
import pickle
import random
import typing as t
from pathlib import Path

import pytest
from huey.serializer import SignedSerializer
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize import JobArgumentError

from .conftest import bounded
from .faultapp import Fault
from .faultapp import create
from .processes import Consumer
from .processes import wait_until

ALLOWED, REVOKED, RECORD = 1, 2, 10

pytestmark = pytest.mark.timeout(120)


class Touch:
    """An attacker's pickle: unpickling it creates a file (a harmless stand-in for code)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (Path.touch, (self.path,))


def _message(fault: Fault, label: str, user: int = ALLOWED) -> bytes:
    with fault.app.app_context():
        task = fault.run_job.s(user, RECORD, label, 0)
    return t.cast(bytes, fault.huey.serialize_task(task))


def _forgeries(fault: Fault, pwned: Path) -> dict[str, bytes]:
    genuine = _message(fault, "forged")
    body, _, signature = genuine.rpartition(b":")
    rng = random.Random(6)
    forged: dict[str, bytes] = {}
    for number in range(40):
        position = rng.randrange(len(genuine))
        flipped = bytearray(genuine)
        flipped[position] ^= 1 << rng.randrange(8)
        forged[f"bit flip {number} at {position}"] = bytes(flipped)
    for cut in (1, len(genuine) // 2, len(genuine) - 1, len(genuine) - 41):
        forged[f"truncated to {cut}"] = genuine[:cut]
    other = SignedSerializer(secret="not-the-secret", salt="flask-simple-authorize.huey")
    forged["signed with another secret"] = other._sign(body)
    forged["another message's signature"] = body + b":" + _message(fault, "x").rpartition(b":")[2]
    forged["signature dropped"] = body
    forged["signature uppercased"] = body + b":" + signature.upper()
    evil = pickle.dumps(Touch(pwned))
    forged["attacker pickle, unsigned"] = evil
    forged["attacker pickle, made-up signature"] = evil + b":" + b"0" * 40
    forged["attacker pickle, genuine signature of another message"] = evil + b":" + signature
    forged["empty"] = b""
    forged["garbage"] = os.urandom(64)
    return forged


@pytest.fixture
def fault(tmp_path: Path) -> Fault:
    fault = create(tmp_path)
    fault.seed({ALLOWED: True, REVOKED: True}, [RECORD])
    return fault


def test_forged_and_tampered_messages_never_run_and_the_consumer_goes_on(
    fault: Fault, tmp_path: Path
) -> None:
    pwned = tmp_path / "pwned"
    forgeries = _forgeries(fault, pwned)
    for data in forgeries.values():
        fault.huey.storage.enqueue(data)
    fault.huey.storage.enqueue(_message(fault, "genuine-after"))
    consumer = Consumer(tmp_path, workers=2, name="tamper")
    try:
        consumer.wait_started()
        wait_until(
            lambda: ("genuine-after", "finish") in fault.events(),
            "the genuine message after the forgeries to run",
            log=consumer.log,
        )
        assert consumer.alive, "a forged message crashed the consumer"
    finally:
        consumer.stop()
    assert fault.events() == [("genuine-after", "start"), ("genuine-after", "finish")]
    assert not pwned.exists(), "an attacker's pickle was unpickled"
    assert fault.huey.pending_count() == 0
    log = consumer.log.read_text(errors="replace")
    assert log.count("Error reading from queue") == len(forgeries)


def test_a_replayed_message_is_authorized_again_and_refused_once_permission_is_gone(
    fault: Fault, tmp_path: Path
) -> None:
    message = _message(fault, "replayed", user=REVOKED)
    fault.huey.storage.enqueue(message)
    consumer = Consumer(tmp_path, workers=1, name="replay")
    try:
        consumer.wait_started()
        wait_until(lambda: ("replayed", "finish") in fault.events(), "the first run")
        fault.set_may_run(REVOKED, False)
        fault.huey.storage.enqueue(message)  # the very same signed bytes, replayed
        fault.huey.storage.enqueue(_message(fault, "marker"))
        wait_until(lambda: ("marker", "finish") in fault.events(), "the marker task")
    finally:
        consumer.stop()
    assert [event for label, event in fault.events() if label == "replayed"] == [
        "start",
        "finish",
    ]
    assert "denied: user 2 may not run" in consumer.log.read_text(errors="replace")


# -- enqueue side -------------------------------------------------------------------

SECRET_NAMES = [
    "password", "user_password", "passwd", "token", "apiToken", "api_key", "secret",
    "client_secret", "card", "card_number", "cardNumber", "cvv", "ssn", "otp",
    "authorization", "cookie", "private_key", "accessKey",
]  # fmt: skip
SAFE_KEYS = ["title", "count", "tags", "note", "page", "token_id", "card_ids"]

json_safe = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(SAFE_KEYS), children, max_size=3)
    ),
    max_leaves=12,
)


class Opaque:
    """Something with no JSON form."""


not_json = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.binary(min_size=1, max_size=5),
    st.sets(st.integers(), min_size=1, max_size=3),
    st.builds(Opaque),
    st.just(Opaque),
    st.just(print),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.dictionaries(st.integers(), st.integers(), min_size=1, max_size=2),
    st.dictionaries(st.sampled_from(SECRET_NAMES), st.text(max_size=5), min_size=1, max_size=2),
    st.builds(lambda value: [{"deep": value}] * 1, st.builds(Opaque)),
)


def _nested(depth: int) -> t.Any:
    value: t.Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> Fault:
    """A signed, non-immediate queue that no consumer reads."""
    fault = create(tmp_path_factory.mktemp("queue"))
    fault.seed({ALLOWED: True}, [RECORD])
    return fault


def _enqueue(queue: Fault, *args: t.Any, **kwargs: t.Any) -> tuple[str, t.Any]:
    before = queue.huey.pending_count()
    try:
        with queue.app.app_context():
            queue.run_job(*args, **kwargs)
    except JobArgumentError as error:
        assert queue.huey.pending_count() == before, "a refused call queued something"
        return "refused", error
    assert queue.huey.pending_count() == before + 1
    queue.huey.flush()
    return "queued", None


@bounded(150)
@given(label=json_safe, seconds=json_safe)
def test_json_safe_arguments_are_queued(queue: Fault, label: t.Any, seconds: t.Any) -> None:
    assert _enqueue(queue, ALLOWED, RECORD, label, seconds)[0] == "queued"


@bounded(150)
@given(bad=not_json, position=st.sampled_from(["label", "seconds"]))
def test_non_json_arguments_are_refused_and_nothing_is_queued(
    queue: Fault, bad: t.Any, position: str
) -> None:
    arguments = {"label": "ok", "seconds": 0, position: bad}
    kind, error = _enqueue(queue, ALLOWED, RECORD, **arguments)
    assert kind == "refused"
    assert position in str(error)


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_looking_arguments_are_refused_and_nothing_is_queued(
    queue: Fault, name: str
) -> None:
    kind, error = _enqueue(queue, ALLOWED, RECORD, "label", 0, **{name: "hunter2"})
    assert kind == "refused"
    assert name in str(error) and "hunter2" not in str(error)


@pytest.mark.parametrize("depth", [25, 500, 5000], ids=["too deep", "deeper", "very deep"])
def test_deeply_nested_arguments_are_refused(queue: Fault, depth: int) -> None:
    assert _enqueue(queue, ALLOWED, RECORD, _nested(depth), 0)[0] == "refused"


user_ids = st.one_of(
    st.integers(),
    st.text(max_size=10),
    st.none(),
    st.booleans(),
    st.floats(),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(Opaque),
)


@bounded(150)
@given(user_id=user_ids)
def test_user_ids_of_every_type_are_queued_only_as_int_or_str(queue: Fault, user_id: t.Any) -> None:
    kind, _ = _enqueue(queue, user_id, RECORD, "label", 0)
    assert kind == ("queued" if type(user_id) in (int, str) else "refused")
