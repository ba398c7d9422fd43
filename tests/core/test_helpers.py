"""The view helpers: authorize, allowed_to, policy, the bulk helpers and the attribute helpers."""

from __future__ import annotations

import functools
import types
import typing as t
import weakref

import pytest
from flask import Blueprint
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user
from werkzeug.local import LocalProxy

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import RecordHiddenError
from flask_simple_authorize import UnknownActionError
from flask_simple_authorize import allowed_actions
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import authorize_all
from flask_simple_authorize import authorized_records
from flask_simple_authorize import decisions
from flask_simple_authorize import editable_attributes
from flask_simple_authorize import filter_attributes
from flask_simple_authorize import partition_records
from flask_simple_authorize import permitted_attributes
from flask_simple_authorize import policy
from flask_simple_authorize import visible_attributes
from flask_simple_authorize.testing import use_policies
from flask_simple_authorize.user_facts import user_fact

from .sample import Post
from .sample import PostPolicy
from .sample import User
from .sample import oracle


class Ticket:
    def __init__(self, id: int, open: bool = True) -> None:
        self.id = id
        self.open = open


class TicketPolicy(Policy):
    def close(self) -> bool:
        return bool(self.record.open)


class MemoTicket(Ticket):
    __policy__: t.ClassVar[type[Policy]]


class MemoTicketPolicy(Policy):
    """A rule that caches on self: a reused instance would answer from the cache."""

    def close(self) -> bool:
        if not hasattr(self, "_answer"):
            self._answer = bool(self.record.open)
        return self._answer


MemoTicket.__policy__ = MemoTicketPolicy


class InitTicketPolicy(Policy):
    def __init__(self, user: t.Any, record: t.Any = None, context: t.Any = None) -> None:
        super().__init__(user, record, context)
        self.open_at_start = bool(record.open)

    def close(self) -> bool:
        return self.open_at_start


class LockedTicketPolicy(TicketPolicy):
    def close(self) -> bool:
        return False


class StatsPolicy(Policy):
    def show(self) -> bool:
        return self.is_admin

    def export(self) -> bool:
        return self.is_authenticated


class Comment:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id


class CommentPolicy(Policy):
    def update(self) -> bool:
        return self.is_owner


def test_authorize_returns_the_record(as_user: t.Any, author: User, draft: Post) -> None:
    with as_user(author):
        assert authorize(draft, "update") is draft


def test_authorize_raises_with_query_record_and_policy(
    as_user: t.Any, viewer: User, draft: Post
) -> None:
    with as_user(viewer), pytest.raises(NotAuthorizedError) as caught:
        authorize(draft, "update")
    error = caught.value
    assert (error.query, error.record, type(error.policy)) == ("update", draft, PostPolicy)
    assert error.code == 403


def test_authorize_carries_the_rules_reason(as_user: t.Any, author: User, draft: Post) -> None:
    with as_user(author), pytest.raises(NotAuthorizedError) as caught:
        authorize(draft, "publish?")
    assert caught.value.reason == "needs_review"


def test_the_action_defaults_to_the_views_name(app: Flask, login: t.Any, author: User) -> None:
    blueprint = Blueprint("blog", __name__)

    @app.post("/posts/<int:post_id>/update")
    def update(post_id: int) -> str:
        return authorize(app.extensions["sqlalchemy"].session.get(Post, post_id)).title

    @blueprint.post("/posts/<int:post_id>/destroy")
    def destroy(post_id: int) -> str:
        return authorize(app.extensions["sqlalchemy"].session.get(Post, post_id)).title

    app.register_blueprint(blueprint)
    client: FlaskClient = login(author)
    assert client.post("/posts/1/update").text == "draft"
    assert (
        client.post("/posts/1/destroy", headers={"Accept": "application/json"}).status_code == 403
    )


def test_no_action_outside_a_view_is_a_clear_error(app: Flask, draft: Post, admin: User) -> None:
    with pytest.raises(ConfigurationError, match="pass the action"):
        authorize(draft, user=admin)


