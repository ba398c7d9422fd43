"""The enqueue side: only ids and JSON-safe values cross the queue."""

from __future__ import annotations

import datetime
import decimal
import typing as t
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask
from huey import MemoryHuey
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import JobArgumentError
from flask_simple_authorize import Policy
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey import looks_secret
from flask_simple_authorize.huey.spec import META_KEY

from .blog import Post
from .blog import User
from .blog import db

DEVICE_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


class KeyedBase(DeclarativeBase):
    """Models that are never stored: enqueueing only reads their primary keys."""


class Tag(KeyedBase):
    __tablename__ = "keyed_tags"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class Device(KeyedBase):
    __tablename__ = "keyed_devices"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class Grant(KeyedBase):
    __tablename__ = "keyed_grants"
    team_id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class KeyedPolicy(Policy):
    def update(self) -> bool:
        return True


@pytest.fixture
def huey() -> MemoryHuey:
    return MemoryHuey("jobs-arguments", immediate=False)


@pytest.fixture
def update_post(huey: t.Any, app: Flask) -> t.Any:
    @huey_authorized_task(huey, Post, "update")
    def update_post(user: User, post: Post, changes: t.Any = None, **options: t.Any) -> None:
        pass

    return update_post


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "user_password",
        "passwd",
        "apiToken",
        "api_key",
        "secret",
        "card_number",
        "cvv",
        "ssn",
        "private_key",
        "csrf_token",
    ],
)
def test_secret_looking_names_are_recognised(name: str):
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name", ["title", "payment_method_id", "token_id", "changes", "keyboard", "spin_count"]
)
def test_ordinary_names_are_not_secrets(name: str):
    assert not looks_secret(name)


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        pytest.param(lambda task, i: task(i["admin"], i["draft"], password="x"), "secret", id="kw"),
        pytest.param(
            lambda task, i: task(i["admin"], i["draft"], {"card_number": "4111"}),
            "secret",
            id="nested-key",
        ),
        pytest.param(
            lambda task, i: task(i["admin"], i["draft"], datetime.date(2024, 1, 1)),
            "date",
            id="date",
        ),
        pytest.param(
            lambda task, i: task(i["admin"], i["draft"], decimal.Decimal("1")),
            "Decimal",
            id="decimal",
        ),
        pytest.param(lambda task, i: task(i["admin"], i["draft"], float("nan")), "nan", id="nan"),
        pytest.param(lambda task, i: task(i["admin"], i["draft"], {1: "a"}), "key", id="int-key"),
        pytest.param(lambda task, i: task(i["admin"], None), "None", id="no-record"),
        pytest.param(lambda task, i: task(None, i["draft"]), "user", id="no-user"),
        pytest.param(lambda task, i: task(i["admin"]), "missing", id="too-few"),
        pytest.param(
            lambda task, i: task.schedule((i["admin"], i["draft"], object()), delay=5),
            "object",
            id="schedule",
        ),
        pytest.param(
            lambda task, i: task.map([(i["admin"], i["draft"]), (i["admin"], i["draft"], {2})]),
            "set",
            id="map",
        ),
    ],
)
def test_refused_argument_raises_and_queues_nothing(
    huey: t.Any, update_post: t.Any, ids: dict[str, int], call: t.Any, problem: str
):
    before = huey.pending_count() + huey.scheduled_count()

    with pytest.raises(JobArgumentError, match=problem) as info:
        call(update_post, ids)

    assert "nothing was queued" in str(info.value)
    assert huey.pending_count() + huey.scheduled_count() == before


