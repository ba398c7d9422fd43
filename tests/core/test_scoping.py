"""policy_scope: Select, model classes, legacy queries and plain collections."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import InvalidRuleResultError
from flask_simple_authorize import Policy
from flask_simple_authorize import ScopeNotDefinedError
from flask_simple_authorize import policy_scope
from flask_simple_authorize import signals

from .sample import Post
from .sample import PostPolicy
from .sample import User
from .sample import db
from .sample import oracle


class Lamp:
    def __init__(self, on: bool) -> None:
        self.on = on


class LampPolicy(Policy):
    """A policy whose Scope defines neither resolve() nor includes()."""


class Bulb:
    def __init__(self, on: bool) -> None:
        self.on = on


class BulbPolicy(Policy):
    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            return None

        def includes(self, record: t.Any) -> bool:
            return t.cast(bool, record.on)


class Leaflet:
    """Looks published to PostPolicy.Scope, but its own scope keeps nothing."""

    published = True
    user_id = None


class LeafletPolicy(Policy):
    class Scope(Policy.Scope):
        def includes(self, record: t.Any) -> bool:
            return False


def titles(result: t.Any) -> list[str]:
    return [post.title for post in result]


@pytest.mark.parametrize("name", ["admin", "author", "viewer"])
def test_a_select_is_narrowed_to_what_the_user_may_see(
    as_user: t.Any, users: dict[str, User], posts: dict[str, Post], name: str
) -> None:
    expected = [p.title for p in posts.values() if oracle(users[name], p, "show")]
    with as_user(users[name]):
        scoped = policy_scope(sa.select(Post).order_by(Post.id))
        assert isinstance(scoped, sa.Select)
        assert titles(db.session.scalars(scoped)) == expected


def test_a_model_class_means_select_model(as_user: t.Any, viewer: User, posts: dict) -> None:
    with as_user(viewer):
        scoped = policy_scope(Post)
        assert isinstance(scoped, sa.Select)
        assert titles(db.session.scalars(scoped)) == ["live"]


def test_a_legacy_query_is_narrowed_and_stays_a_query(as_user: t.Any, author: User) -> None:
    with as_user(author):
        scoped = policy_scope(db.session.query(Post).order_by(Post.id))
        assert isinstance(scoped, sa.orm.Query)
        assert titles(scoped.all()) == ["draft", "live"]


def test_anonymous_users_get_the_public_records(as_user: t.Any, posts: dict) -> None:
    with as_user(None):
        assert titles(db.session.scalars(policy_scope(Post))) == ["live"]


@pytest.mark.parametrize(
    "kind",
    [list, tuple, set, frozenset],
    ids=lambda kind: kind.__name__,
)
def test_a_collection_is_filtered_and_keeps_its_kind(
    as_user: t.Any, viewer: User, posts: dict[str, Post], kind: type
) -> None:
    with as_user(viewer):
        scoped = policy_scope(kind(posts.values()))
    assert type(scoped) is kind
    assert titles(scoped) == ["live"]


def test_other_iterables_give_a_list(as_user: t.Any, viewer: User, posts: dict) -> None:
    with as_user(viewer):
        assert titles(policy_scope(post for post in posts.values())) == ["live"]


@pytest.mark.parametrize("empty", [[], (), set()], ids=["list", "tuple", "set"])
def test_an_empty_collection_stays_empty(as_user: t.Any, viewer: User, empty: t.Any) -> None:
    with as_user(viewer):
        assert policy_scope(empty) == empty


def test_each_record_of_a_mixed_collection_is_judged_by_its_own_scope(
    as_user: t.Any, viewer: User, posts: dict[str, Post]
) -> None:
    bulbs = [Bulb(on=True), Bulb(on=False)]
    mixed = [posts["live"], Leaflet(), bulbs[0], posts["draft"], bulbs[1]]
    with as_user(viewer):
        assert policy_scope(mixed) == [posts["live"], bulbs[0]]


def test_includes_must_answer_a_bool(as_user: t.Any, viewer: User) -> None:
    lamps = [Bulb(on=True), Bulb(on=False)]
    with as_user(viewer):
        assert policy_scope(lamps) == [lamps[0]]
        with pytest.raises(InvalidRuleResultError, match=r"Scope\.includes\(\) returned int"):
            policy_scope([Bulb(on=1)])  # type: ignore[arg-type]


def test_a_scope_without_resolve_names_the_policy(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(ScopeNotDefinedError) as caught:
        policy_scope(Lamp)
    assert "LampPolicy.Scope does not define resolve()" in str(caught.value)


def test_a_scope_without_includes_names_the_policy(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(ScopeNotDefinedError, match=r"LampPolicy\.Scope.*includes"):
        policy_scope([Lamp(on=True)])


def test_a_resolve_that_returns_none_is_an_error(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(ConfigurationError, match=r"resolve\(\) returned None"):
        policy_scope(sa.select(Post), policy_class=BulbPolicy)


def test_a_class_that_is_not_a_model_is_a_clear_error(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(ConfigurationError, match="Bulb is not a mapped model"):
        policy_scope(Bulb)


@pytest.mark.parametrize(
    "scope", ["posts", b"x", {"a": 1}, 42], ids=["str", "bytes", "dict", "int"]
)
def test_scopes_of_another_kind_are_refused(as_user: t.Any, viewer: User, scope: t.Any) -> None:
    with as_user(viewer), pytest.raises(ConfigurationError, match="policy_scope"):
        policy_scope(scope)


def test_a_query_of_columns_needs_a_policy_class(as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(ConfigurationError, match="policy_class="):
        policy_scope(sa.select(sa.literal(1)))


def test_a_query_of_columns_is_narrowed_by_the_policy_class_given(
    as_user: t.Any, viewer: User, posts: dict
) -> None:
    counted = sa.select(sa.func.count()).select_from(Post)
    with as_user(viewer):
        scoped = policy_scope(counted, policy_class=PostPolicy)
    assert db.session.scalar(scoped) == 1  # the one published post


def test_a_query_of_several_models_is_refused_rather_than_half_narrowed(
    as_user: t.Any, viewer: User, posts: dict
) -> None:
    both = sa.select(Post, User).join(User, User.id == Post.user_id)
    with as_user(viewer), pytest.raises(ConfigurationError, match=r"several \(Post, User\)"):
        policy_scope(both)
    with as_user(viewer):
        scoped = policy_scope(both, policy_class=PostPolicy)
    assert [post.title for post, _ in db.session.execute(scoped)] == ["live"]


def test_extra_columns_of_the_same_model_or_none_keep_the_model(
    as_user: t.Any, viewer: User, posts: dict
) -> None:
    with as_user(viewer):
        scoped = policy_scope(sa.select(Post, Post.title, sa.literal(1)))
    assert [post.title for post, _, _ in db.session.execute(scoped)] == ["live"]


def test_policy_class_picks_the_scope(as_user: t.Any, viewer: User) -> None:
    lamps = [Lamp(on=True), Lamp(on=False)]
    with as_user(viewer):
        assert policy_scope(lamps, policy_class=BulbPolicy) == [lamps[0]]


def test_scoping_sends_policy_scoped(app: Flask, as_user: t.Any, viewer: User) -> None:
    received: list[dict[str, t.Any]] = []

    def receiver(sender: Flask, **payload: t.Any) -> None:
        received.append({"sender": sender, **payload})

    with signals.policy_scoped.connected_to(receiver, sender=app), as_user(viewer):
        result = policy_scope(Post)
    assert len(received) == 1
    payload = received[0]
    assert payload["sender"] is app
    assert payload["user"] is viewer
    assert payload["user_id"] == viewer.id
    assert payload["record_type"] == "Post"
    assert payload["policy_name"] == "PostPolicy"
    assert payload["scope"] is Post
    assert payload["result"] is result


class Badge:
    """Chooses its policy per instance: a revoked badge is nobody's to see."""

    def __init__(self, revoked: bool) -> None:
        self.revoked = revoked

    @property
    def __policy__(self) -> type[Policy] | None:
        return LeafletPolicy if self.revoked else BulbPolicy

    on = True


def test_a_collection_honours_each_records_own_policy(
    app: Flask, as_user: t.Any, viewer: User
) -> None:
    hidden = Bulb(on=True)
    hidden.__policy__ = LeafletPolicy  # type: ignore[attr-defined]
    shown = Bulb(on=True)
    badges = [Badge(revoked=True), Badge(revoked=False)]
    received: list[str | None] = []

    def receiver(sender: Flask, **payload: t.Any) -> None:
        received.append(payload["policy_name"])

    with signals.policy_scoped.connected_to(receiver, sender=app), as_user(viewer):
        assert policy_scope([hidden, shown]) == [shown]
        assert policy_scope(badges) == [badges[1]]
        assert policy_scope(badges[::-1]) == [badges[1]]
    assert received == ["LeafletPolicy", "LeafletPolicy", "BulbPolicy"]


def test_a_model_choosing_its_policy_per_record_is_scoped_by_its_name(
    as_user: t.Any, viewer: User, posts: dict[str, Post], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Post, "__policy__", property(lambda post: None), raising=False)
    with as_user(viewer):
        assert titles(db.session.scalars(policy_scope(Post))) == ["live"]
        assert titles(db.session.scalars(policy_scope(sa.select(Post)))) == ["live"]
