"""The policy base class: deny by default, rules versus helpers, the actor helpers."""

from __future__ import annotations

import enum
import types
import typing as t

import pytest
from flask_login import AnonymousUserMixin

from flask_simple_authorize import Denial
from flask_simple_authorize import Policy
from flask_simple_authorize import ScopeNotDefinedError
from flask_simple_authorize import registry
from flask_simple_authorize.user_facts import user_fact
from flask_simple_authorize.user_facts import user_fact_names


class Member:
    is_authenticated = True

    def __init__(self, id: int = 1, **attributes: t.Any) -> None:
        self.id = id
        self.__dict__.update(attributes)


class Note:
    def __init__(self, user_id: int | None = None, author_id: int | None = None) -> None:
        self.user_id = user_id
        self.author_id = author_id


class NotePolicy(Policy):
    def publish(self) -> bool:
        return self.is_owner

    def archive(self, force: bool = False) -> bool:
        return force

    def share(self, target: str) -> bool:  # takes an argument: not a rule
        return True

    def permitted_attributes_for_publish(self) -> list[str]:
        return ["title"]

    def _secret(self) -> bool:
        return True

    @property
    def is_editor(self) -> bool:
        return True

    @staticmethod
    def helper() -> bool:
        return True

    class Scope(Policy.Scope):
        pass


class AuthoredNotePolicy(Policy):
    owner_attribute = "author_id"


class UuidOwnedPolicy(Policy):
    owner_attribute = "author_id"

    @property
    def user_id(self) -> t.Any:
        return getattr(self.user, "uuid", None)


class FactCounterPolicy(Policy):
    calls = 0

    @user_fact
    def is_staff(self) -> bool:
        FactCounterPolicy.calls += 1
        return True


class StrictLoginPolicy(Policy):
    @property
    def is_authenticated(self) -> bool:
        return False


@pytest.mark.parametrize("rule", ["index", "show", "create", "update", "destroy"])
def test_base_policy_denies_every_default_rule(rule: str) -> None:
    assert getattr(Policy(Member(), Note()), rule)() is False


def test_deny_returns_a_falsy_denial_with_the_reason() -> None:
    denial = Policy(Member()).deny("draft_locked")
    assert isinstance(denial, Denial)
    assert not denial
    assert denial.reason == "draft_locked"
    assert repr(denial) == "Denial('draft_locked')"


def test_rule_names_hold_public_methods_callable_without_arguments() -> None:
    names = NotePolicy.rule_names()
    assert {"index", "show", "create", "update", "destroy", "publish", "archive"} <= names


@pytest.mark.parametrize(
    "name",
    [
        "share",
        "permitted_attributes",
        "permitted_attributes_for_publish",
        "visible_attributes",
        "editable_attributes",
        "deny",
        "_secret",
        "__init__",
        "is_editor",
        "is_admin",
        "is_owner",
        "is_authenticated",
        "user_id",
        "helper",
        "Scope",
        "rule_names",
    ],
)
def test_helpers_properties_and_private_names_are_never_rules(name: str) -> None:
    assert name not in NotePolicy.rule_names()


def test_subclass_registers_by_name_and_namespace() -> None:
    assert registry.lookup("Note", None) is NotePolicy

    class NoteRules(Policy):
        pass

    assert NoteRules not in [cls for _, _, cls in registry.registered_policies()]

    class NoteAdminPolicy(Policy, namespace="admin"):
        pass

    assert registry.lookup("NoteAdmin", "admin") is NoteAdminPolicy
    assert NoteAdminPolicy.policy_namespace == "admin"
    assert registry.lookup("NoteAdmin", None) is None


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param(None, False, id="none"),
        pytest.param(AnonymousUserMixin(), False, id="anonymous"),
        pytest.param(Member(), True, id="member"),
    ],
)
def test_is_authenticated_follows_the_user(user: t.Any, expected: bool) -> None:
    assert Policy(user).is_authenticated is expected


