"""Many threads, many users, one threaded server: every decision matches the oracle."""

from __future__ import annotations

import http.client
import json
import random
import threading
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask import jsonify
from flask_login import current_user
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import authorized_records
from flask_simple_authorize import policy_scope

from .sample import Post
from .sample import User
from .sample import create_app
from .sample import db
from .sample import oracle

THREADS = 16
REQUESTS_PER_THREAD = 80
ACTIONS = ("show", "update", "destroy", "publish")


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


def build_app(database: Path, config: dict[str, t.Any]) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **config})
    rng = random.Random(7)
    with app.app_context():
        extra = [User(name=f"user{i}", role="author", token=f"token-user{i}") for i in range(5)]
        db.session.add_all(extra)
        db.session.flush()
        owners = [user.id for user in db.session.scalars(db.select(User))]
        db.session.add_all(
            Post(title=f"p{i}", published=rng.random() < 0.4, user_id=rng.choice(owners))
            for i in range(30)
        )
        db.session.commit()

    def me() -> int | None:
        return current_user.id if current_user.is_authenticated else None

    @app.get("/api/posts/<int:post_id>/<action>")
    def act(post_id: int, action: str) -> t.Any:
        user = me()  # the user is loaded first, as login_required would
        authorize(db.get_or_404(Post, post_id), action)
        return jsonify(user=user, allowed=True)

    @app.get("/api/posts/<int:post_id>/ask/<action>")
    def ask(post_id: int, action: str) -> t.Any:
        # the user is loaded by the check itself
        return jsonify(allowed=allowed_to(action, db.get_or_404(Post, post_id)), user=me())

    @app.get("/api/visible")
    def visible() -> t.Any:
        posts = db.session.scalars(db.select(Post).order_by(Post.id)).all()
        return jsonify(user=me(), ids=[post.id for post in authorized_records(posts)])

    @app.get("/api/scoped")
    def scoped() -> t.Any:
        query = policy_scope(db.select(Post).order_by(Post.id))
        return jsonify(user=me(), ids=[post.id for post in db.session.scalars(query)])

    return app


@pytest.fixture
def server(tmp_path: Path, config: dict[str, t.Any]) -> Iterator[tuple[Flask, BaseWSGIServer]]:
    app = build_app(tmp_path / "blog.db", config)
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, httpd
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


def expected(user: User | None, posts: list[Post], path: list[str]) -> dict[str, t.Any]:
    user_id = user.id if user else None
    if path[0] in ("visible", "scoped"):
        return {
            "status": 200,
            "user": user_id,
            "ids": [p.id for p in posts if oracle(user, p, "show")],
        }
    post = posts[int(path[1]) - 1]
    allowed = oracle(user, post, path[-1])
    if path[2] == "ask":
        return {"status": 200, "user": user_id, "allowed": allowed}
    if allowed:
        return {"status": 200, "user": user_id}
    reason = "needs_review" if path[-1] == "publish" and user and post.user_id == user.id else None
    return {"status": 401 if user is None else 403, "reason": reason}


@pytest.mark.parametrize(
    "config",
    [{}, {"SIMPLE_AUTHORIZE_POLICY_CACHE": True}],
    ids=["no-cache", "policy-cache"],
)
def test_threaded_requests_as_many_users_match_the_oracle(
    server: tuple[Flask, BaseWSGIServer],
) -> None:
    app, httpd = server
    with app.app_context():
        users: list[User | None] = [*db.session.scalars(db.select(User)), None]
        posts = list(db.session.scalars(db.select(Post).order_by(Post.id)))
        db.session.expunge_all()
    mismatches: list[str] = []
    failures: list[BaseException] = []

    def client(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(REQUESTS_PER_THREAD):
                user = rng.choice(users)
                kind = rng.random()
                if kind < 0.1:
                    path = [rng.choice(["visible", "scoped"])]
                else:
                    post_id = str(rng.randint(1, len(posts)))
                    ask = ["ask"] if kind < 0.3 else []
                    path = ["posts", post_id, *ask, rng.choice(ACTIONS)]
                want = expected(user, posts, path)
                got = fetch(httpd.server_port, "/api/" + "/".join(path), user)
                if want["status"] != got["status"] or any(
                    got["body"].get(key) != value for key, value in want.items() if key != "status"
                ):
                    mismatches.append(f"{user and user.name} {path}: want {want}, got {got}")
        except BaseException as error:  # reported on the main thread
            failures.append(error)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert mismatches == []


def fetch(port: int, path: str, user: User | None) -> dict[str, t.Any]:
    headers = {"Accept": "application/json"}
    if user is not None:
        headers["X-Token"] = user.token
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return {"status": response.status, "body": json.loads(response.read())}
    finally:
        connection.close()
