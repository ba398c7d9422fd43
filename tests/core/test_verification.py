"""Verification mode: views that neither authorize nor scope fail loudly."""

from __future__ import annotations

import typing as t

import pytest
from flask import Blueprint
from flask import Flask
from flask import redirect
from flask.testing import FlaskClient
from flask.views import MethodView
from flask.views import View
from flask_login import login_required

from flask_simple_authorize import AuthorizationNotPerformedError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import authorize_all
from flask_simple_authorize import authorized_records
from flask_simple_authorize import policy_scope
from flask_simple_authorize import signals
from flask_simple_authorize import skip_authorization

from .sample import Post
from .sample import User
from .sample import db


@pytest.fixture
def config() -> dict[str, t.Any]:
    return {"SIMPLE_AUTHORIZE_VERIFY": True}


@pytest.fixture
def views(app: Flask) -> Flask:
    @app.get("/forgot")
    def forgot() -> str:
        return "forgot to authorize"

    @app.get("/asked")
    def asked() -> str:
        return str(allowed_to("show", db.session.get(Post, 2)))

    @app.get("/authorized")
    def authorized() -> str:
        return authorize(db.session.get(Post, 2), "show").title

    @app.get("/guarded")
    @login_required
    def guarded() -> str:
        return authorize(db.session.get(Post, 2), "show").title

    @app.get("/scoped")
    def scoped() -> str:
        return str(len(db.session.scalars(policy_scope(Post)).all()))

    @app.get("/filtered")
    def filtered() -> str:
        return str(len(authorized_records(db.session.scalars(db.select(Post)).all())))

    @app.get("/skipped-inside")
    def skipped_inside() -> str:
        skip_authorization()
        return "public"

    @app.get("/skipped")
    @skip_authorization
    def skipped() -> str:
        return "public"

    @app.get("/missing")
    def missing() -> tuple[str, int]:
        return "gone", 404

    blueprint = Blueprint("shop", __name__, static_folder=".", static_url_path="/static")

    @blueprint.get("/shop")
    def front() -> str:
        return "shop"

    app.register_blueprint(blueprint, url_prefix="/s")
    return app


def test_a_view_that_authorized_nothing_fails_naming_the_endpoint(
    views: Flask, login: t.Any, viewer: User
) -> None:
    with pytest.raises(AuthorizationNotPerformedError) as caught:
        login(viewer).get("/forgot")
    assert caught.value.endpoint == "forgot"
    assert "view 'forgot' neither authorized nor scoped" in str(caught.value)


def test_a_blueprint_view_is_named_with_its_blueprint(
    views: Flask, login: t.Any, viewer: User
) -> None:
    with pytest.raises(AuthorizationNotPerformedError, match=r"'shop\.front'"):
        login(viewer).get("/s/shop")


def test_asking_is_not_authorizing(views: Flask, login: t.Any, viewer: User) -> None:
    with pytest.raises(AuthorizationNotPerformedError):
        login(viewer).get("/asked")


@pytest.mark.parametrize(
    "path", ["/authorized", "/scoped", "/filtered", "/skipped-inside", "/skipped", "/missing"]
)
def test_authorizing_scoping_or_skipping_passes(
    views: Flask, login: t.Any, viewer: User, path: str
) -> None:
    assert login(viewer).get(path).status_code in (200, 404)


def test_a_denial_passes_verification(views: Flask, app: Flask, login: t.Any, viewer: User) -> None:
    @app.get("/denied")
    def denied() -> str:
        return authorize(db.session.get(Post, 1), "update").title

    assert login(viewer).get("/denied").status_code == 403


def test_static_files_are_ignored(views: Flask, client: t.Any) -> None:
    response = client.get("/s/static/conftest.py")
    assert response.status_code == 200
    response.close()


def test_not_performed_is_signalled(views: Flask, app: Flask, login: t.Any, viewer: User) -> None:
    seen: list[str] = []

    def receiver(sender: Flask, endpoint: str) -> None:
        seen.append(endpoint)

    client = login(viewer)
    with (
        signals.authorization_not_performed.connected_to(receiver, sender=app),
        pytest.raises(AuthorizationNotPerformedError),
    ):
        client.get("/forgot")
    assert seen == ["forgot"]


