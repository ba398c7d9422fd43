"""The quick start's app runs as written: allowed, denied, anonymous and scoped."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

HELLO, ALICE_DRAFT, BOB_DRAFT = 1, 2, 3
JSON = {"Accept": "application/json"}


def log_in(client: FlaskClient, name: str) -> None:
    response = client.post("/login", data={"name": name, "password": "secret"})
    assert response.status_code == 302


def titles(client: FlaskClient) -> list[str]:
    return [post["title"] for post in client.get("/api/posts").get_json()]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, ["Hello"]),
        ("alice", ["Hello", "Draft"]),
        ("bob", ["Hello", "Bob's draft"]),
        ("admin", ["Hello", "Draft", "Bob's draft"]),
    ],
    ids=["anonymous", "alice", "bob", "admin"],
)
def test_post_list_is_scoped_to_what_the_user_may_see(
    client: FlaskClient, name: str | None, expected: list[str]
) -> None:
    if name is not None:
        log_in(client, name)
    assert titles(client) == expected
    page = client.get("/").get_data(as_text=True)
    for title in ["Hello", "Draft", "Bob&#39;s draft"]:
        assert (f">{title}</a>" in page) == (title.replace("&#39;", "'") in expected)


def test_owner_edits_her_draft_and_only_permitted_attributes_change(
    client: FlaskClient,
) -> None:
    log_in(client, "alice")
    response = client.patch(
        f"/api/posts/{ALICE_DRAFT}", json={"post": {"title": "Edited", "published": True}}
    )
    assert response.status_code == 200
    assert response.get_json()["title"] == "Edited"
    assert response.get_json()["published"] is False


def test_owner_edits_through_the_html_form(client: FlaskClient) -> None:
    log_in(client, "alice")
    response = client.post(f"/posts/{ALICE_DRAFT}", data={"title": "From the form"})
    assert response.status_code == 302
    assert "From the form" in client.get(f"/posts/{ALICE_DRAFT}").get_data(as_text=True)


def test_denied_api_call_answers_403_json_with_the_reason(client: FlaskClient) -> None:
    log_in(client, "alice")
    response = client.post(f"/api/posts/{ALICE_DRAFT}/publish", headers=JSON)
    assert response.status_code == 403
    assert response.get_json()["error"] == "not_authorized"
    assert response.get_json()["reason"] == "only_editors_publish"


def test_denied_edit_of_someone_elses_post_answers_403(client: FlaskClient) -> None:
    log_in(client, "bob")
    response = client.patch(f"/api/posts/{ALICE_DRAFT}", json={"post": {"title": "Mine"}})
    assert response.status_code == 403
    log_in(client, "alice")
    assert "Draft" in titles(client)


def test_anonymous_api_call_answers_401_json(client: FlaskClient) -> None:
    response = client.patch(f"/api/posts/{HELLO}", json={"post": {"title": "Spam"}})
    assert response.status_code == 401
    assert response.get_json()["error"] == "not_authorized"


def test_anonymous_html_request_goes_to_the_login_page(client: FlaskClient) -> None:
    response = client.get(f"/posts/{ALICE_DRAFT}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_api_denial_answers_json_to_a_bare_client(client: FlaskClient) -> None:
    response = client.post(f"/api/posts/{ALICE_DRAFT}/publish")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": "not_authorized",
        "message": "You are not authorized to perform this action.",
        "reason": "only_editors_publish",
    }


@pytest.mark.parametrize(
    ("next_page", "expected"),
    [(f"/posts/{ALICE_DRAFT}", f"/posts/{ALICE_DRAFT}"), ("https://evil.example/", "/")],
    ids=["local", "foreign"],
)
def test_login_returns_to_a_local_next_page_only(
    client: FlaskClient, next_page: str, expected: str
) -> None:
    response = client.post(
        "/login", query_string={"next": next_page}, data={"name": "alice", "password": "secret"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_admin_publishes_and_the_post_becomes_public(client: FlaskClient) -> None:
    log_in(client, "admin")
    response = client.post(f"/api/posts/{BOB_DRAFT}/publish", headers=JSON)
    assert response.status_code == 200
    client.post("/logout")
    assert "Bob's draft" in titles(client)


@pytest.mark.parametrize(
    ("name", "edit_form", "publish_hint"),
    [("alice", True, False), ("bob", False, False), ("admin", True, True)],
    ids=["owner", "stranger", "admin"],
)
def test_templates_show_only_the_actions_the_user_may_take(
    client: FlaskClient, name: str, edit_form: bool, publish_hint: bool
) -> None:
    log_in(client, name)
    if name == "bob":
        page = client.get(f"/posts/{HELLO}").get_data(as_text=True)
    else:
        page = client.get(f"/posts/{ALICE_DRAFT}").get_data(as_text=True)
    assert ('id="edit"' in page) == edit_form
    assert ("You may publish" in page) == publish_hint