def test_allowed_to_answers_without_raising(as_user: t.Any, viewer: User, posts: dict) -> None:
    with as_user(viewer):
        assert allowed_to("show", posts["live"]) is True
        assert allowed_to("show", posts["draft"]) is False
        assert allowed_to("publish", posts["draft"]) is False


def test_classes_are_authorized_as_themselves(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer):
        assert authorize(Post, "create") is Post
    with as_user(None), pytest.raises(NotAuthorizedError):
        authorize(Post, "new")


def test_headless_policies_are_authorized_by_class(
    as_user: t.Any, admin: User, author: User
) -> None:
    with as_user(admin):
        assert authorize(StatsPolicy, "show") is StatsPolicy
    with as_user(author):
        assert not allowed_to("show", StatsPolicy)
        assert allowed_to("export", StatsPolicy)
        assert policy(StatsPolicy).record is None


def test_policy_returns_the_instance_for_the_actor(
    as_user: t.Any, author: User, draft: Post
) -> None:
    with as_user(author):
        found = policy(draft)
    assert isinstance(found, PostPolicy)
    assert found.user is author
    assert found.record is draft
    assert found.update() is True


def test_the_user_in_a_policy_is_never_a_proxy(as_user: t.Any, author: User, draft: Post) -> None:
    with as_user(author):
        assert not isinstance(policy(draft).user, LocalProxy)
        assert policy(draft, user=current_user).user is author


def test_an_anonymous_user_is_not_authenticated(as_user: t.Any, live: Post) -> None:
    with as_user(None):
        found = policy(live)
        assert found.is_authenticated is False
        assert found.user.is_anonymous
        assert allowed_to("show", live)
        assert not allowed_to("create", Post)


def test_user_decides_for_someone_else(
    as_user: t.Any, admin: User, viewer: User, draft: Post
) -> None:
    with as_user(viewer):
        assert allowed_to("update", draft, user=admin)
        assert authorize(draft, "destroy", user=admin) is draft


def test_policy_class_overrides_the_lookup(as_user: t.Any, admin: User, draft: Post) -> None:
    with as_user(admin):
        assert not allowed_to("update", draft, policy_class=Policy)


@pytest.mark.parametrize("action", ["show", "update", "destroy", "publish"])
def test_bulk_helpers_agree_with_the_oracle(
    as_user: t.Any, users: dict[str, User], posts: dict[str, Post], action: str
) -> None:
    records = list(posts.values())
    for user in users.values():
        expected = [post for post in records if oracle(user, post, action)]
        with as_user(user):
            assert authorized_records(records, action) == expected
            allowed, denied = partition_records(records, action)
            assert allowed == expected
            assert denied == [post for post in records if post not in expected]
            assert [d.allowed for _, d in decisions(records, action)] == [
                post in expected for post in records
            ]


def test_authorized_records_defaults_to_show(as_user: t.Any, viewer: User, posts: dict) -> None:
    with as_user(viewer):
        assert authorized_records(posts.values()) == [posts["live"]]


def test_authorize_all_returns_every_record_or_raises_on_the_first_denial(
    as_user: t.Any, author: User, posts: dict[str, Post]
) -> None:
    mine = [posts["draft"], posts["live"]]
    with as_user(author):
        assert authorize_all(mine, "update") == mine
        with pytest.raises(NotAuthorizedError) as caught:
            authorize_all([*mine, posts["secret"]], "update")
    assert caught.value.record is posts["secret"]
    assert caught.value.policy.record is posts["secret"]


def test_authorize_all_can_hide_and_word_its_denial(
    as_user: t.Any, author: User, posts: dict[str, Post]
) -> None:
    with as_user(author), pytest.raises(RecordHiddenError) as caught:
        authorize_all([posts["draft"], posts["secret"]], "update", hidden=True, message="nope")
    assert (caught.value.code, caught.value.message) == (404, "nope")


