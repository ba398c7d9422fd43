"""The reusable policy mixins, alone and combined."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing as t

import pytest

from flask_simple_authorize import Policy
from flask_simple_authorize.mixins import ApprovableMixin
from flask_simple_authorize.mixins import OwnableMixin
from flask_simple_authorize.mixins import PublishableMixin
from flask_simple_authorize.mixins import SoftDeletableMixin
from flask_simple_authorize.mixins import TimestampedMixin
from flask_simple_authorize.testing import assert_forbid
from flask_simple_authorize.testing import assert_permit
from flask_simple_authorize.testing import permission_matrix

NOW = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
AT_NOW = {"now": NOW}


@dataclasses.dataclass
class Person:
    id: int
    role: t.Any = "member"
    is_authenticated: bool = True


@dataclasses.dataclass
class Doc:
    user_id: int = 1
    published: bool = False
    approved: bool = False
    deleted_at: datetime.datetime | None = None
    created_at: datetime.datetime | None = None


OWNER = Person(1)
STRANGER = Person(2)
ADMIN = Person(3, role="admin")
EDITOR = Person(4, role=["editor", "member"])
ANONYMOUS = Person(0, role=None, is_authenticated=False)
USERS = {"owner": OWNER, "stranger": STRANGER, "admin": ADMIN, "anonymous": ANONYMOUS}


class OwnableDocPolicy(OwnableMixin, Policy):
    pass


class PublishableDocPolicy(PublishableMixin, Policy):
    publisher_roles = ("admin", "editor")


class TimestampedDocPolicy(TimestampedMixin, OwnableMixin, Policy):
    editable_window = datetime.timedelta(minutes=10)


class ApprovableDocPolicy(ApprovableMixin, Policy):
    approver_roles = ("admin", "editor")


class SoftDeletableDocPolicy(SoftDeletableMixin, Policy):
    pass


class BlogDocPolicy(SoftDeletableMixin, PublishableMixin, OwnableMixin, Policy):
    pass


class ReversedBlogDocPolicy(OwnableMixin, PublishableMixin, SoftDeletableMixin, Policy):
    pass


class EverythingDocPolicy(
    OwnableMixin, ApprovableMixin, TimestampedMixin, PublishableMixin, SoftDeletableMixin, Policy
):
    pass


class RenamedDocPolicy(PublishableMixin, SoftDeletableMixin, Policy):
    published_attribute = "live"
    deleted_at_attribute = "gone"


def test_ownable_alone() -> None:
    permission_matrix(
        Doc(user_id=1),
        USERS,
        {
            "show": {"owner", "admin"},
            "update": {"owner", "admin"},
            "destroy": {"owner", "admin"},
            "create": {"owner", "stranger", "admin"},
        },
        policy_class=OwnableDocPolicy,
    )
    assert_forbid(STRANGER, Doc(), "update", reason="not_owner", policy_class=OwnableDocPolicy)


def test_ownable_rules_and_admins_are_configurable() -> None:
    class StrictDocPolicy(OwnableMixin, Policy):
        owner_rules = frozenset({"show"})
        admins_as_owners = False
        authenticated_may_create = False

    permission_matrix(
        Doc(),
        USERS,
        {"show": {"owner"}, "update": set(), "create": set()},
        policy_class=StrictDocPolicy,
    )


def test_publishable_alone() -> None:
    draft, live = Doc(published=False), Doc(published=True)
    users = {**USERS, "editor": EDITOR}
    permission_matrix(
        draft,
        users,
        {"show": set(), "publish": {"admin", "editor"}, "unpublish": set()},
        policy_class=PublishableDocPolicy,
    )
    permission_matrix(
        live,
        users,
        {"show": set(users), "publish": set(), "unpublish": {"admin", "editor"}},
        policy_class=PublishableDocPolicy,
    )
    assert_forbid(
        EDITOR, live, "publish", reason="already_published", policy_class=PublishableDocPolicy
    )
    assert_forbid(
        OWNER, draft, "publish", reason="not_publisher", policy_class=PublishableDocPolicy
    )


class Role(enum.Enum):
    EDITOR = "editor"
    MEMBER = "member"


@pytest.mark.parametrize(
    "role", [Role.EDITOR, [Role.EDITOR, Role.MEMBER]], ids=["enum", "list-of-enums"]
)
def test_roles_given_as_enum_members_count_by_their_value(role: t.Any) -> None:
    draft = Doc(published=False)
    assert_permit(Person(5, role=role), draft, "publish", policy_class=PublishableDocPolicy)
    assert_forbid(Person(6, role=Role.MEMBER), draft, "publish", policy_class=PublishableDocPolicy)


def test_published_records_can_be_kept_from_anonymous_users() -> None:
    class MembersOnlyDocPolicy(PublishableMixin, Policy):
        public_when_published = False

    assert_permit(STRANGER, Doc(published=True), "show", policy_class=MembersOnlyDocPolicy)
    assert_forbid(ANONYMOUS, Doc(published=True), "show", policy_class=MembersOnlyDocPolicy)


@pytest.mark.parametrize(
    ("age", "owner_may_update"),
    [
        (datetime.timedelta(minutes=5), True),
        (datetime.timedelta(minutes=11), False),
        (None, True),
    ],
    ids=["inside-window", "after-window", "unsaved"],
)
def test_timestamped_closes_the_edit_window(
    age: datetime.timedelta | None, owner_may_update: bool
) -> None:
    doc = Doc(created_at=None if age is None else NOW - age)
    expected = {
        "update": {"owner", "admin"} if owner_may_update else {"admin"},
        "destroy": {"owner", "admin"},
    }
    permission_matrix(doc, USERS, expected, policy_class=TimestampedDocPolicy, context=AT_NOW)
    if not owner_may_update:
        assert_forbid(
            OWNER,
            doc,
            "update",
            reason="edit_window_closed",
            policy_class=TimestampedDocPolicy,
            context=AT_NOW,
        )


def test_timestamped_alone_grants_nothing_and_accepts_naive_times() -> None:
    class WindowOnlyDocPolicy(TimestampedMixin, Policy):
        windowed_rules = frozenset({"update", "destroy"})

    naive = Doc(created_at=NOW.replace(tzinfo=None) - datetime.timedelta(hours=1))
    assert_forbid(
        OWNER,
        naive,
        "destroy",
        reason="edit_window_closed",
        policy_class=WindowOnlyDocPolicy,
        context=AT_NOW,
    )
    assert_forbid(
        OWNER, Doc(created_at=NOW), "update", policy_class=WindowOnlyDocPolicy, context=AT_NOW
    )


def test_timestamped_uses_the_clock_without_a_context() -> None:
    old = Doc(created_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
    assert_forbid(
        OWNER, old, "update", reason="edit_window_closed", policy_class=TimestampedDocPolicy
    )
    fresh = Doc(created_at=datetime.datetime.now(datetime.timezone.utc))
    assert_permit(OWNER, fresh, "update", policy_class=TimestampedDocPolicy)


def test_approvable_alone() -> None:
    users = {**USERS, "editor": EDITOR}
    pending, approved = Doc(approved=False), Doc(approved=True)
    permission_matrix(
        pending,
        users,
        {
            "approve": {"admin", "editor"},
            "reject": {"admin", "editor"},
            "show": {"admin", "editor"},
        },
        policy_class=ApprovableDocPolicy,
    )
    permission_matrix(
        approved,
        users,
        {"approve": set(), "reject": set(), "show": {"admin", "editor"}},
        policy_class=ApprovableDocPolicy,
    )
    assert_forbid(
        STRANGER, pending, "show", reason="pending_approval", policy_class=ApprovableDocPolicy
    )
    assert_forbid(
        STRANGER, pending, "approve", reason="not_approver", policy_class=ApprovableDocPolicy
    )
    assert_forbid(
        ADMIN, approved, "approve", reason="already_approved", policy_class=ApprovableDocPolicy
    )


def test_approvers_cannot_approve_their_own_records_unless_allowed() -> None:
    own = Doc(user_id=ADMIN.id)
    assert_forbid(ADMIN, own, "approve", reason="self_approval", policy_class=ApprovableDocPolicy)

    class LenientDocPolicy(ApprovableMixin, Policy):
        self_approval = True

    assert_permit(ADMIN, own, "approve", policy_class=LenientDocPolicy)


def test_soft_deletable_alone() -> None:
    deleted, alive = Doc(deleted_at=NOW), Doc()
    permission_matrix(
        deleted,
        USERS,
        {"show": {"admin"}, "update": set(), "restore": {"admin"}},
        policy_class=SoftDeletableDocPolicy,
    )
    permission_matrix(
        alive, USERS, {"show": set(), "restore": set()}, policy_class=SoftDeletableDocPolicy
    )
    assert_forbid(
        OWNER, deleted, "restore", reason="not_restorer", policy_class=SoftDeletableDocPolicy
    )
    assert_forbid(
        ADMIN, alive, "restore", reason="not_deleted", policy_class=SoftDeletableDocPolicy
    )
    assert_forbid(ADMIN, deleted, "update", reason="deleted", policy_class=SoftDeletableDocPolicy)


BLOG_CASES = [
    (Doc(), {"show": {"owner", "admin"}, "update": {"owner", "admin"}, "publish": {"admin"}}),
    (Doc(published=True), {"show": set(USERS), "update": {"owner", "admin"}, "publish": set()}),
    (
        Doc(published=True, deleted_at=NOW),
        {
            "show": {"admin"},
            "update": set(),
            "publish": set(),
            "destroy": set(),
            "restore": {"admin"},
        },
    ),
]


@pytest.mark.parametrize(
    "policy_class", [BlogDocPolicy, ReversedBlogDocPolicy], ids=["gates-first", "grants-first"]
)
@pytest.mark.parametrize(("doc", "expected"), BLOG_CASES, ids=["draft", "published", "deleted"])
def test_combined_mixins_decide_the_same_in_any_order(
    policy_class: type[Policy], doc: Doc, expected: dict[str, set[str]]
) -> None:
    permission_matrix(doc, USERS, expected, policy_class=policy_class)


def test_everything_combined() -> None:
    users = {**USERS, "editor": EDITOR}
    old = NOW - datetime.timedelta(hours=1)
    pending = Doc(created_at=old)
    live = Doc(created_at=old, approved=True, published=True)
    gone = Doc(created_at=old, approved=True, published=True, deleted_at=NOW)

    def check(doc: Doc, expected: dict[str, set[str]]) -> None:
        permission_matrix(doc, users, expected, policy_class=EverythingDocPolicy, context=AT_NOW)

    check(
        pending,
        {
            "show": {"owner", "admin"},
            "update": {"admin"},
            "destroy": {"owner", "admin"},
            "approve": {"admin"},
            "publish": {"admin"},
        },
    )
    check(live, {"show": set(users), "update": {"admin"}, "approve": set(), "unpublish": {"admin"}})
    check(gone, {"show": {"admin"}, "update": set(), "destroy": set(), "restore": {"admin"}})


def test_attribute_names_are_configurable() -> None:
    @dataclasses.dataclass
    class Page:
        live: bool = False
        gone: bool = False

    assert_permit(STRANGER, Page(live=True), "show", policy_class=RenamedDocPolicy)
    assert_forbid(
        ADMIN,
        Page(live=True, gone=True),
        "unpublish",
        reason="deleted",
        policy_class=RenamedDocPolicy,
    )
    assert_permit(ADMIN, Page(gone=True), "restore", policy_class=RenamedDocPolicy)


def test_mixin_helpers_are_never_rules() -> None:
    assert EverythingDocPolicy.rule_names() == {
        "index",
        "show",
        "create",
        "update",
        "destroy",
        "publish",
        "unpublish",
        "approve",
        "reject",
        "restore",
    }


def test_a_policy_can_extend_a_mixin_rule_with_super() -> None:
    class EditorDocPolicy(OwnableMixin, Policy):
        def update(self) -> t.Any:
            return super().update() or self._has_role(("editor",))

    assert_permit(EDITOR, Doc(), "update", policy_class=EditorDocPolicy)
    assert_forbid(STRANGER, Doc(), "update", policy_class=EditorDocPolicy)
