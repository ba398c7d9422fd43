"""The JSON API with bearer tokens."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import load_post
from .conftest import post_id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param(bearer("not-a-real-token"), id="unknown-token"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4tZGVtbw=="}, id="other-scheme"),
    ],
)
def test_api_answers_401_in_json_without_a_valid_token(client: FlaskClient, headers):
    response = client.get("/api/posts", headers=headers)
    assert response.status_code == 401
    assert response.json is not None
    assert response.json["error"] == "not_authorized"


BROWSER_ACCEPT = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("user", "status"),
    [pytest.param(None, 401, id="anonymous"), pytest.param("viewer", 403, id="viewer")],
)
def test_api_denials_answer_json_even_to_a_client_that_prefers_html(
    app: Flask, client: FlaskClient, tokens, user, status
):
    headers = {**BROWSER_ACCEPT, **(bearer(tokens[user]) if user else {})}
    response = client.patch(
        f"/api/posts/{post_id(app, 'How policies work')}",
        data="{}",
        headers=headers,
    )
    assert response.status_code == status
    assert response.location is None
    assert response.json is not None
    assert response.json["error"] == "not_authorized"


def test_api_lists_the_posts_of_the_tokens_user(client: FlaskClient, tokens):
    response = client.get("/api/posts", headers=bearer(tokens["viewer"]))
    assert response.status_code == 200
    assert {post["title"] for post in response.json} == {"Welcome to the blog", "How policies work"}
    assert all(post["published"] for post in response.json)


def test_api_answers_403_in_json_with_a_viewers_token(app: Flask, client: FlaskClient, tokens):
    response = client.patch(
        f"/api/posts/{post_id(app, 'How policies work')}",
        json={"post": {"title": "Hijacked"}},
        headers=bearer(tokens["viewer"]),
    )
    assert response.status_code == 403
    assert response.json == {
        "error": "not_authorized",
        "message": response.json["message"],
        "reason": "not_your_post",
    }
    assert load_post(app, "How policies work").title == "How policies work"


def test_api_update_keeps_only_permitted_attributes(app: Flask, client: FlaskClient, tokens):
    response = client.patch(
        f"/api/posts/{post_id(app, 'Draft: background jobs')}",
        json={"post": {"title": "Jobs via API", "published": True, "user_id": 1}},
        headers=bearer(tokens["author"]),
    )
    assert response.status_code == 200
    assert response.json["title"] == "Jobs via API"
    assert response.json["published"] is False
    assert response.json["author"] == "author"


def test_api_answers_404_in_json_for_unknown_posts(client: FlaskClient, tokens):
    response = client.get("/api/posts/999", headers=bearer(tokens["admin"]))
    assert response.status_code == 404
    assert response.json == {"error": "not_found"}


def test_api_publish_queues_the_job(app: Flask, client: FlaskClient, tokens):
    draft = post_id(app, "Draft: admin notes")
    response = client.post(f"/api/posts/{draft}/publish", headers=bearer(tokens["admin"]))
    assert response.status_code == 202
    assert response.json == {"queued": True, "post": draft}
    assert load_post(app, "Draft: admin notes").published is True


def test_api_refuses_to_publish_twice(app: Flask, client: FlaskClient, tokens):
    welcome = post_id(app, "Welcome to the blog")
    response = client.post(f"/api/posts/{welcome}/publish", headers=bearer(tokens["admin"]))
    assert response.status_code == 403
    assert response.json["reason"] == "already_published"


def test_a_token_does_not_open_a_browser_session(client: FlaskClient, tokens):
    client.get("/api/posts", headers=bearer(tokens["admin"]))
    assert client.get("/").status_code == 302
