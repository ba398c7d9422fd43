"""The denial error: its message and its 403/404 choice."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask

from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import authorize
from flask_simple_authorize.state import get_state

from .sample import Post
from .sample import User


class ShyPolicy(Policy):
    hide_denied = True


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_DEFAULT_MESSAGE": "Not for you."}])
def test_the_message_is_the_call_s_then_the_function_s_then_the_default(
    app: Flask, as_user: t.Any, viewer: User, draft: Post
) -> None:
    def denied() -> NotAuthorizedError:
        with as_user(viewer), pytest.raises(NotAuthorizedError) as caught:
            authorize(draft, "update", message=message)
        return caught.value

    message = None
    assert denied().message == "Not for you."
    get_state(app).extension.denial_message(lambda policy, rule, reason: f"cannot {rule}")
    assert denied().message == "cannot update"
    message = "Ask the author."
    assert denied().message == "Ask the author."


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_DEFAULT_MESSAGE": "Not for you."}])
@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
def test_a_message_function_that_raises_is_logged_and_the_default_message_used(
    app: Flask,
    login: t.Any,
    viewer: User,
    draft: Post,
    hidden: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(policy: Policy, rule: str, reason: str | None) -> str:
        raise KeyError("no translation")

    get_state(app).extension.denial_message(broken)

    @app.get("/drafts/<int:post_id>/edit")
    def edit(post_id: int) -> str:
        authorize(draft, "update", hidden=hidden)
        return "edited"

    with caplog.at_level(logging.ERROR, logger="flask_simple_authorize"):
        response = login(viewer).get(
            f"/drafts/{draft.id}/edit", headers={"Accept": "application/json"}
        )

    assert response.status_code == (404 if hidden else 403)
    if not hidden:
        assert response.get_json()["message"] == "Not for you."
    assert "denial_message function raised for PostPolicy.update" in caplog.text


@pytest.mark.parametrize(
    ("policy_class", "hidden", "code"),
    [
        (None, None, 403),
        (None, True, 404),
        (ShyPolicy, None, 404),
        (ShyPolicy, False, 403),
    ],
    ids=["default", "call-hides", "policy-hides", "call-overrides-policy"],
)
def test_hiding_follows_the_call_then_the_policy(
    as_user: t.Any,
    viewer: User,
    draft: Post,
    policy_class: type[Policy] | None,
    hidden: bool | None,
    code: int,
) -> None:
    with as_user(viewer), pytest.raises(NotAuthorizedError) as caught:
        authorize(draft, "update", policy_class=policy_class, hidden=hidden)
    assert caught.value.code == code
    assert caught.value.hidden is (code == 404)
