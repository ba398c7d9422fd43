"""Who acts: acting_as bindings, flask-login's current_user, anonymous users."""

from __future__ import annotations

import threading
import typing as t

import pytest
from flask import Flask
from flask_login import current_user

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import policy
from flask_simple_authorize import policy_scope
from flask_simple_authorize.actor import bound_actor
from flask_simple_authorize.actor import current_actor

from .sample import Post
from .sample import User
from .sample import db


def test_acting_as_binds_the_user_for_every_helper(app: Flask, admin: User, draft: Post) -> None:
    with acting_as(admin):
        assert authorize(draft, "destroy") is draft
        assert policy(draft).user is admin
        assert len(db.session.scalars(policy_scope(Post)).all()) == 3
    assert bound_actor() is None


def test_acting_as_overrides_the_logged_in_user(
    as_user: t.Any, admin: User, viewer: User, draft: Post
) -> None:
    with as_user(viewer):
        with acting_as(admin):
            assert allowed_to("update", draft)
        assert not allowed_to("update", draft)


def test_acting_as_offers_its_context_read_only(app: Flask, viewer: User, draft: Post) -> None:
    with acting_as(viewer, context={"ip": "10.0.0.1"}) as bound:
        context = policy(draft).context
        assert dict(context) == {"ip": "10.0.0.1"}
        assert bound.context is context
        with pytest.raises(TypeError):
            context["ip"] = "x"  # type: ignore[index]


def test_bindings_nest_and_unwind(app: Flask, admin: User, viewer: User) -> None:
    with acting_as(admin):
        with acting_as(viewer, job="tasks.nightly"):
            assert current_actor() is viewer
            assert bound_actor().job == "tasks.nightly"  # type: ignore[union-attr]
        assert current_actor() is admin
    assert bound_actor() is None


def test_a_binding_never_leaks_into_another_thread(app: Flask, admin: User) -> None:
    seen: list[t.Any] = []
    with acting_as(admin):
        thread = threading.Thread(target=lambda: seen.append(bound_actor()))
        thread.start()
        thread.join()
    assert seen == [None]


def test_a_binding_is_undone_when_the_block_raises(app: Flask, admin: User) -> None:
    with pytest.raises(RuntimeError), acting_as(admin):
        raise RuntimeError("job failed")
    assert bound_actor() is None


def test_a_proxy_is_unwrapped(as_user: t.Any, author: User, draft: Post) -> None:
    with as_user(author), acting_as(current_user) as bound:
        assert bound.user is author
        assert type(policy(draft).user) is User


def test_outside_a_request_the_actor_is_anonymous(app: Flask, live: Post) -> None:
    actor = current_actor()
    assert actor.is_authenticated is False
    assert allowed_to("show", live)
    assert not allowed_to("create", Post)


def test_in_a_request_the_actor_is_the_logged_in_user(as_user: t.Any, author: User) -> None:
    with as_user(author):
        assert current_actor() is author
    with as_user(None):
        assert current_actor().is_anonymous


def test_the_user_loaded_from_a_token_is_the_actor(app: Flask, author: User, draft: Post) -> None:
    @app.get("/whoami")
    def whoami() -> str:
        user = policy(draft).user
        return f"{getattr(user, 'name', 'anonymous')}:{allowed_to('update', draft)}"

    client = app.test_client()
    assert client.get("/whoami", headers={"X-Token": "token-author"}).text == "author:True"
    assert client.get("/whoami", headers={"X-Token": "token-viewer"}).text == "viewer:False"
    assert client.get("/whoami").text == "anonymous:False"


def test_without_flask_login_there_is_no_actor(draft: Post) -> None:
    bare = Flask("bare")
    SimpleAuthorize(bare)
    with bare.test_request_context(), pytest.raises(ConfigurationError, match="LoginManager"):
        allowed_to("update", draft)
    with bare.app_context(), pytest.raises(ConfigurationError, match="acting_as"):
        allowed_to("update", draft)


def test_without_flask_login_a_bound_user_still_acts(author: User, draft: Post) -> None:
    bare = Flask("bare")
    SimpleAuthorize(bare)
    with bare.app_context(), acting_as(author):
        assert allowed_to("update", draft)


def test_outside_an_app_context_the_error_says_what_to_do(author: User) -> None:
    thread_errors: list[BaseException] = []

    def run() -> None:
        try:
            allowed_to("update", Post, user=author)
        except RuntimeError as error:
            thread_errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert "application context" in str(thread_errors[0])
