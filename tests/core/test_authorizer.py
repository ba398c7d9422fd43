"""The choke point: action names resolve only to rules, and rules must return bools."""

from __future__ import annotations

import typing as t

import pytest

from flask_simple_authorize import Denial
from flask_simple_authorize import InvalidRuleResultError
from flask_simple_authorize import Policy
from flask_simple_authorize import UnknownActionError
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize.authorizer import decide
from flask_simple_authorize.authorizer import resolve_rule
from tests.lying import lying_object
from tests.lying import lying_str

from .sample import User

CALLED: list[str] = []


class Trap:
    pass


class TrapPolicy(Policy):
    """Every non-rule member records that it was called."""

    def publish(self) -> bool:
        return True

    def edit(self) -> bool:
        CALLED.append("edit")
        return True

    def _secret(self) -> bool:
        CALLED.append("_secret")
        return True

    def __call__(self) -> bool:
        CALLED.append("__call__")
        return True

    def permitted_attributes(self) -> list[str]:
        CALLED.append("permitted_attributes")
        return ["x"]

    def permitted_attributes_for_update(self) -> list[str]:
        CALLED.append("permitted_attributes_for_update")
        return ["x"]

    def visible_attributes(self) -> list[str]:
        CALLED.append("visible_attributes")
        return ["x"]

    def deny(self, reason: str | None = None) -> Denial:
        CALLED.append("deny")
        return Denial(reason)

    @property
    def is_admin(self) -> bool:
        CALLED.append("is_admin")
        return True

    @property
    def shiny(self) -> bool:
        CALLED.append("shiny")
        return True

    @classmethod
    def make(cls) -> bool:
        CALLED.append("make")
        return True

    def transfer(self, to: str) -> bool:
        CALLED.append("transfer")
        return True

    class Scope(Policy.Scope):
        def __init__(self, *args: t.Any) -> None:
            CALLED.append("Scope")

    class Helper:
        def __init__(self, *args: t.Any) -> None:
            CALLED.append("Helper")


class Verdict:
    pass


class VerdictPolicy(Policy):
    result: t.Any = None

    def judge(self) -> t.Any:
        return type(self).result


HOSTILE = [
    "__init__",
    "__class__",
    "__call__",
    "__reduce__",
    "__subclasses__",
    "__dict__",
    "_secret",
    "_TrapPolicy__x",
    "Scope",
    "Helper",
    "permitted_attributes",
    "permitted_attributes_for_update",
    "visible_attributes",
    "editable_attributes",
    "deny",
    "is_admin",
    "is_owner",
    "is_authenticated",
    "user_id",
    "shiny",
    "make",
    "rule_names",
    "transfer",
    "user",
    "record",
    "context",
    "owner_attribute",
    "hide_denied",
    "mro",
    "",
    "?",
    "publish??",
    "publish ",
    "publish\x00",
    "PUBLISH",
    "x" * 100_000,
]


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLED.clear()


def test_a_trailing_question_mark_is_accepted() -> None:
    assert resolve_rule(TrapPolicy, "publish?") == "publish"


@pytest.mark.parametrize(
    ("action", "rule"),
    [("new", "create"), ("new?", "create"), ("edit", "edit"), ("update", "update")],
)
def test_new_and_edit_fall_back_to_create_and_update(action: str, rule: str) -> None:
    assert resolve_rule(TrapPolicy, action) == rule
    assert resolve_rule(Policy, "edit") == "update"


@pytest.mark.parametrize("action", HOSTILE, ids=lambda a: repr(a)[:30])
def test_hostile_action_names_are_refused_and_nothing_is_called(action: str) -> None:
    with pytest.raises(UnknownActionError) as caught:
        resolve_rule(TrapPolicy, action)
    assert CALLED == []
    assert "TrapPolicy" in str(caught.value)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "action",
    [None, 1, 1.5, b"publish", ["publish"], {"publish": 1}, ("publish",), object()],
    ids=lambda a: type(a).__name__,
)
def test_actions_that_are_not_strings_are_refused(action: t.Any) -> None:
    with pytest.raises(UnknownActionError, match="not a rule of TrapPolicy"):
        resolve_rule(TrapPolicy, action)


@pytest.mark.parametrize("action", ["__init__", "_secret", "permitted_attributes", "Scope"])
def test_authorize_with_a_hostile_name_raises_without_calling(
    as_user: t.Any, viewer: User, action: str
) -> None:
    with as_user(viewer):
        with pytest.raises(UnknownActionError):
            authorize(Trap(), action)
        with pytest.raises(UnknownActionError):
            allowed_to(action, Trap())
    assert CALLED == []


def test_an_unknown_name_suggests_close_rules() -> None:
    with pytest.raises(UnknownActionError) as caught:
        resolve_rule(TrapPolicy, "publsh")
    assert caught.value.suggestions == ("publish",)
    assert "Did you mean 'publish'?" in str(caught.value)
    assert "define a public method `def publsh(self) -> bool`" in str(caught.value)


def test_a_reserved_name_explains_that_helpers_are_never_rules() -> None:
    with pytest.raises(UnknownActionError, match="never rules"):
        resolve_rule(TrapPolicy, "permitted_attributes")


@pytest.mark.parametrize(
    "result",
    [1, 0, None, "yes", "", [], [True], 0.0, Trap()],
    ids=lambda r: type(r).__name__ + repr(r)[:8],
)
def test_a_rule_returning_a_non_bool_is_an_error_not_an_allow(result: t.Any) -> None:
    VerdictPolicy.result = result
    with pytest.raises(InvalidRuleResultError) as caught:
        decide(VerdictPolicy(None, Verdict()), "judge")
    assert "VerdictPolicy.judge() returned" in str(caught.value)
    assert caught.value.result is result


def test_a_non_bool_result_raises_through_authorize(as_user: t.Any, admin: User) -> None:
    VerdictPolicy.result = 1
    with as_user(admin), pytest.raises(InvalidRuleResultError):
        authorize(Verdict(), "judge")


@pytest.mark.parametrize(
    ("result", "allowed", "reason"),
    [(True, True, None), (False, False, None), (Denial("locked"), False, "locked")],
    ids=["true", "false", "denial"],
)
def test_decide_reports_the_result_and_the_reason(
    result: t.Any, allowed: bool, reason: str | None
) -> None:
    VerdictPolicy.result = result
    policy = VerdictPolicy(None, Verdict())
    decision = decide(policy, "judge")
    assert (decision.allowed, decision.rule, decision.policy, decision.reason) == (
        allowed,
        "judge",
        policy,
        reason,
    )


LyingStr = lying_str("publish")
LyingObject = lying_object("publish")


def test_a_str_subclass_is_read_for_what_it_holds() -> None:
    assert resolve_rule(TrapPolicy, "publish") == "publish"
    assert resolve_rule(TrapPolicy, LyingStr("show?")) == "show"
    with pytest.raises(UnknownActionError):
        resolve_rule(TrapPolicy, LyingStr("_secret"))
    assert resolve_rule(TrapPolicy, "publish") == "publish"
    assert CALLED == []


def test_lying_actions_never_match_a_cached_rule(as_user: t.Any, admin: User) -> None:
    with as_user(admin):
        for _ in range(2):
            assert authorize(Trap(), "publish")
            with pytest.raises(UnknownActionError):
                authorize(Trap(), LyingObject())  # type: ignore[arg-type]
            assert allowed_to(LyingStr("show"), Trap()) is False
            assert allowed_to("publish", Trap()) is True
    assert CALLED == []
