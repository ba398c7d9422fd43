"""The extension: registration, factories, Jinja globals, context, messages, namespaces, cache."""

from __future__ import annotations

import typing as t

import pytest
from flask import Blueprint
from flask import Flask
from flask import render_template_string
from flask import request
from flask.testing import FlaskClient
from flask_login import login_user
from flask_login import logout_user

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import policy
from flask_simple_authorize.state import get_state

from .sample import Post
from .sample import User
from .sample import create_app
from .sample import db

TEMPLATE = """
{%- for post in authorized_records(posts) -%}
{{ post.title }}:{{ 'edit' if policy(post).update() else 'view' }}
{{- ':publish' if allowed_to('publish', post) else '' }};
{%- endfor -%}
"""


class Door:
    pass


class DoorPolicy(Policy):
    def open(self) -> bool:
        return self.context.get("ip") == "10.0.0.1"

    def knock(self) -> bool:
        return True


class Badge:
    pass


class BadgePolicy(Policy):
    def show(self) -> bool:
        return False


class AdminArea:
    """Namespaced policies usually live in their own module; here, in a class."""

    class BadgePolicy(Policy, namespace="admin"):
        def show(self) -> bool:
            return self.is_admin


AdminBadgePolicy = AdminArea.BadgePolicy


def test_init_app_supports_app_factories() -> None:
    authz = SimpleAuthorize()
    app = Flask(__name__)
    authz.init_app(app)
    assert get_state(app).extension is authz
    assert not hasattr(authz, "app")


def test_registering_twice_is_refused_with_a_clear_message() -> None:
    app = Flask(__name__)
    authz = SimpleAuthorize(app)
    with pytest.raises(ConfigurationError, match=r"already registered.*use that instance"):
        authz.init_app(app)
    with pytest.raises(ConfigurationError, match="already registered"):
        SimpleAuthorize(app)


def test_an_app_without_the_extension_gets_a_clear_error(author: User, draft: Post) -> None:
    bare = Flask("bare")
    with (
        bare.app_context(),
        pytest.raises(ConfigurationError, match="not registered on app 'bare'"),
    ):
        allowed_to("update", draft, user=author)


def test_two_apps_in_one_process_keep_their_own_config(app: Flask) -> None:
    hiding = create_app({"SIMPLE_AUTHORIZE_HIDE_DENIED": True})
    for each, status in ((app, 403), (hiding, 404)):
        with each.app_context():
            viewer = db.session.scalars(db.select(User).filter_by(name="viewer")).one()
            draft = db.session.get(Post, 1)
            with each.test_request_context(), pytest.raises(NotAuthorizedError) as caught:
                login_user(viewer)
                authorize(draft, "update")
            assert caught.value.code == status


def test_one_extension_can_serve_several_apps() -> None:
    authz = SimpleAuthorize()
    first, second = Flask("first"), Flask("second")
    second.config["SIMPLE_AUTHORIZE_VERIFY"] = True
    authz.init_app(first)
    authz.init_app(second)
    assert get_state(first).extension is get_state(second).extension is authz
    assert (get_state(first).settings.verify, get_state(second).settings.verify) == (False, True)


def test_jinja_globals_render_what_the_user_may_do(
    app: Flask, as_user: t.Any, users: dict[str, User], posts: dict[str, Post]
) -> None:
    rendered = {}
    for name in ("admin", "author", "viewer"):
        with as_user(users[name]):
            rendered[name] = render_template_string(TEMPLATE, posts=list(posts.values()))
    assert rendered == {
        "admin": "draft:edit:publish;live:edit:publish;secret:edit:publish;",
        "author": "draft:edit;live:edit;",
        "viewer": "live:view;",
    }


def test_the_context_provider_is_read_only_and_lazy(
    app: Flask, as_user: t.Any, viewer: User
) -> None:
    calls: list[int] = []
    authz = get_state(app).extension

    @authz.context_provider
    def provide() -> dict[str, str]:
        calls.append(1)
        return {"ip": "10.0.0.1"}

    with as_user(viewer):
        assert allowed_to("knock", Door())
        assert calls == []
        assert allowed_to("open", Door())
        assert calls == [1]
        context = policy(Door()).context
        with pytest.raises(TypeError):
            context["ip"] = "1.1.1.1"  # type: ignore[index]
        assert dict(context) == {"ip": "10.0.0.1"}


def test_without_a_provider_the_context_is_empty(app: Flask, as_user: t.Any, viewer: User) -> None:
    with as_user(viewer):
        assert not allowed_to("open", Door())
        assert dict(policy(Door()).context) == {}