def test_decisions_keep_each_records_own_policy_and_reason(
    as_user: t.Any, author: User, posts: dict[str, Post]
) -> None:
    with as_user(author):
        pairs = decisions(list(posts.values()), "publish")
    assert [(record.title, d.policy.record, d.reason) for record, d in pairs] == [
        ("draft", posts["draft"], "needs_review"),
        ("live", posts["live"], "needs_review"),
        ("secret", posts["secret"], None),
    ]


def test_bulk_helpers_handle_mixed_record_types(as_user: t.Any, author: User, posts: dict) -> None:
    records = [posts["draft"], Comment(user_id=author.id), posts["secret"], Comment(user_id=99)]
    with as_user(author):
        assert authorized_records(records, "update") == [records[0], records[1]]


def test_bulk_helpers_look_up_each_class_given_as_a_record(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer):
        assert authorized_records([Post, StatsPolicy, Post], "create") == [Post, Post]
        assert authorized_records([StatsPolicy, Post], "index") == [Post]


def test_a_rule_that_caches_on_self_gets_a_fresh_policy_per_record(
    as_user: t.Any, viewer: User
) -> None:
    tickets = [MemoTicket(1, open=True), MemoTicket(2, open=False), MemoTicket(3, open=True)]
    with as_user(viewer):
        assert authorized_records(tickets, "close") == [tickets[0], tickets[2]]
        assert partition_records(tickets, "close")[1] == [tickets[1]]


def test_a_policy_with_its_own_init_gets_a_fresh_instance_per_record(
    as_user: t.Any, viewer: User
) -> None:
    tickets = [Ticket(1, open=True), Ticket(2, open=False), Ticket(3, open=True)]
    with as_user(viewer):
        assert authorized_records(tickets, "close", policy_class=InitTicketPolicy) == [
            tickets[0],
            tickets[2],
        ]


def test_a_per_instance_policy_is_honoured_in_bulk(as_user: t.Any, viewer: User) -> None:
    tickets = [Ticket(1), Ticket(2), Ticket(3)]
    tickets[1].__policy__ = LockedTicketPolicy  # type: ignore[attr-defined]
    with as_user(viewer):
        assert authorized_records(tickets, "close") == [tickets[0], tickets[2]]


def test_allowed_actions_lists_every_allowing_rule(
    as_user: t.Any, users: dict[str, User], posts: dict[str, Post]
) -> None:
    with as_user(users["admin"]):
        assert allowed_actions(posts["draft"]) == [
            "create",
            "destroy",
            "index",
            "publish",
            "show",
            "update",
        ]
    with as_user(users["author"]):
        assert allowed_actions(posts["draft"]) == ["create", "index", "show", "update"]
    with as_user(None):
        assert allowed_actions(posts["live"]) == ["index", "show"]


def test_permitted_attributes_prefer_the_action_specific_method(
    as_user: t.Any, admin: User, author: User, draft: Post
) -> None:
    with as_user(admin):
        assert permitted_attributes(draft, "update") == ["title", "body", "published"]
        assert permitted_attributes(draft, "create") == ["title", "body", "user_id"]
        assert permitted_attributes(draft, "create?") == ["title", "body", "user_id"]
    with as_user(author):
        assert permitted_attributes(draft, "update") == ["title", "body"]
        assert permitted_attributes(draft, "__class__") == ["title", "body"]


def test_permitted_attributes_refuse_a_non_string_action_and_strip_one_question_mark(
    as_user: t.Any, admin: User, draft: Post
) -> None:
    with as_user(admin):
        with pytest.raises(ConfigurationError, match="must be a rule name"):
            permitted_attributes(draft, 5)  # type: ignore[arg-type]
        # "create??" is no rule name: the generic list applies, as authorize refuses it
        assert permitted_attributes(draft, "create??") == ["title", "body", "published"]


