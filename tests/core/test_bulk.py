"""The bulk path: reusing one policy across records never changes an answer."""

from __future__ import annotations

import functools
import typing as t
import weakref

import pytest

from flask_simple_authorize import Policy
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorized_records
from flask_simple_authorize import partition_records

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
