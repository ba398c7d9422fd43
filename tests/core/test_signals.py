"""Request-side signals: payloads with ids, guarded subscribers, no work when nobody listens."""

from __future__ import annotations

import logging
import typing as t
from collections.abc import Iterator

import pytest
from blinker import Signal
from flask import Flask

from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import authorized_records
from flask_simple_authorize import policy_scope
from flask_simple_authorize import signals

from .sample import Post
from .sample import User

PAYLOAD_KEYS = {
    "user",
    "user_id",
    "record",
    "record_id",
    "record_type",
    "query",
    "policy",
    "policy_name",
    "allowed",
    "reason",
    "enforced",
    "job",
}


class Counted:
    """A record that counts how often its id is read."""

    reads = 0

    def __init__(self, owner_id: int) -> None:
        self.user_id = owner_id

    @property
    def id(self) -> int:
        Counted.reads += 1
        return 7


class CountedPolicy(Policy):
    def update(self) -> bool:
        return self.is_owner


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, t.Any]] = []

    def __call__(self, sender: Flask, **payload: t.Any) -> None:
        self.calls.append({"sender": sender, **payload})


@pytest.fixture
def listen(app: Flask) -> t.Callable[[Signal], Recorder]:
    """``listen(signal)`` records what ``signal`` receives from the app during the test."""
    connected: list[tuple[Signal, Recorder]] = []

    def run(signal: Signal) -> Recorder:
        recorder = Recorder()
        signal.connect(recorder, sender=app)
        connected.append((signal, recorder))
        return recorder

    yield run  # type: ignore[misc]
    for signal, recorder in connected:
        signal.disconnect(recorder)  # from every sender: blinker keeps it in .receivers otherwise


def test_every_decision_is_checked_with_ids_and_type_names(
    app: Flask, listen: t.Any, as_user: t.Any, author: User, draft: Post
) -> None:
    checked = listen(signals.authorization_checked)
    with as_user(author):
        allowed_to("update", draft)
    [payload] = checked.calls
    assert set(payload) - {"sender"} == PAYLOAD_KEYS
    assert payload["sender"] is app
    assert payload["user"] is author
    assert (payload["user_id"], payload["record_id"], payload["record_type"]) == (
        author.id,
        draft.id,
        "Post",
    )
    assert payload["record"] is draft
    assert (payload["query"], payload["policy_name"], payload["allowed"]) == (
        "update",
        "PostPolicy",
        True,
    )
    assert payload["enforced"] is False
    assert payload["reason"] is None
    assert payload["job"] is None


def test_an_enforced_denial_is_also_sent_as_denied_with_its_reason(
    listen: t.Any, as_user: t.Any, author: User, draft: Post
) -> None:
    checked = listen(signals.authorization_checked)
    denied = listen(signals.authorization_denied)
    with as_user(author), pytest.raises(NotAuthorizedError):
        authorize(draft, "publish")
    assert [c["reason"] for c in checked.calls] == ["needs_review"]
    assert [(c["query"], c["reason"], c["enforced"]) for c in denied.calls] == [
        ("publish", "needs_review", True)
    ]


def test_a_denial_that_is_only_asked_is_not_sent_as_denied(
    listen: t.Any, as_user: t.Any, viewer: User, draft: Post
) -> None:
    denied = listen(signals.authorization_denied)
    with as_user(viewer):
        assert not allowed_to("update", draft)
        assert authorized_records([draft], "update") == []
    assert denied.calls == []


def test_anonymous_users_and_classes_have_no_ids(listen: t.Any, as_user: t.Any) -> None:
    checked = listen(signals.authorization_checked)
    with as_user(None):
        allowed_to("create", Post)
    [payload] = checked.calls
    assert (payload["user_id"], payload["record_id"], payload["record_type"]) == (
        None,
        None,
        "Post",
    )


def test_bulk_decisions_are_each_announced_with_their_own_policy(
    listen: t.Any, as_user: t.Any, author: User, posts: dict[str, Post]
) -> None:
    checked = listen(signals.authorization_checked)
    with as_user(author):
        authorized_records(list(posts.values()), "update")
    assert [(c["record_id"], c["allowed"]) for c in checked.calls] == [
        (posts["draft"].id, True),
        (posts["live"].id, True),
        (posts["secret"].id, False),
    ]
    assert [c["policy"].record for c in checked.calls] == list(posts.values())


