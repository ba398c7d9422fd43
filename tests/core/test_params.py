"""policy_params: strong parameters from JSON and form bodies."""

from __future__ import annotations

import json
import types
import typing as t

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from flask_simple_authorize import Policy
from flask_simple_authorize import policy_params

from .sample import Post
from .sample import User


@pytest.fixture
def echo(app: Flask) -> Flask:
    @app.post("/posts/<int:post_id>/update")
    def update(post_id: int) -> t.Any:
        return policy_params(Post)

    @app.post("/posts/<int:post_id>/nested")
    def nested(post_id: int) -> t.Any:
        return policy_params(Post, "post", action="update")

    @app.post("/posts")
    def create() -> t.Any:
        return policy_params(Post)

    return app


BODY = {"title": "T", "body": "B", "published": True, "user_id": 1, "is_admin": True}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("viewer", {"title": "T", "body": "B"}),
        ("admin", {"title": "T", "body": "B", "published": True}),
    ],
)
def test_json_is_filtered_to_permitted_attributes(
    echo: Flask, login: t.Any, users: dict[str, User], name: str, expected: dict
) -> None:
    client: FlaskClient = login(users[name])
    assert client.post("/posts/1/update", json=BODY).json == expected


def test_form_data_is_filtered_to_permitted_attributes(
    echo: Flask, login: t.Any, author: User
) -> None:
    data = {"title": "T", "body": "B", "published": "1", "user_id": "1"}
    assert login(author).post("/posts/1/update", data=data).json == {"title": "T", "body": "B"}


def test_the_views_name_picks_permitted_attributes_for_create(
    echo: Flask, login: t.Any, admin: User
) -> None:
    assert login(admin).post("/posts", json=BODY).json == {"title": "T", "body": "B", "user_id": 1}


def test_a_nested_json_key_is_read(echo: Flask, login: t.Any, author: User) -> None:
    response = login(author).post("/posts/1/nested", json={"post": BODY, "title": "outer"})
    assert response.json == {"title": "T", "body": "B"}


def test_nested_form_fields_are_read(echo: Flask, login: t.Any, author: User) -> None:
    data = {"post[title]": "T", "post[published]": "1", "title": "outer", "post[body": "x"}
    assert login(author).post("/posts/1/nested", data=data).json == {"title": "T"}


def test_a_field_sent_more_than_once_gives_its_first_value_like_the_form(
    echo: Flask, login: t.Any, author: User
) -> None:
    # a checkbox followed by a hidden field of the same name: checked sends both
    data = MultiDict([("title", "T"), ("body", "checked"), ("body", "unchecked")])
    assert login(author).post("/posts/1/update", data=data).json == {
        "title": "T",
        "body": "checked",
    }


@pytest.mark.parametrize(
    ("path", "field"), [("/posts/1/update", "body[]"), ("/posts/1/nested", "post[body][]")]
)
def test_a_field_named_as_a_list_is_always_a_list(
    echo: Flask, login: t.Any, author: User, path: str, field: str
) -> None:
    one = login(author).post(path, data={field: "only", "user_id[]": "1"})
    assert one.json == {"body": ["only"]}
    two = login(author).post(path, data=MultiDict([(field, "a"), (field, "b")]))
    assert two.json == {"body": ["a", "b"]}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/posts/1/update", [BODY], id="list"),
        pytest.param("/posts/1/update", "title", id="string"),
        pytest.param("/posts/1/update", None, id="null"),
        pytest.param("/posts/1/nested", {"post": ["title"]}, id="key-holds-a-list"),
        pytest.param("/posts/1/nested", {"title": "T"}, id="key-missing"),
        pytest.param("/posts/1/nested", [{"post": BODY}], id="list-with-key"),
    ],
)
def test_json_that_is_not_an_object_is_a_bad_request(
    echo: Flask, login: t.Any, author: User, path: str, body: t.Any
) -> None:
    response = login(author).post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400


def test_malformed_json_is_a_bad_request(echo: Flask, login: t.Any, author: User) -> None:
    response = login(author).post(
        "/posts/1/update", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_anonymous_users_get_only_what_the_policy_permits_them(
    echo: Flask, client: FlaskClient
) -> None:
    assert client.post("/posts/1/update", json=BODY).json == {"title": "T", "body": "B"}


def test_a_namespace_picks_the_policy(app: Flask, as_user: t.Any, viewer: User) -> None:
    types.new_class(
        "PostPolicy",
        (Policy,),
        {"namespace": "intake"},
        lambda body: body.update(permitted_attributes=lambda self: ["body"]),
    )
    with as_user(viewer, "/posts", method="POST", json=BODY):
        assert policy_params(Post, action="update", namespace="intake") == {"body": "B"}
        assert policy_params(Post, action="update") == {"title": "T", "body": "B"}
