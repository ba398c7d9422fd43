"""Signing in and out with the login form."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from example_app.extensions import db
from example_app.models import User
from example_app.models import hash_token

from .conftest import LoginAs


def test_good_password_signs_in_and_goes_to_the_posts(client: FlaskClient):
    response = client.post("/login", data={"username": "author", "password": "author-demo"})
    assert response.status_code == 302
    assert response.location == "/"
    assert "author (author)" in client.get("/").text


def test_wrong_password_is_refused_with_a_message(client: FlaskClient):
    response = client.post("/login", data={"username": "author", "password": "nope"})
    assert response.status_code == 200
    assert "wrong password" in response.text
    assert client.get("/").status_code == 302


def test_login_returns_to_a_local_next_page_only(client: FlaskClient):
    data = {"username": "viewer", "password": "viewer-demo"}
    assert client.post("/login?next=/posts/1", data=data).location == "/posts/1"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/x", data=data).location == "/"


def test_logout_is_post_only(login_as: LoginAs):
    client = login_as("viewer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_passwords_and_tokens_are_stored_hashed(app: Flask, tokens: dict[str, str]):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "admin"))
        assert user is not None
        assert "admin-demo" not in user.password_hash
        assert user.check_password("admin-demo")
        assert user.token_hash == hash_token(tokens["admin"]) != tokens["admin"]