def test_positional_argument_named_like_a_secret_is_refused(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    @huey_authorized_task(huey, Post, "update")
    def reset(user: User, post: Post, new_password: str) -> None:
        pass

    with pytest.raises(JobArgumentError, match="new_password"):
        reset(ids["admin"], ids["draft"], "hunter2")
    assert huey.pending_count() == 0


def test_allowed_arguments_lifts_the_secret_name_check(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    @huey_authorized_task(huey, Post, "update", allowed_arguments=["token_count"])
    def count(user: User, post: Post, token_count: int) -> None:
        pass

    count(ids["admin"], ids["draft"], 3)
    assert huey.pending_count() == 1


def test_json_safe_values_and_instances_are_queued_as_ids(
    huey: t.Any, app: Flask, update_post: t.Any, ids: dict[str, int]
):
    with app.app_context():
        author = db.session.get(User, ids["author"])
        post = db.session.get(Post, ids["draft"])
        update_post(author, post, {"title": "x", "tags": ["a", 1, 2.5, None, True]}, note=author)

    [message] = [huey.dequeue()]
    assert message.args == (
        ids["author"],
        ids["draft"],
        {"title": "x", "tags": ["a", 1, 2.5, None, True]},
    )
    assert message.kwargs == {"note": ids["author"]}


def test_unsaved_record_is_refused(
    huey: t.Any, app: Flask, update_post: t.Any, ids: dict[str, int]
):
    with app.app_context(), pytest.raises(JobArgumentError, match="never flushed"):
        update_post(ids["admin"], Post(title="new", user_id=ids["admin"]))
    assert huey.pending_count() == 0


def test_anonymous_user_is_refused(
    huey: t.Any, app: Flask, update_post: t.Any, ids: dict[str, int]
):
    from flask_login import AnonymousUserMixin

    with pytest.raises(JobArgumentError, match="anonymous"):
        update_post(AnonymousUserMixin(), ids["draft"])


def test_huey_call_keywords_still_work(huey: t.Any, update_post: t.Any, ids: dict[str, int]):
    update_post(ids["admin"], ids["draft"], delay=60, priority=5)

    message = huey.dequeue()
    assert message.eta is not None
    assert message.priority == 5
    assert message.kwargs == {}


def _nested(levels: int, leaf: t.Any = 1) -> t.Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "argument",
    [pytest.param(_nested(20), id="20 lists"), pytest.param(_nested(19, {"a": 1}), id="19+dict")],
)
def test_arguments_nested_20_levels_deep_are_queued(
    huey: t.Any, update_post: t.Any, ids: dict[str, int], argument: t.Any
):
    update_post(ids["admin"], ids["draft"], argument)

    assert huey.dequeue().args[2] == argument


@pytest.mark.parametrize(
    "argument",
    [pytest.param(_nested(21), id="21 lists"), pytest.param(_nested(20, {"a": 1}), id="20+dict")],
)
def test_arguments_nested_deeper_than_20_levels_are_refused(
    huey: t.Any, update_post: t.Any, ids: dict[str, int], argument: t.Any
):
    with pytest.raises(JobArgumentError, match="nested deeper than 20 levels"):
        update_post(ids["admin"], ids["draft"], argument)

    assert huey.pending_count() == 0


@pytest.mark.parametrize(
    ("model", "given", "queued"),
    [
        pytest.param(Post, "12", 12, id="digits-for-an-int-key"),
        pytest.param(Post, -3, -3, id="negative-int"),
        pytest.param(Tag, 12, "12", id="int-for-a-str-key"),
        pytest.param(Device, DEVICE_ID, str(DEVICE_ID), id="uuid"),
        pytest.param(Device, str(DEVICE_ID).upper(), str(DEVICE_ID), id="uuid-string"),
        pytest.param(Grant, (3, "admin"), [3, "admin"], id="composite-tuple"),
        pytest.param(Grant, ["3", "admin"], [3, "admin"], id="composite-list"),
    ],
)
def test_record_id_is_queued_in_the_form_of_the_models_key(
    huey: t.Any, app: Flask, model: type, given: t.Any, queued: t.Any
):
    @huey_authorized_task(huey, model, "update", policy_class=KeyedPolicy)
    def update(user: User, record: t.Any) -> None:
        pass

    update(1, given)

    assert huey.dequeue().args == (1, queued)


@pytest.mark.parametrize(
    ("model", "given"),
    [
        pytest.param(Post, "12x", id="no-number"),
        pytest.param(Post, "", id="empty"),
        pytest.param(Post, 1.5, id="float"),
        pytest.param(Post, True, id="bool"),
        pytest.param(Post, [1, 2], id="list-for-a-single-key"),
        pytest.param(Tag, 1.0, id="float-for-a-str-key"),
        pytest.param(Device, "not-a-uuid", id="no-uuid"),
        pytest.param(Grant, 3, id="scalar-for-a-composite-key"),
        pytest.param(Grant, [3], id="part-of-a-composite-key"),
        pytest.param(Grant, [3, "admin", 4], id="too-long-a-composite-key"),
        pytest.param(Grant, ["x", "admin"], id="bad-part"),
    ],
)
def test_record_id_that_cannot_be_a_key_of_the_model_is_refused(
    huey: t.Any, app: Flask, model: type, given: t.Any
):
    @huey_authorized_task(huey, model, "update", policy_class=KeyedPolicy)
    def update(user: User, record: t.Any) -> None:
        pass

    with pytest.raises(JobArgumentError, match=r"record_id.*its primary key"):
        update(1, given)

    assert huey.pending_count() == 0


def test_ids_of_a_task_with_a_record_loader_are_not_checked(huey: t.Any, app: Flask):
    @huey_authorized_task(huey, Post, "update", record_loader=lambda slug: None)
    def update_by_slug(user: User, post: Post) -> None:
        pass

    update_by_slug(1, "hello-world")

    assert huey.dequeue().args == (1, "hello-world")


@pytest.mark.parametrize(
    "name", [pytest.param(META_KEY, id="extension-meta"), pytest.param("task", id="huey-task")]
)
def test_reserved_keyword_is_refused_and_nothing_is_queued(
    huey: t.Any, update_post: t.Any, ids: dict[str, int], name: str
):
    # The extension's meta data carries the captured context: a caller must not forge it.
    with pytest.raises(JobArgumentError, match="reserved"):
        update_post(ids["admin"], ids["draft"], **{name: {"context": {"ip": "10.0.0.1"}}})

    assert huey.pending_count() == 0