def test_the_denial_message_function_names_the_denial(
    app: Flask, as_user: t.Any, author: User, draft: Post
) -> None:
    authz = get_state(app).extension

    @authz.denial_message
    def describe(found: Policy, rule: str, reason: str | None) -> str | None:
        return f"{type(found).__name__}.{rule}: {reason}" if reason else None

    with as_user(author), pytest.raises(NotAuthorizedError, match=r"^PostPolicy.publish: needs_"):
        authorize(draft, "publish")
    with as_user(None), pytest.raises(NotAuthorizedError) as caught:
        authorize(draft, "update")
    assert caught.value.message == "You are not authorized to perform this action."


def badge_area(app: Flask) -> Blueprint:
    """An ``admin`` namespaced blueprint whose ``/badge`` names the policy it found."""
    admin_area = Blueprint("admin_area", __name__)
    get_state(app).extension.register_namespace(admin_area, "admin")

    @admin_area.get("/badge")
    def badge() -> str:
        return type(policy(Badge())).__qualname__

    return admin_area


def test_a_blueprint_namespace_is_searched_first_with_fallback(
    app: Flask, login: t.Any, admin: User
) -> None:
    admin_area = badge_area(app)

    @admin_area.get("/post")
    def post() -> str:
        return type(policy(db.session.get(Post, 1))).__name__

    @app.get("/badge")
    def public_badge() -> str:
        return type(policy(Badge())).__name__

    app.register_blueprint(admin_area, url_prefix="/admin")
    client = login(admin)
    assert client.get("/admin/badge").text == "AdminArea.BadgePolicy"
    assert client.get("/admin/post").text == "PostPolicy"
    assert client.get("/badge").text == "BadgePolicy"


def test_a_namespace_covers_a_blueprint_registered_under_another_name(
    app: Flask, login: t.Any, admin: User
) -> None:
    admin_area = badge_area(app)
    app.register_blueprint(admin_area, url_prefix="/admin")
    app.register_blueprint(admin_area, url_prefix="/staff", name="staff_area")
    client = login(admin)
    assert client.get("/admin/badge").text == "AdminArea.BadgePolicy"
    assert client.get("/staff/badge").text == "AdminArea.BadgePolicy"


def test_a_per_call_namespace_overrides_the_blueprint(
    app: Flask, as_user: t.Any, admin: User
) -> None:
    with as_user(admin):
        assert type(policy(Badge(), namespace="admin")) is AdminBadgePolicy
        assert allowed_to("show", Badge(), namespace="admin")
        assert not allowed_to("show", Badge())
        assert type(policy(Badge(), namespace="nowhere")) is BadgePolicy


def test_task_without_huey_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="no huey instance is bound"):
        SimpleAuthorize().task(Post, "publish")


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_POLICY_CACHE": True}])
def test_the_policy_cache_reuses_one_policy_per_request(
    app: Flask, as_user: t.Any, author: User, draft: Post, posts: dict[str, Post]
) -> None:
    with as_user(author):
        first = policy(draft)
        assert policy(draft) is first
        assert policy(posts["live"]) is not first
        assert policy(draft, user=author) is first
    with as_user(author):
        assert policy(draft) is not first


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_POLICY_CACHE": True}])
def test_the_policy_cache_is_dropped_on_login_and_logout(
    app: Flask, as_user: t.Any, admin: User, viewer: User, draft: Post
) -> None:
    with as_user(viewer):
        assert not allowed_to("update", draft)
        login_user(admin)
        assert allowed_to("update", draft)
        cached = policy(draft)
        assert cached.user is admin
        logout_user()
        assert not allowed_to("update", draft)
        assert policy(draft) is not cached
        assert policy(draft).is_authenticated is False


def test_without_the_cache_every_call_gets_a_fresh_policy(
    app: Flask, as_user: t.Any, author: User, draft: Post
) -> None:
    with as_user(author):
        assert policy(draft) is not policy(draft)


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_POLICY_CACHE": True}])
def test_the_policy_cache_keeps_a_bound_context_apart(
    app: Flask, as_user: t.Any, author: User
) -> None:
    door = Door()
    with as_user(author):
        with acting_as(author, context={"ip": "10.0.0.1"}):
            assert allowed_to("open", door)
        assert not allowed_to("open", door)
        with acting_as(author, context={"ip": "10.0.0.2"}):
            assert not allowed_to("open", door)


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_POLICY_CACHE": True}])
def test_the_policy_cache_ends_with_its_request(app: Flask, author: User) -> None:
    door = Door()
    get_state(app).extension.context_provider(lambda: {"ip": request.remote_addr})

    @app.get("/door")
    def open_door() -> str:
        authorize(door, "open")
        return "open"

    # a plain client: its requests share the app context this test pushed, and its g
    client = FlaskClient(app)
    client.get(f"/_login/{author.id}")
    assert client.get("/door", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert client.get("/door", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 403
