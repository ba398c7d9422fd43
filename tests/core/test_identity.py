"""Ids and type names for payloads, logs and queues."""

from __future__ import annotations

import typing as t

import pytest
from flask_login import AnonymousUserMixin

from flask_simple_authorize.identity import record_id_of
from flask_simple_authorize.identity import record_type_of
from flask_simple_authorize.identity import user_id_of

from .sample import Post
from .sample import User


class Visitor:
    is_authenticated = True

    def get_id(self) -> str:
        return "v-1"


class Plain:
    id = 12


def test_user_ids(admin: User) -> None:
    assert user_id_of(admin) == admin.id
    assert user_id_of(Visitor()) == "v-1"
    assert user_id_of(AnonymousUserMixin()) is None
    assert user_id_of(None) is None


def test_record_ids_of_models_plain_objects_and_classes(draft: Post) -> None:
    assert record_id_of(draft) == draft.id
    assert record_id_of(Plain()) == 12
    assert record_id_of(Post(title="new", user_id=1)) is None
    assert record_id_of(Post) is None
    assert record_id_of(None) is None


@pytest.mark.parametrize(
    ("record", "name"),
    [(Post, "Post"), (Plain(), "Plain"), (None, None)],
    ids=["class", "instance", "none"],
)
def test_record_type_names(record: t.Any, name: str | None) -> None:
    assert record_type_of(record) == name
