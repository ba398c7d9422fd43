"""Request-side overhead of Flask-Simple-Authorize, measured in one interleaved run.

Run it with ``python benchmarks/bench_request.py [--rounds N]``. It prints a
table of medians over paired rounds; every round runs each variant once, in
rotating order, so machine noise hits all of them alike.

- ``authorize`` (allowed and denied) as a ratio to the inline floor
  ``if not (current_user.id == post.user_id or current_user.is_admin): abort(403)``,
  inside a test request context with a logged-in user;
- a full request (the WSGI app called with a prepared environ) on a route that
  authorizes, versus the identical route without authorization: extra us per
  request (and, for scale, the same route with the inline floor instead);
- ``authorized_records`` over 10,000 records, in ns per record.

This is a script, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
import typing as t

from flask import Flask
from flask import abort
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from werkzeug.exceptions import Forbidden
from werkzeug.test import EnvironBuilder

from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import authorize
from flask_simple_authorize import authorized_records

BARS = {"allowed": 1.3, "request_us": 3.0, "records_ns": 300.0}


class User(UserMixin):
    def __init__(self, id: int, is_admin: bool = False) -> None:
        self.id = id
        self.is_admin = is_admin


class BenchPost:
    def __init__(self, id: int, user_id: int) -> None:
        self.id = id
        self.user_id = user_id


class BenchPostPolicy(Policy):
    def update(self) -> bool:
        return self.is_owner or self.is_admin


def make_app() -> tuple[Flask, dict[str, User], dict[int, BenchPost]]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench"
    users = {"author": User(1), "stranger": User(2)}
    by_token = {f"token-{name}": user for name, user in users.items()}
    posts = {1: BenchPost(1, user_id=1)}
    manager = LoginManager(app)

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        return next((u for u in users.values() if str(u.id) == user_id), None)

    @manager.request_loader
    def load_from_header(request: t.Any) -> User | None:
        return by_token.get(request.headers.get("X-Token", ""))

    @app.get("/plain/<int:post_id>")
    @login_required
    def plain(post_id: int) -> str:
        post = posts[post_id]
        return f"post {post.id}"

    @app.get("/floor/<int:post_id>")
    @login_required
    def floor(post_id: int) -> str:
        post = floor_check(posts[post_id])
        return f"post {post.id}"

    @app.get("/authorized/<int:post_id>")
    @login_required
    def authorized(post_id: int) -> str:
        post = authorize(posts[post_id], "update")
        return f"post {post.id}"

    SimpleAuthorize(app)
    return app, users, posts


def floor_check(post: BenchPost) -> BenchPost:
    if not (current_user.id == post.user_id or current_user.is_admin):
        abort(403)
    return post


def timed(function: t.Callable[[], object], loops: int) -> float:
    """Return seconds per call of ``function`` over ``loops`` calls."""
    start = time.perf_counter()
    for _ in range(loops):
        function()
    return (time.perf_counter() - start) / loops


def raises(function: t.Callable[[], object]) -> t.Callable[[], None]:
    def run() -> None:
        with contextlib.suppress(Forbidden):
            function()

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--loops", type=int, default=2000, help="calls per round (checks)")
    parser.add_argument("--requests", type=int, default=40, help="requests per pair")
    parser.add_argument("--pairs", type=int, default=20, help="request pairs per round")
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args(argv)

    app, users, posts = make_app()
    post = posts[1]
    records = [BenchPost(i, user_id=1 + i % 2) for i in range(args.records)]

    def environ(path: str) -> dict[str, t.Any]:
        builder = EnvironBuilder(path=path, headers={"X-Token": "token-author"})
        try:
            return builder.get_environ()
        finally:
            builder.close()

    plain_environ = environ("/plain/1")
    authorized_environ = environ("/authorized/1")
    floor_environ = environ("/floor/1")

    def call(template: dict[str, t.Any]) -> t.Callable[[], object]:
        statuses: list[str] = []

        def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
            statuses.append(status)
            return None

        def run() -> None:
            body = app(dict(template), start_response)
            b"".join(body)
            if statuses.pop() != "200 OK":
                raise SystemExit("unexpected status")

        return run

    samples: dict[str, list[float]] = {
        name: []
        for name in (
            "floor_allow",
            "allow",
            "floor_deny",
            "deny",
            "plain",
            "authz",
            "floor_route",
            "records",
        )
    }

    def round_in(user: User, index: int) -> None:
        with app.test_request_context("/posts/1/edit"):
            login_user(user)
            if user is users["author"]:
                pairs = [
                    ("floor_allow", lambda: floor_check(post)),
                    ("allow", lambda: authorize(post, "update")),
                ]
            else:
                pairs = [
                    ("floor_deny", raises(lambda: floor_check(post))),
                    ("deny", raises(lambda: authorize(post, "update"))),
                ]
            if index % 2:
                pairs.reverse()
            for name, function in pairs:
                samples[name].append(timed(function, args.loops))

    def records_round() -> None:
        with app.test_request_context("/posts"):
            login_user(users["author"])
            start = time.perf_counter()
            allowed = authorized_records(records, "update")
            samples["records"].append((time.perf_counter() - start) / len(records))
            assert len(allowed) == len(records) // 2 + len(records) % 2

    def request_round(index: int) -> None:
        # many short pairs per round: load from other processes hits both routes alike
        trio = [
            ("plain", call(plain_environ)),
            ("authz", call(authorized_environ)),
            ("floor_route", call(floor_environ)),
        ]
        for pair in range(args.pairs):
            shift = (index + pair) % len(trio)
            for name, function in trio[shift:] + trio[:shift]:
                samples[name].append(timed(function, args.requests))

    # warm up every path once
    round_in(users["author"], 0)
    round_in(users["stranger"], 0)
    request_round(0)
    records_round()
    for key in samples:
        samples[key].clear()

    gc.disable()
    try:
        for index in range(args.rounds):
            steps = ["author", "stranger", "requests", "records"]
            shift = index % len(steps)
            for step in steps[shift:] + steps[:shift]:
                if step == "requests":
                    request_round(index)
                elif step == "records":
                    records_round()
                else:
                    round_in(users[step], index)
            gc.collect()
    finally:
        gc.enable()

    def median(name: str) -> float:
        return statistics.median(samples[name])

    def paired(a: str, b: str, op: t.Callable[[float, float], float]) -> float:
        return statistics.median(op(x, y) for x, y in zip(samples[a], samples[b], strict=True))

    allow_ratio = paired("allow", "floor_allow", lambda x, y: x / y)
    deny_ratio = paired("deny", "floor_deny", lambda x, y: x / y)
    extra_us = paired("authz", "plain", lambda x, y: (x - y) * 1e6)
    floor_extra_us = paired("floor_route", "plain", lambda x, y: (x - y) * 1e6)
    records_ns = median("records") * 1e9

    rows = [
        ("inline floor, allowed", f"{median('floor_allow') * 1e6:.2f} us", ""),
        (
            "authorize(), allowed",
            f"{median('allow') * 1e6:.2f} us",
            f"{allow_ratio:.2f}x floor (bar <= {BARS['allowed']}x)",
        ),
        ("inline floor, denied (abort)", f"{median('floor_deny') * 1e6:.2f} us", ""),
        (
            "authorize(), denied (raise)",
            f"{median('deny') * 1e6:.2f} us",
            f"{deny_ratio:.2f}x floor",
        ),
        ("request, no authorization", f"{median('plain') * 1e6:.1f} us", ""),
        (
            "request, authorize()",
            f"{median('authz') * 1e6:.1f} us",
            f"+{extra_us:.2f} us per request (bar <= {BARS['request_us']})",
        ),
        (
            "request, inline floor (context)",
            f"{median('floor_route') * 1e6:.1f} us",
            f"+{floor_extra_us:.2f} us per request",
        ),
        (
            f"authorized_records x{len(records)}",
            f"{records_ns:.0f} ns/record",
            f"bar <= {BARS['records_ns']:.0f} ns",
        ),
    ]
    print(f"Python {sys.version.split()[0]}, {args.rounds} paired rounds, medians")
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>14}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