class Role(enum.Enum):
    ADMIN = "admin"
    AUTHOR = "author"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param(Member(is_admin=True), True, id="flag"),
        pytest.param(Member(is_admin=False, role="admin"), False, id="flag-wins-over-role"),
        pytest.param(Member(is_admin=lambda: True), True, id="callable-flag"),
        pytest.param(Member(role="admin"), True, id="role"),
        pytest.param(Member(role="author"), False, id="other-role"),
        pytest.param(Member(role=Role.ADMIN), True, id="enum-role"),
        pytest.param(Member(role=Role.AUTHOR), False, id="other-enum-role"),
        pytest.param(AnonymousUserMixin(), False, id="anonymous"),
        pytest.param(None, False, id="none"),
    ],
)
def test_is_admin_reads_the_flag_then_the_role(user: t.Any, expected: bool) -> None:
    assert Policy(user).is_admin is expected


def test_user_id_is_none_for_anonymous_users() -> None:
    assert Policy(Member(id=7)).user_id == 7
    assert Policy(AnonymousUserMixin()).user_id is None


@pytest.mark.parametrize(
    ("user", "record", "expected"),
    [
        pytest.param(Member(id=1), Note(user_id=1), True, id="owner"),
        pytest.param(Member(id=2), Note(user_id=1), False, id="stranger"),
        pytest.param(AnonymousUserMixin(), Note(user_id=None), False, id="anonymous-no-owner"),
        pytest.param(Member(id=1), None, False, id="no-record"),
    ],
)
def test_is_owner_compares_the_owner_id(user: t.Any, record: t.Any, expected: bool) -> None:
    assert Policy(user, record).is_owner is expected


class Memo:
    """A plain class whose owner id has a class-level default."""

    user_id = 7


def test_a_class_given_as_the_record_is_owned_by_nobody() -> None:
    assert Policy(Member(id=7), Memo).is_owner is False
    assert Policy(Member(id=7), Memo()).is_owner is True


def test_owner_attribute_is_configurable() -> None:
    note = Note(user_id=2, author_id=1)
    assert AuthoredNotePolicy(Member(id=1), note).is_owner is True
    assert AuthoredNotePolicy(Member(id=2), note).is_owner is False


def test_user_facts_read_like_properties() -> None:
    FactCounterPolicy.calls = 0
    policy = FactCounterPolicy(Member())
    assert policy.is_staff and policy.is_staff
    assert FactCounterPolicy.calls == 2
    assert user_fact_names(FactCounterPolicy) == {
        "is_staff",
        "is_admin",
        "is_authenticated",
        "user_id",
    }
    assert user_fact_names(StrictLoginPolicy) == {"is_admin", "user_id"}


def test_overriding_a_helper_changes_the_helpers_built_on_it() -> None:
    policy = StrictLoginPolicy(Member(id=1, is_admin=True), Note(user_id=1))
    assert policy.is_admin is False
    assert policy.is_owner is False


def test_overriding_user_id_changes_who_owns_records() -> None:
    note = Note(user_id=1, author_id="u-9")
    assert UuidOwnedPolicy(Member(id=1, uuid="u-9"), note).is_owner is True
    assert UuidOwnedPolicy(Member(id=9, uuid="u-1"), note).is_owner is False


def test_context_defaults_to_an_empty_read_only_mapping() -> None:
    policy = Policy(Member())
    assert dict(policy.context) == {}
    assert isinstance(policy.context, types.MappingProxyType)
    with pytest.raises(TypeError):
        policy.context["ip"] = "1.2.3.4"  # type: ignore[index]


def test_scope_without_resolve_raises_naming_the_policy() -> None:
    with pytest.raises(ScopeNotDefinedError, match=r"NotePolicy\.Scope does not define resolve"):
        NotePolicy.Scope(Member(), []).resolve()
    assert NotePolicy.Scope.policy_class is NotePolicy


def test_repr_names_the_policy_user_and_record() -> None:
    assert repr(Policy(Member(id=3), "rec")) == "<Policy user=3 record='rec'>"
