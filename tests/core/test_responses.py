"""Denials become responses: JSON 401/403, login redirects, flash + safe redirects, 403 and 404."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import authorize
from flask_simple_authorize.responses import safe_redirect_target

from .sample import Post
from .sample import PostPolicy
from .sample import User
from .sample import db

JSON = {"Accept": "application/json"}


class Vault:
    def __init__(self, id: int) -> None:
        self.id = id


class VaultPolicy(Policy):
    hide_denied = True

    def show(self) -> bool:
        return self.is_admin


@pytest.fixture
def routes(app: Flask) -> Flask:
    @app.get("/posts/<int:post_id>/edit")
    def edit(post_id: int) -> str:
        return f"editing {authorize(db.get_or_404(Post, post_id)).title}"

    @app.get("/posts/<int:post_id>/publish")
    def publish(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "publish").title

    @app.get("/posts/<int:post_id>/peek")
    def peek(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update", hidden=True).title

    @app.get("/vaults/<int:vault_id>")
    def show(vault_id: int) -> str:
        return f"vault {authorize(Vault(vault_id)).id}"

    @app.get("/posts")
    def index() -> str:
        return "posts"

    return app


@pytest.mark.parametrize(
    "accept",
    [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "*/*",
        "application/json, text/html",
    ],
    ids=["browser", "anything", "tie"],
)
def test_a_browser_or_an_undecided_client_gets_the_login_page(
    routes: Flask, client: FlaskClient, accept: str
) -> None:
    response = client.get("/posts/1/edit", headers={"Accept": accept})
    assert response.status_code == 302
    assert "/login" in response.location


def test_an_anonymous_api_request_gets_json_401(routes: Flask, client: FlaskClient) -> None:
    response = client.get("/posts/1/edit", headers=JSON)
    assert response.status_code == 401
    assert response.json == {
        "error": "not_authorized",
        "message": "You are not authorized to perform this action.",
    }


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(JSON, id="accept-json"),
        pytest.param({"X-Requested-With": "XMLHttpRequest"}, id="xhr"),
        pytest.param({"Accept": "application/json, text/html;q=0.5"}, id="prefers-json"),
        pytest.param({"Accept": "application/json, text/plain, */*"}, id="axios"),
    ],
)
def test_a_logged_in_api_request_gets_json_403(
    routes: Flask, login: t.Any, viewer: User, headers: dict[str, str]
) -> None:
    response = login(viewer).get("/posts/1/edit", headers=headers)
    assert response.status_code == 403
    assert response.json["error"] == "not_authorized"
    assert "query" not in response.json


def test_a_json_body_makes_an_api_request(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.post("/posts/<int:post_id>/edit")
    def update(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update").title

    assert login(viewer).post("/posts/1/edit", json={}).status_code == 403


def test_the_reason_reaches_the_json_body(routes: Flask, login: t.Any, author: User) -> None:
    response = login(author).get("/posts/1/publish", headers=JSON)
    assert response.status_code == 403
    assert response.json["reason"] == "needs_review"


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_API_ERROR_DETAILS": True}])
def test_api_details_are_added_only_when_configured(
    routes: Flask, login: t.Any, author: User
) -> None:
    body = login(author).get("/posts/1/publish", headers=JSON).json
    assert body["query"] == "publish"
    assert body["record_type"] == "Post"
    assert body["policy"] == "PostPolicy"


def test_an_anonymous_html_request_goes_to_the_login_page(
    routes: Flask, client: FlaskClient
) -> None:
    response = client.get("/posts/1/edit")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_an_anonymous_html_request_without_login_view_gets_401(
    routes: Flask, app: Flask, client: FlaskClient
) -> None:
    app.login_manager.login_view = None  # type: ignore[attr-defined]
    assert client.get("/posts/1/edit").status_code == 401


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_a_logged_in_html_request_is_flashed_and_sent_back(
    routes: Flask, login: t.Any, viewer: User
) -> None:
    client = login(viewer)
    response = client.get("/posts/1/edit", headers={"Referer": "http://localhost/posts?page=2"})
    assert response.status_code == 302
    assert response.location == "/posts?page=2"
    assert flashes(client) == [("error", "You are not authorized to perform this action.")]


def test_a_logged_in_html_request_without_referrer_gets_the_403_page(
    routes: Flask, login: t.Any, viewer: User
) -> None:
    response = login(viewer).get("/posts/1/edit")
    assert response.status_code == 403
    assert "You are not authorized" in response.text


def test_a_referrer_to_the_denied_page_itself_does_not_loop(
    routes: Flask, login: t.Any, viewer: User
) -> None:
    response = login(viewer).get("/posts/1/edit", headers={"Referer": "/posts/1/edit"})
    assert response.status_code == 403


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_REDIRECT_PATH": "/posts"}])
@pytest.mark.parametrize(
    ("mount_point", "location"), [("", "/posts"), ("/blog", "/blog/posts")], ids=["root", "mounted"]
)
def test_the_configured_path_is_used_without_a_usable_referrer(
    routes: Flask, login: t.Any, viewer: User, mount_point: str, location: str
) -> None:
    response = login(viewer).get(
        "/posts/1/edit",
        headers={"Referer": "https://evil.example/"},
        environ_overrides={"SCRIPT_NAME": mount_point},
    )
    assert response.status_code == 302
    assert response.location == location


EVIL_REFERRERS = [
    "https://evil.example/posts",
    "http://evil.example",
    "//evil.example/posts",
    "///evil.example/posts",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://localhost/posts",
    "http://localhost.evil.example/",
    "http://localhost@evil.example/",
    "http://evil.example@localhost:80/",
    "http:///evil.example/posts",
    "https:evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\x00/posts",
    " //evil.example",
    "posts",
    "x" * 3000,
]


@pytest.mark.parametrize("referrer", EVIL_REFERRERS, ids=lambda r: repr(r)[:40])
def test_a_foreign_referrer_is_never_followed(
    routes: Flask, login: t.Any, viewer: User, referrer: str
) -> None:
    client = login(viewer)
    response = client.get("/posts/1/edit", environ_overrides={"HTTP_REFERER": referrer})
    assert response.status_code == 403
    assert response.location is None


@pytest.mark.parametrize("referrer", EVIL_REFERRERS, ids=lambda r: repr(r)[:40])
def test_safe_redirect_target_refuses_foreign_urls(app: Flask, referrer: str) -> None:
    with app.test_request_context("/"):
        assert safe_redirect_target(referrer) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/posts", "/posts"),
        ("/posts?page=2", "/posts?page=2"),
        ("http://localhost/posts#top", "/posts"),
        ("https://localhost/a/b", "/a/b"),
    ],
)
def test_safe_redirect_target_keeps_local_paths(app: Flask, url: str, expected: str) -> None:
    with app.test_request_context("/"):
        assert safe_redirect_target(url) == expected


def test_the_apps_own_403_handler_renders_the_403_page(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return f"own 403: {error.description}", 403  # type: ignore[attr-defined]

    client = login(viewer)
    page = client.get("/posts/1/edit")
    assert page.status_code == 403
    assert page.text == "own 403: You are not authorized to perform this action."
    # the rest of the denial handling still applies: JSON for APIs, redirects back
    assert client.get("/posts/1/edit", headers=JSON).json["error"] == "not_authorized"
    assert client.get("/posts/1/edit", headers={"Referer": "/posts"}).location == "/posts"


def test_an_anonymous_user_still_goes_to_login_when_the_app_has_a_403_handler(
    routes: Flask, app: Flask, client: FlaskClient
) -> None:
    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return "own 403", 403

    response = client.get("/posts/1/edit")
    assert response.status_code == 302
    assert "/login" in response.location


def test_a_not_authorized_handler_registered_before_init_app_wins() -> None:
    from flask_simple_authorize import SimpleAuthorize

    app = Flask(__name__)

    @app.errorhandler(NotAuthorizedError)
    def denied(error: NotAuthorizedError) -> tuple[str, int]:
        return f"mine: {error.query}", 418

    SimpleAuthorize(app)

    @app.get("/vaults/<int:vault_id>")
    def show(vault_id: int) -> str:
        return str(authorize(Vault(vault_id), user=None, hidden=False).id)

    response = app.test_client().get("/vaults/1")
    assert (response.status_code, response.text) == (418, "mine: show")


def test_the_apps_own_not_authorized_handler_wins(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.errorhandler(NotAuthorizedError)
    def denied(error: NotAuthorizedError) -> tuple[str, int]:
        return f"denied {error.query} by {type(error.policy).__name__}", 418

    response = login(viewer).get("/posts/1/edit", headers=JSON)
    assert (response.status_code, response.text) == (418, "denied update by PostPolicy")


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_REGISTER_ERROR_HANDLERS": False}])
def test_without_the_handlers_a_denial_is_still_a_403(
    routes: Flask, login: t.Any, viewer: User
) -> None:
    response = login(viewer).get("/posts/1/edit", headers={"Referer": "/posts"})
    assert response.status_code == 403
    assert response.location is None


@pytest.mark.parametrize("headers", [JSON, {}], ids=["json", "html"])
def test_a_hidden_call_answers_404(
    routes: Flask, login: t.Any, viewer: User, headers: dict[str, str]
) -> None:
    response = login(viewer).get("/posts/1/peek", headers=headers)
    assert response.status_code == 404
    missing = login(viewer).get("/posts/999/peek", headers=headers)
    assert missing.status_code == 404
    assert missing.text == response.text


@pytest.mark.parametrize("headers", [JSON, {}], ids=["json", "html"])
def test_a_policy_that_hides_denials_answers_404(
    routes: Flask, login: t.Any, users: dict[str, User], headers: dict[str, str]
) -> None:
    assert login(users["viewer"]).get("/vaults/1", headers=headers).status_code == 404
    assert login(users["admin"]).get("/vaults/1", headers=headers).text == "vault 1"


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_HIDE_DENIED": True}])
@pytest.mark.parametrize("headers", [JSON, {}], ids=["json", "html"])
def test_hide_denied_config_answers_404_everywhere(
    routes: Flask, login: t.Any, viewer: User, headers: dict[str, str]
) -> None:
    assert login(viewer).get("/posts/1/edit", headers=headers).status_code == 404


def test_the_apps_404_handler_renders_hidden_denials(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "nothing here", 404

    response = login(viewer).get("/posts/1/peek")
    assert (response.status_code, response.text) == (404, "nothing here")


def test_hidden_false_overrides_the_policy(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.get("/vaults/<int:vault_id>/open")
    def open_vault(vault_id: int) -> str:
        return str(authorize(Vault(vault_id), "show", hidden=False).id)

    assert login(viewer).get("/vaults/1/open", headers=JSON).status_code == 403


def test_the_error_names_what_was_denied(app: Flask, as_user: t.Any, viewer: User) -> None:
    with as_user(viewer), pytest.raises(NotAuthorizedError) as caught:
        authorize(db.session.get(Post, 1), "update", message="no editing")
    assert str(caught.value) == "no editing"
    assert isinstance(caught.value.policy, PostPolicy)


def test_a_registered_api_blueprint_answers_json_to_any_client(
    app: Flask, client: FlaskClient
) -> None:
    from flask import Blueprint

    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/posts/<int:post_id>")
    def show_post(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update").title

    app.register_blueprint(api)
    app.extensions["simple_authorize"].extension.register_api(api)
    response = client.get("/api/posts/1", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert response.json == {
        "error": "not_authorized",
        "message": "You are not authorized to perform this action.",
    }


def test_a_blueprints_403_handler_never_reveals_a_hidden_record(
    app: Flask, login: t.Any, viewer: User
) -> None:
    from flask import Blueprint

    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return "shop 403", 403

    @shop.errorhandler(404)
    def missing(error: Exception) -> tuple[str, int]:
        return "shop 404", 404

    @shop.get("/vaults/<int:vault_id>")
    def vault(vault_id: int) -> str:
        return f"vault {authorize(Vault(vault_id), 'show').id}"

    @shop.get("/nothing")
    def nothing() -> str:
        return authorize(Vault(0), "show", hidden=False) and "never"

    app.register_blueprint(shop)
    client = login(viewer)
    assert (client.get("/shop/vaults/1").status_code, client.get("/shop/vaults/1").text) == (
        404,
        "shop 404",
    )
    assert client.get("/shop/nothing").text == "shop 403"


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_REGISTER_ERROR_HANDLERS": False}])
def test_without_the_handlers_a_hidden_denial_looks_like_any_404(
    routes: Flask, client: FlaskClient, login: t.Any, viewer: User
) -> None:
    hidden = login(viewer).get("/vaults/1")
    missing = login(viewer).get("/no-such-page")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text


def test_a_nested_api_blueprint_registered_by_object_answers_json(
    app: Flask, client: FlaskClient
) -> None:
    from flask import Blueprint

    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    posts = Blueprint("posts", __name__, url_prefix="/posts")

    @posts.get("/<int:post_id>")
    def show_post(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update").title

    v1.register_blueprint(posts)
    app.register_blueprint(v1)
    app.extensions["simple_authorize"].extension.register_api(posts)
    response = client.get("/v1/posts/1", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert response.json is not None and response.json["error"] == "not_authorized"


@pytest.mark.parametrize(("headers", "status"), [({}, 403), (JSON, 401)], ids=["html", "json"])
def test_a_denial_raised_by_hand_without_flask_login_is_still_answered(
    headers: dict[str, str], status: int
) -> None:
    from flask_simple_authorize import SimpleAuthorize

    app = Flask(__name__)
    SimpleAuthorize(app)

    @app.get("/reports")
    def reports() -> str:
        raise NotAuthorizedError("reports are for staff")

    response = app.test_client().get("/reports", headers=headers)
    assert response.status_code == status
    assert "reports are for staff" in response.text


def test_a_hidden_denial_built_by_hand_is_a_404_too(app: Flask, client: FlaskClient) -> None:
    @app.get("/raised")
    def raised() -> str:
        raise NotAuthorizedError("secret plans exist here", hidden=True)

    hidden = client.get("/raised", headers=JSON)
    missing = client.get("/no-such-page", headers=JSON)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text


def test_the_403_page_leaves_no_flash_for_the_next_page(
    routes: Flask, login: t.Any, viewer: User
) -> None:
    client = login(viewer)
    page = client.get("/posts/1/edit")
    assert page.status_code == 403
    assert "You are not authorized" in page.text
    assert flashes(client) == []


@pytest.mark.parametrize(
    ("path", "referrer", "environ"),
    [
        pytest.param("/caf%C3%A9/1", "http://localhost/caf%C3%A9/1", {}, id="percent-encoded-path"),
        pytest.param(
            "/caf%C3%A9/1?q=%C3%A9+x", "/caf%C3%A9/1?q=%C3%A9+x", {}, id="percent-encoded-query"
        ),
        pytest.param(
            "/caf%C3%A9/1",
            "http://localhost/blog/caf%C3%A9/1",
            {"SCRIPT_NAME": "/blog"},
            id="app-mounted-under-a-prefix",
        ),
    ],
)
def test_a_referrer_to_the_denied_page_never_loops_however_spelled(
    routes: Flask,
    app: Flask,
    login: t.Any,
    viewer: User,
    path: str,
    referrer: str,
    environ: dict[str, str],
) -> None:
    @app.get("/café/<int:post_id>")
    def cafe(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update").title

    response = login(viewer).get(path, headers={"Referer": referrer}, environ_overrides=environ)
    assert (response.status_code, response.location) == (403, None)


def test_an_api_blueprint_registered_under_another_name_answers_json(
    app: Flask, client: FlaskClient
) -> None:
    from flask import Blueprint

    api = Blueprint("api", __name__)

    @api.get("/posts/<int:post_id>")
    def show_post(post_id: int) -> str:
        return authorize(db.get_or_404(Post, post_id), "update").title

    app.register_blueprint(api, url_prefix="/v1")
    app.register_blueprint(api, url_prefix="/v2", name="api_v2")
    app.extensions["simple_authorize"].extension.register_api(api)
    for path in ("/v1/posts/1", "/v2/posts/1"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json is not None and response.json["error"] == "not_authorized"


def test_a_404_handler_showing_the_error_text_shows_a_hidden_denial_as_missing(
    routes: Flask, app: Flask, login: t.Any, viewer: User
) -> None:
    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[dict[str, str], int]:
        return {"error": str(error)}, 404

    hidden = login(viewer).get("/posts/1/peek")
    missing = login(viewer).get("/posts/999/peek")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
