"""Ids of every type on users and records.

Ownership is Python equality of the record's owner id with the user's id,
whatever their types, and a user without an id owns nothing; look-alikes
(``"1"`` and ``1``, NaN and NaN, ``None`` and ``None``) never make an owner.
Signal payloads carry the ids as they are, and building them never fails.
"""

from __future__ import annotations

import math
import typing as t
import uuid

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_actions
from flask_simple_authorize import allowed_to
from flask_simple_authorize.signals import authorization_checked

from .conftest import RULE_ORACLE
from .conftest import HostileRecord
from .conftest import HostileUser
from .conftest import bounded

PAYLOADS: list[dict[str, t.Any]] = []


def keep_payload(sender: Flask, **payload: t.Any) -> None:
    """Keep every payload (module level: blinker holds receivers weakly)."""
    PAYLOADS.append(payload)


class Unequal:
    """An id that compares unequal to everything, itself included."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


ids = st.one_of(
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["1", "01", " 1", "1.0", "", "None", "admin"]),
    st.floats(),
    st.sampled_from([math.nan, 0.0, -0.0, 1.0]),
    st.booleans(),
    st.none(),
    st.binary(max_size=4),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.frozensets(st.integers(0, 3), max_size=2),
    st.uuids(),
    st.builds(Unequal),
)


@pytest.fixture(scope="module", autouse=True)
def _subscribed(app: Flask) -> t.Iterator[None]:
    authorization_checked.connect(keep_payload, app)
    yield
    authorization_checked.disconnect(keep_payload)


@bounded(300)
@given(user_id=ids, owner_id=ids, record_id=ids, admin=st.booleans())
def test_ownership_is_id_equality_whatever_the_types(
    app: Flask, user_id: t.Any, owner_id: t.Any, record_id: t.Any, admin: bool
) -> None:
    user = HostileUser(id=user_id, role="admin" if admin else "member")
    record = HostileRecord(id=record_id, user_id=owner_id)
    PAYLOADS.clear()
    with app.app_context(), acting_as(user):
        decided = {rule: allowed_to(rule, record) for rule in RULE_ORACLE}
        listed = allowed_actions(record)
    expected = {rule: allows(user, record) for rule, allows in RULE_ORACLE.items()}
    assert decided == expected
    assert listed == sorted(rule for rule, allowed in expected.items() if allowed)
    owns = bool(owner_id == user_id) and user_id is not None
    assert decided["update"] == (owns or admin)
    assert PAYLOADS
    for payload in PAYLOADS:
        # An id of None falls back to get_id(), as for any flask-login user.
        assert payload["user_id"] is user_id or (user_id is None and payload["user_id"] == "None")
        assert payload["record_id"] is record_id
        assert payload["record_type"] == "HostileRecord"


@pytest.mark.parametrize(
    ("user_id", "owner_id"),
    [
        (1, "1"),
        ("1", 1),
        (math.nan, math.nan),
        (None, None),
        (uuid.UUID(int=1), str(uuid.UUID(int=1))),
        (0, ""),
        (0, None),
    ],
    ids=repr,
)
def test_look_alike_ids_do_not_make_an_owner(app: Flask, user_id: t.Any, owner_id: t.Any) -> None:
    user = HostileUser(id=user_id)
    with app.app_context(), acting_as(user):
        assert allowed_to("update", HostileRecord(id=1, user_id=owner_id)) is False
