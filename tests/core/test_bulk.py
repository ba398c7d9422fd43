"""The bulk path: reusing one policy across records never changes an answer."""

from __future__ import annotations

import contextlib
import functools
import typing as t
import weakref

import pytest
from flask import Flask

from flask_simple_authorize import Policy
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorized_records
from flask_simple_authorize import decisions
from flask_simple_authorize import partition_records
from flask_simple_authorize import signals
from flask_simple_authorize.testing import use_policies

from .sample import User

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class Parcel:
    def __init__(self, id: int, open: bool) -> None:
        self.id = id
        self.open = open


def remember_per_policy(method: F) -> F:
    """Remember a method's answer per policy instance, as memoizing decorators do."""
    answers: dict[t.Any, t.Any] = {}

    @functools.wraps(method)
    def wrapper(self: t.Any) -> t.Any:
        if self not in answers:
            answers[self] = method(self)
        return answers[self]

    return t.cast(F, wrapper)


class DecoratedParcelPolicy(Policy):
    @remember_per_policy
    def deliver(self) -> bool:
        return bool(self.record.open)


class DecoratedHelperParcelPolicy(Policy):
    @property
    @remember_per_policy
    def _open(self) -> bool:
        return bool(self.record.open)

    def deliver(self) -> bool:
        return self._open


class ClassMemoParcelPolicy(Policy):
    answers: t.ClassVar[weakref.WeakKeyDictionary[Policy, bool]] = weakref.WeakKeyDictionary()

    def deliver(self) -> bool:
        return self.answers.setdefault(self, bool(self.record.open))


@pytest.mark.parametrize(
    "policy_class",
    [DecoratedParcelPolicy, DecoratedHelperParcelPolicy, ClassMemoParcelPolicy],
    ids=["decorated-rule", "decorated-helper", "memo-on-the-class"],
)
def test_state_kept_per_policy_outside_it_never_answers_for_another_record(
    as_user: t.Any, viewer: User, policy_class: type[Policy]
) -> None:
    parcels = [Parcel(i, open=i % 3 == 0) for i in range(9)]
    with as_user(viewer):
        one_by_one = [p for p in parcels if allowed_to("deliver", p, policy_class=policy_class)]
        assert one_by_one == parcels[::3]
        assert authorized_records(parcels, "deliver", policy_class=policy_class) == one_by_one
        allowed, denied = partition_records(parcels, "deliver", policy_class=policy_class)
    assert allowed == one_by_one
    assert denied == [parcel for parcel in parcels if parcel not in one_by_one]


class OpenMailPolicy(Policy):
    def deliver(self) -> bool:
        return True


class ClosedMailPolicy(Policy):
    def deliver(self) -> bool:
        return False


class Letter:
    __policy__ = OpenMailPolicy


class Card:
    __policy__ = ClosedMailPolicy


class Presented:
    """A presenter: forwards every attribute it lacks (``__policy__`` too) to its record."""

    def __init__(self, wrapped: t.Any) -> None:
        self.wrapped = wrapped

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self.wrapped, name)


def test_records_that_forward_their_policy_are_each_decided_by_their_own(
    as_user: t.Any, viewer: User
) -> None:
    mail = [Presented(Letter()), Presented(Card()), Presented(Letter())]
    with as_user(viewer):
        one_by_one = [item for item in mail if allowed_to("deliver", item)]
        assert one_by_one == [mail[0], mail[2]]
        assert authorized_records(mail, "deliver") == one_by_one
        assert partition_records(mail, "deliver") == (one_by_one, [mail[1]])
        assert [d.allowed for _, d in decisions(mail, "deliver")] == [True, False, True]


#: Every policy instance a CratePolicy rule ran on (kept alive, so ids stay distinct).
CRATE_POLICIES: list[Policy] = []


class Crate(Parcel):
    pass


class CratePolicy(Policy):
    def deliver(self) -> bool:
        CRATE_POLICIES.append(self)
        return bool(self.record.open)


def test_a_subscriber_of_another_app_neither_hears_this_one_nor_slows_it(
    app: Flask, as_user: t.Any, viewer: User
) -> None:
    other = Flask("other")
    heard: list[t.Any] = []

    def listen(sender: Flask, **payload: t.Any) -> None:
        heard.append(payload)

    crates = [Crate(index, open=index % 2 == 0) for index in range(6)]
    CRATE_POLICIES.clear()
    with use_policies(CratePolicy), connected_to(listen, other), as_user(viewer):
        assert authorized_records(crates, "deliver") == crates[::2]
        assert allowed_to("deliver", crates[0])
    assert heard == []
    # one policy re-pointed at every record of the list, one more for allowed_to
    assert len({id(policy) for policy in CRATE_POLICIES}) == 2


@contextlib.contextmanager
def connected_to(receiver: t.Callable[..., None], sender: Flask) -> t.Iterator[None]:
    signals.authorization_checked.connect(receiver, sender=sender)
    try:
        yield
    finally:
        signals.authorization_checked.disconnect(receiver, sender=sender)
