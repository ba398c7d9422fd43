"""Logging a test client in and out as a user."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user
from flask_login import fresh_login_required

from flask_simple_authorize import skip_authorization
from flask_simple_authorize.testing import login_client
from flask_simple_authorize.testing import logout_client

from .blog import Article
from .blog import Member


def test_logged_in_client_acts_as_the_user(
    client: FlaskClient, author: Member, draft: Article
) -> None:
    assert (
        client.get(f"/articles/{draft.id}", headers={"Accept": "application/json"}).status_code
        == 401
    )
    login_client(client, author)
    assert client.get(f"/articles/{draft.id}").json == {"title": "Draft", "can_publish": False}
    logout_client(client)
    assert (
        client.get(f"/articles/{draft.id}", headers={"Accept": "application/json"}).status_code
        == 401
    )


@pytest.mark.parametrize("protection", ["basic", "strong"])
def test_login_survives_session_protection(
    app: Flask, client: FlaskClient, admin: Member, protection: str
) -> None:
    app.config["SESSION_PROTECTION"] = protection

    @app.get("/fresh")
    @skip_authorization
    @fresh_login_required
    def fresh() -> str:
        return str(current_user.name)

    login_client(client, admin)
    assert client.get("/fresh").text == "admin"


def test_stale_login_is_not_fresh(app: Flask, client: FlaskClient, admin: Member) -> None:
    @app.get("/fresh")
    @fresh_login_required
    def fresh() -> str:
        return "fresh"

    login_client(client, admin, fresh=False)
    assert client.get("/fresh").status_code == 401