def test_permitted_attributes_default_to_the_views_name(
    app: Flask, login: t.Any, admin: User
) -> None:
    @app.get("/posts/new")
    def create() -> t.Any:
        return permitted_attributes(Post)

    assert login(admin).get("/posts/new").json == ["title", "body", "user_id"]


def test_visible_editable_and_filtered_attributes(
    as_user: t.Any, admin: User, viewer: User, live: Post
) -> None:
    data = {"id": 2, "title": "t", "body": "b", "user_id": 5, "token": "x"}
    with as_user(viewer):
        assert visible_attributes(live) == ["id", "title", "body"]
        assert editable_attributes(live) == ["title", "body"]
        assert filter_attributes(live, data) == {"id": 2, "title": "t", "body": "b"}
    with as_user(admin):
        assert filter_attributes(live, data) == {"id": 2, "title": "t", "body": "b", "user_id": 5}
        assert editable_attributes(live) == ["title", "body", "published"]


class TeaserPolicy(Policy):
    def visible_attributes(self) -> list[str]:
        return ["title"]

    def permitted_attributes(self) -> list[str]:
        return ["body"]


def test_attribute_helpers_take_policy_class_and_namespace(
    as_user: t.Any, viewer: User, live: Post
) -> None:
    data = {"title": "t", "body": "b"}
    ticket = Ticket(1)
    types.new_class(
        "TicketPolicy",
        (Policy,),
        {"namespace": "desk"},
        lambda body: body.update(visible_attributes=lambda self: ["open"]),
    )
    with as_user(viewer):
        assert visible_attributes(live, policy_class=TeaserPolicy) == ["title"]
        assert editable_attributes(live, policy_class=TeaserPolicy) == ["body"]
        assert filter_attributes(live, data, policy_class=TeaserPolicy) == {"title": "t"}
        assert visible_attributes(ticket, namespace="desk") == ["open"]
        assert editable_attributes(ticket, namespace="desk") == []
        assert filter_attributes(ticket, {"open": 1, "id": 1}, namespace="desk") == {"open": 1}


class LateMemoTicketPolicy(Policy):
    """Starts caching on self only at the second record."""

    def close(self) -> bool:
        if self.record.id == 2:
            self._seen_two = True
        return bool(self.record.open) and not hasattr(self, "_seen_two")


class SlottedTicket:
    __slots__ = ("id", "open")

    def __init__(self, id: int, open: bool) -> None:
        self.id = id
        self.open = open


class SlottedTicketPolicy(Policy):
    def close(self) -> bool:
        return bool(self.record.open)


class WrappedTicketPolicy(Policy):
    """Keeps the record behind a property."""

    @property  # type: ignore[override]
    def record(self) -> t.Any:
        return self._wrapped

    @record.setter
    def record(self, value: t.Any) -> None:
        self._wrapped = value

    def close(self) -> bool:
        return bool(self.record.open)


class SlotMemoTicketPolicy(Policy):
    """Caches its answer in a slot, outside the instance ``__dict__``."""

    __slots__ = ("_answer",)

    def close(self) -> bool:
        try:
            return self._answer
        except AttributeError:
            self._answer = bool(self.record.open)
            return self._answer


class LruMemoTicketPolicy(Policy):
    """Caches a helper per instance with ``functools.lru_cache``."""

    @functools.cache  # noqa: B019
    def _open(self) -> bool:
        return bool(self.record.open)

    def close(self) -> bool:
        return self._open()


class _PerInstanceMemo:
    """A descriptor that remembers its first value per instance, in its own dict."""

    def __init__(self) -> None:
        self.values: weakref.WeakKeyDictionary[t.Any, bool] = weakref.WeakKeyDictionary()

    def __get__(self, instance: t.Any, owner: type | None = None) -> bool:
        return self.values.setdefault(instance, bool(instance.record.open))


class DescriptorMemoTicketPolicy(Policy):
    open_record = _PerInstanceMemo()

    def close(self) -> bool:
        return self.open_record


