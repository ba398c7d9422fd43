"""Hostile action names through authorize, allowed_to and allowed_actions.

Action names can come from user input. Whatever the name, the outcome is a
denial, an allow by a real rule that allows, or :class:`.UnknownActionError`;
never a call of something that is not a rule, never another kind of error.
"""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import UnknownActionError
from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_actions
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize.signals import authorization_checked
from tests.lying import lying_object
from tests.lying import lying_str

from .conftest import ACTORS
from .conftest import RECORDS
from .conftest import RULE_ORACLE
from .conftest import TOUCHED
from .conftest import HostileRecordPolicy
from .conftest import bounded
from .conftest import expected_rule

CHECKED: list[t.Any] = []


def record_query(sender: Flask, **payload: t.Any) -> None:
    """Keep every decided rule name (strongly referenced: module level)."""
    CHECKED.append(payload["query"])


#: Claims to be ``"update"``: equal to everything, hashed like it.
EvilString = lying_str("update")
LyingObject = lying_object("update")


class RaisingRepr:
    """An object whose ``str`` and ``repr`` raise."""

    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")

    __str__ = __repr__


class NamedLikeARule:
    """A non-str object that prints as a rule name."""

    def __str__(self) -> str:
        return "update"

    __repr__ = __str__


POLICY_NAMES = sorted(set(dir(HostileRecordPolicy)) | set(dir(Policy)) | set(dir(object)))
NOTABLE = [
    *POLICY_NAMES,
    "new",
    "edit",
    "?",
    "??",
    "",
    " ",
    "update??",
    "UPDATE",
    " update",
    "update ",
    "update\x00",
    "update\n",
    "ｕｐｄａｔｅ",  # noqa: RUF001 (fullwidth: NFKC-equal to a rule, but not the rule)
    "upd\u0430te",
    "_x",
    "__x",
    "__class__.__init__",
    "Scope.resolve",
    "permitted_attributes_for_",
    "permitted_attributes_for_show",
    "\ud800",
    "update\u200b",
]

names = st.one_of(
    st.sampled_from(NOTABLE),
    st.sampled_from(NOTABLE).map(lambda name: name + "?"),
    st.text(max_size=40),
    st.text(alphabet="_?abcdefghijklmnopqrstuvwxyzSCOPE", max_size=30),
    st.sampled_from(["a", "_", "?", "update", "é"]).map(lambda s: s * 200_000),
)
non_strings = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.sampled_from([b"update", b"show", bytearray(b"update")]),
    st.lists(st.sampled_from(["update", "show"]), max_size=3),
    st.tuples(st.just("update")),
    st.frozensets(st.sampled_from(["update", "index"])),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just(HostileRecordPolicy.update),
    st.just(HostileRecordPolicy),
    st.just(object()),
    st.builds(EvilString, st.sampled_from(["_private", "__secret__", "computed", "deny"])),
    st.builds(EvilString, st.sampled_from(["update", "show?", "edit"])),
    st.builds(LyingObject),
    st.builds(RaisingRepr),
    st.builds(NamedLikeARule),
)
actions = st.one_of(names, non_strings)
actors = st.sampled_from(sorted(ACTORS))
records = st.sampled_from(sorted(RECORDS))


def _outcome(call: t.Callable[[], t.Any]) -> tuple[str, t.Any]:
    """Run ``call``; only a result, a denial or an unknown-action refusal may come out."""
    try:
        return "returned", call()
    except NotAuthorizedError as error:
        return "denied", error
    except UnknownActionError as error:
        return "unknown", error
    except ConfigurationError as error:
        return "config", error


@pytest.fixture(scope="module", autouse=True)
def _subscribed(app: Flask) -> t.Iterator[None]:
    authorization_checked.connect(record_query, app)
    yield
    authorization_checked.disconnect(record_query)


def _check_one(app: Flask, action: t.Any, actor: str, record_name: str, via: str) -> None:
    user, record = ACTORS[actor], RECORDS[record_name]
    CHECKED.clear()
    TOUCHED.clear()
    with app.app_context(), acting_as(user):
        if via == "authorize":
            kind, value = _outcome(lambda: authorize(record, action))
        else:
            kind, value = _outcome(lambda: allowed_to(action, record))
    assert TOUCHED == [], f"{action!r} reached non-rule attributes {TOUCHED}"
    rule = expected_rule(action)
    if action is None and via == "authorize":
        # None means "the view's name"; outside a view it is refused.
        assert kind == "config", value
        return
    if rule is None:
        assert kind == "unknown", f"{action!r} gave {kind} {value!r}"
        assert CHECKED == []
        return
    allowed = RULE_ORACLE[rule](user, record)
    assert [rule] == CHECKED
    if via == "authorize":
        assert (kind, value) == (("returned", record) if allowed else ("denied", value))
        if not allowed:
            assert value.query == rule
    else:
        assert (kind, value) == ("returned", allowed)


@bounded(300)
@given(action=actions, actor=actors, record=records)
def test_authorize_with_any_action_name_denies_allows_by_a_rule_or_refuses(
    app: Flask, action: t.Any, actor: str, record: str
) -> None:
    _check_one(app, action, actor, record, via="authorize")


@bounded(300)
@given(action=actions, actor=actors, record=records)
def test_allowed_to_with_any_action_name_answers_a_bool_from_a_rule_or_refuses(
    app: Flask, action: t.Any, actor: str, record: str
) -> None:
    _check_one(app, action, actor, record, via="allowed_to")


@pytest.mark.parametrize("name", NOTABLE, ids=repr)
@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_every_notable_name_is_decided_only_by_a_real_rule(
    app: Flask, name: str, actor: str
) -> None:
    for via in ("authorize", "allowed_to"):
        _check_one(app, name, actor, "draft", via)
        _check_one(app, name + "?", actor, "draft", via)


@pytest.mark.parametrize("actor", sorted(ACTORS))
@pytest.mark.parametrize("record", sorted(RECORDS))
def test_allowed_actions_lists_only_real_rules_that_allow(
    app: Flask, actor: str, record: str
) -> None:
    user, target = ACTORS[actor], RECORDS[record]
    with app.app_context(), acting_as(user):
        listed = allowed_actions(target)
    assert TOUCHED == []
    assert listed == sorted(rule for rule, allows in RULE_ORACLE.items() if allows(user, target))


def test_a_flood_of_distinct_unknown_names_keeps_refusing(app: Flask) -> None:
    with app.app_context(), acting_as(ACTORS["admin"]):
        for number in range(20_000):
            with pytest.raises(UnknownActionError):
                allowed_to(f"rule_{number}", RECORDS["draft"])
        assert allowed_to("update?", RECORDS["draft"]) is True
    assert TOUCHED == []