def test_a_job_actor_is_named_in_the_payload(
    app: Flask, listen: t.Any, author: User, draft: Post
) -> None:
    checked = listen(signals.authorization_checked)
    with acting_as(author, job="tasks.publish"):
        allowed_to("update", draft)
    assert checked.calls[0]["job"] == "tasks.publish"
    assert checked.calls[0]["user"] is author


def failing_receiver(sender: Flask, **payload: t.Any) -> None:
    raise RuntimeError("mailer down")


@pytest.fixture
def failing(app: Flask) -> Iterator[None]:
    signals.authorization_checked.connect(failing_receiver, sender=app)
    signals.authorization_denied.connect(failing_receiver, sender=app)
    yield
    signals.authorization_checked.disconnect(failing_receiver)
    signals.authorization_denied.disconnect(failing_receiver)


def test_a_raising_subscriber_is_logged_and_changes_nothing(
    failing: None,
    listen: t.Any,
    as_user: t.Any,
    author: User,
    viewer: User,
    draft: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    later = listen(signals.authorization_denied)
    with caplog.at_level(logging.ERROR, logger="flask_simple_authorize"):
        with as_user(viewer), pytest.raises(NotAuthorizedError):
            authorize(draft, "update")
        with as_user(author):
            assert authorize(draft, "update") is draft
    assert len(later.calls) == 1
    assert "the decision stands" in caplog.text
    assert "mailer down" in caplog.text


def test_no_payload_is_built_when_nobody_listens(
    as_user: t.Any, author: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fresh signals, so subscribers other tests left connected do not count
    monkeypatch.setattr(signals, "authorization_checked", Signal())
    monkeypatch.setattr(signals, "authorization_denied", Signal())
    record = Counted(owner_id=author.id)
    Counted.reads = 0
    with as_user(author):
        authorize(record, "update")
        assert not allowed_to("update", Counted(owner_id=0))
        authorized_records([record, record], "update")
    assert Counted.reads == 0


def test_a_listener_gets_the_ids(listen: t.Any, as_user: t.Any, author: User) -> None:
    listen(signals.authorization_checked)
    Counted.reads = 0
    with as_user(author):
        authorize(Counted(owner_id=author.id), "update")
    assert Counted.reads == 1


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_SIGNALS": False}])
def test_signals_off_sends_nothing(
    app: Flask, listen: t.Any, as_user: t.Any, viewer: User, draft: Post
) -> None:
    recorders = [
        listen(signal)
        for signal in (
            signals.authorization_checked,
            signals.authorization_denied,
            signals.policy_scoped,
        )
    ]
    with as_user(viewer):
        with pytest.raises(NotAuthorizedError):
            authorize(draft, "update")
        authorized_records([draft])
        policy_scope(Post)
    assert [r.calls for r in recorders] == [[], [], []]


def test_another_apps_subscriber_hears_nothing(
    app: Flask, as_user: t.Any, viewer: User, draft: Post
) -> None:
    other = Flask("other")
    recorder = Recorder()
    signals.authorization_checked.connect(recorder, sender=other)
    try:
        with as_user(viewer):
            allowed_to("update", draft)
    finally:
        signals.authorization_checked.disconnect(recorder)
    assert recorder.calls == []


def test_repeated_checks_announce_the_same_payload(
    listen: t.Any, as_user: t.Any, author: User, draft: Post
) -> None:
    checked = listen(signals.authorization_checked)
    denied = listen(signals.authorization_denied)
    with as_user(author):
        for _ in range(3):
            assert authorize(draft, "update") is draft
            with pytest.raises(NotAuthorizedError):
                authorize(draft, "publish")
    first, second = checked.calls[:2]
    for index, call in enumerate(checked.calls):
        expected = first if index % 2 == 0 else second
        assert {k: v for k, v in call.items() if k != "policy"} == {
            k: v for k, v in expected.items() if k != "policy"
        }
    assert len(denied.calls) == 3


async def notify_async(sender: Flask, **payload: t.Any) -> None:
    raise AssertionError("an async subscriber is never run")  # pragma: no cover


def test_an_async_subscriber_is_reported_not_silently_dropped(
    app: Flask,
    as_user: t.Any,
    viewer: User,
    draft: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        signals.authorization_denied.connected_to(notify_async, sender=app),
        caplog.at_level(logging.ERROR, logger="flask_simple_authorize"),
        as_user(viewer),
        pytest.raises(NotAuthorizedError),
    ):
        authorize(draft, "update")
    assert "is async and was not run" in caplog.text