@pytest.mark.parametrize(
    "policy_class",
    [
        LateMemoTicketPolicy,
        WrappedTicketPolicy,
        SlotMemoTicketPolicy,
        LruMemoTicketPolicy,
        DescriptorMemoTicketPolicy,
        TicketPolicy,
    ],
    ids=["caches-later", "record-property", "slots", "lru-cache", "descriptor", "plain"],
)
def test_reused_policies_never_answer_for_another_record(
    as_user: t.Any, viewer: User, policy_class: type[Policy]
) -> None:
    tickets = [Ticket(i, open=i % 3 != 0) for i in range(1, 9)]
    with as_user(viewer):
        expected = [ticket for ticket in tickets if policy_class(viewer, ticket).close() is True]
        assert authorized_records(tickets, "close", policy_class=policy_class) == expected
        allowed, denied = partition_records(tickets, "close", policy_class=policy_class)
    assert allowed == expected
    assert denied == [ticket for ticket in tickets if ticket not in expected]


def test_records_without_a_dict_are_decided(as_user: t.Any, viewer: User) -> None:
    tickets = [SlottedTicket(1, True), SlottedTicket(2, False), SlottedTicket(3, True)]
    with as_user(viewer):
        assert authorized_records(tickets, "close") == [tickets[0], tickets[2]]


class CountedFactTicketPolicy(Policy):
    checks = 0

    @user_fact
    def is_support(self) -> bool:
        CountedFactTicketPolicy.checks += 1
        return self.is_authenticated

    def close(self) -> bool:
        return self.is_support and bool(self.record.open)


class TicketRules:
    """A plain mixin, not a Policy."""

    def _is_open(self) -> bool:
        return bool(self.record.open)  # type: ignore[attr-defined]


class MixedFactTicketPolicy(TicketRules, CountedFactTicketPolicy):
    def close(self) -> bool:
        return self.is_support and self._is_open()


@pytest.mark.parametrize(
    "policy_class",
    [CountedFactTicketPolicy, MixedFactTicketPolicy],
    ids=["policy", "with-plain-mixin"],
)
def test_user_facts_are_computed_once_per_batch(
    as_user: t.Any, viewer: User, policy_class: type[Policy]
) -> None:
    tickets = [Ticket(i, open=i % 2 == 0) for i in range(10)]
    CountedFactTicketPolicy.checks = 0
    with as_user(viewer):
        allowed = authorized_records(tickets, "close", policy_class=policy_class)
    assert allowed == tickets[::2]
    assert CountedFactTicketPolicy.checks <= 2


class Lever:
    pass


class LeverPolicy(Policy):
    def pull(self) -> bool:
        return True


def test_repeated_checks_follow_a_redefined_policy(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer):
        assert authorize(Lever(), "pull?")
        assert allowed_to("pull", Lever())

        class LeverPolicy(Policy):  # type: ignore[no-redef]
            def pull(self) -> bool:
                return False

        assert not allowed_to("pull", Lever())
        with pytest.raises(NotAuthorizedError):
            authorize(Lever(), "pull")


@pytest.mark.parametrize("action", [["pull"], None, 3], ids=["list", "none", "int"])
def test_repeated_checks_refuse_actions_that_are_not_strings(
    as_user: t.Any, viewer: User, action: t.Any
) -> None:
    with as_user(viewer):
        assert allowed_to("pull", Lever())
        for _ in range(2):
            with pytest.raises(UnknownActionError):
                allowed_to(action, Lever())


class UserPolicy(Policy):
    """Users edit their own profile; nobody else's."""

    def update(self) -> bool:
        return self.record is self.user

    def show(self) -> bool:
        return self.is_authenticated


def test_current_user_itself_can_be_the_record(as_user: t.Any, author: User, viewer: User) -> None:
    with use_policies(UserPolicy), as_user(author):
        assert authorize(current_user, "update") is current_user
        assert allowed_to("update", current_user)
        assert not allowed_to("update", viewer)
        assert policy(current_user).record is author
        assert allowed_actions(current_user) == ["show", "update"]