@pytest.mark.parametrize(
    "config", [{"SIMPLE_AUTHORIZE_VERIFY": True, "SIMPLE_AUTHORIZE_SIGNALS": False}]
)
def test_not_performed_is_not_signalled_when_signals_are_off(
    views: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    seen: list[str] = []

    def receiver(sender: Flask, endpoint: str) -> None:
        seen.append(endpoint)

    client = login(viewer)
    with (
        signals.authorization_not_performed.connected_to(receiver, sender=app),
        pytest.raises(AuthorizationNotPerformedError),
    ):
        client.get("/forgot")
    assert seen == []


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_VERIFY": False}])
def test_verification_is_off_by_default(views: Flask, login: t.Any, viewer: User) -> None:
    assert login(viewer).get("/forgot").text == "forgot to authorize"


def test_every_request_that_authorizes_passes(views: Flask, login: t.Any, viewer: User) -> None:
    client = login(viewer)
    for _ in range(3):  # later requests take the path of checks seen before
        assert client.get("/guarded").status_code == 200
        with pytest.raises(AuthorizationNotPerformedError):
            client.get("/forgot")


def test_a_request_never_inherits_another_requests_authorization(
    views: Flask, app: Flask, viewer: User
) -> None:
    # a plain client: its requests share the app context this test pushed, and its g
    client = FlaskClient(app)
    client.get(f"/_login/{viewer.id}")
    assert client.get("/guarded").status_code == 200
    with pytest.raises(AuthorizationNotPerformedError):
        client.get("/forgot")


def test_a_login_required_view_turning_an_anonymous_user_away_passes(
    views: Flask, client: t.Any
) -> None:
    response = client.get("/guarded")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_preflight_answered_by_flask_itself_passes(views: Flask, client: FlaskClient) -> None:
    response = client.options("/forgot", headers={"Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert "GET" in response.headers["Allow"]


def test_a_view_that_answers_options_itself_is_still_checked(views: Flask, app: Flask) -> None:
    @app.route("/options", methods=["GET", "OPTIONS"])
    def options() -> str:
        return "my own preflight"

    with pytest.raises(AuthorizationNotPerformedError, match="'options'"):
        app.test_client().options("/options")


class AboutView(View):
    def dispatch_request(self) -> str:
        return "about"


class FeedView(MethodView):
    @skip_authorization
    def get(self) -> str:
        return "feed"

    def post(self) -> str:
        return "posted"


def test_a_class_based_view_can_be_skipped(views: Flask, app: Flask, client: FlaskClient) -> None:
    app.add_url_rule("/about", view_func=skip_authorization(AboutView).as_view("about"))
    app.add_url_rule("/feed", view_func=FeedView.as_view("feed"))
    assert client.get("/about").text == "about"
    assert client.get("/feed").text == "feed"
    assert client.head("/feed").status_code == 200
    with pytest.raises(AuthorizationNotPerformedError, match="'feed'"):
        client.post("/feed")


def test_a_denial_sent_back_to_the_referrer_passes(
    views: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.get("/all")
    def update_all() -> str:
        authorize_all(db.session.scalars(db.select(Post)).all(), "update")
        return "all updated"

    @app.get("/by-hand")
    def by_hand() -> str:
        raise NotAuthorizedError("staff only")

    client = login(viewer)
    for path in ("/all", "/by-hand"):
        response = client.get(path, headers={"Referer": "/authorized"})
        assert (response.status_code, response.location) == (302, "/authorized")


def test_a_bulk_denial_answered_by_the_apps_own_handler_passes(
    views: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.errorhandler(NotAuthorizedError)
    def denied(error: NotAuthorizedError) -> t.Any:
        return redirect("/authorized")

    @app.get("/all")
    def update_all() -> str:
        authorize_all(db.session.scalars(db.select(Post)).all(), "update")
        return "all updated"

    assert login(viewer).get("/all").status_code == 302
