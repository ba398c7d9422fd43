"""Request-side overhead of Flask-Simple-Authorize, measured in one interleaved run.

Run it with ``python benchmarks/bench_request.py [--rounds N]``. It prints a
table of medians over paired rounds; every round runs each variant once, in
rotating order, so machine noise hits all of them alike.

- ``authorize`` (allowed and denied) as a ratio to the inline floor
  ``if not (current_user.id == post.user_id or current_user.is_admin): abort(403)``,
  inside a test request context with a logged-in user;
- a full request (the WSGI app called with a prepared environ) on a route that
  authorizes, versus the identical route without authorization: extra us per
  request (and, for scale, the same route with the inline floor instead, and
  with the least a policy library can do: find its state, read the user, build
  the policy and call the rule, nothing else);
- ``authorized_records`` over 10,000 records, in ns per record.

The bar rows use ``PostPolicy``, whose rule is the floor's own expression
(``self.record.user_id == self.user.id or self.user.is_admin``), so they
measure the authorization machinery. The rows marked "helpers" use
``HelperPostPolicy`` (``self.is_owner or self.is_admin``), whose helpers also
treat anonymous and inactive users as owning nothing; they show what the
helpers add.

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
from flask import current_app
from flask import g
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


class HelperPost(BenchPost):
    pass


class BenchPostPolicy(Policy):
    def update(self) -> bool:
        return self.record.user_id == self.user.id or self.user.is_admin


class HelperPostPolicy(Policy):
    def update(self) -> bool:
        return self.is_owner or self.is_admin


def make_app() -> tuple[Flask, dict[str, User], dict[int, BenchPost]]:
    """Return the app, its users by name, and its posts by id (1: the author's, 2: helpers)."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench"
    users = {"author": User(1), "stranger": User(2)}
    by_token = {f"token-{name}": user for name, user in users.items()}
    posts = {1: BenchPost(1, user_id=1), 2: HelperPost(2, user_id=1)}
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

    @app.get("/least/<int:post_id>")
    @login_required
    def least(post_id: int) -> str:
        post = least_check(posts[post_id])
        return f"post {post.id}"

    SimpleAuthorize(app)
    return app, users, posts


def floor_check(post: BenchPost) -> BenchPost:
    if not (current_user.id == post.user_id or current_user.is_admin):
        abort(403)
    return post


def least_check(post: BenchPost) -> BenchPost:
    """The least a policy library does: its state, the user, a policy, the rule."""
    current_app._get_current_object().extensions["simple_authorize"]  # type: ignore[attr-defined]
    if not BenchPostPolicy(g._login_user, post).update():
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
    post, helper_post = posts[1], posts[2]
    records = [BenchPost(i, user_id=1 + i % 2) for i in range(args.records)]
    helper_records = [HelperPost(i, user_id=1 + i % 2) for i in range(args.records)]

    def environ(path: str) -> dict[str, t.Any]:
        builder = EnvironBuilder(path=path, headers={"X-Token": "token-author"})
        try:
            return builder.get_environ()
        finally:
            builder.close()

    def call(path: str) -> t.Callable[[], object]:
        template = environ(path)
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

    routes = [
        ("plain", call("/plain/1")),
        ("authz", call("/authorized/1")),
        ("authz_helpers", call("/authorized/2")),
        ("floor_route", call("/floor/1")),
        ("least_route", call("/least/1")),
    ]
    samples: dict[str, list[float]] = {
        name: []
        for name in (
            "floor_allow",
            "allow",
            "allow_helpers",
            "floor_deny",
            "deny",
            "records",
            "records_helpers",
            *(name for name, _ in routes),
        )
    }

    def round_in(user: User, index: int) -> None:
        with app.test_request_context("/posts/1/edit"):
            login_user(user)
            if user is users["author"]:
                checks = [
                    ("floor_allow", lambda: floor_check(post)),
                    ("allow", lambda: authorize(post, "update")),
                    ("allow_helpers", lambda: authorize(helper_post, "update")),
                ]
            else:
                checks = [
                    ("floor_deny", raises(lambda: floor_check(post))),
                    ("deny", raises(lambda: authorize(post, "update"))),
                ]
            shift = index % len(checks)
            for name, function in checks[shift:] + checks[:shift]:
                samples[name].append(timed(function, args.loops))

    def records_round(index: int) -> None:
        with app.test_request_context("/posts"):
            login_user(users["author"])
            lists = [("records", records), ("records_helpers", helper_records)]
            for name, items in lists[index % 2 :] + lists[: index % 2]:
                start = time.perf_counter()
                allowed = authorized_records(items, "update")
                samples[name].append((time.perf_counter() - start) / len(items))
                assert len(allowed) == len(items) // 2 + len(items) % 2

    def request_round(index: int) -> None:
        # many short rounds of every route: load from other processes hits them alike
        for pair in range(args.pairs):
            shift = (index + pair) % len(routes)
            for name, function in routes[shift:] + routes[:shift]:
                samples[name].append(timed(function, args.requests))

    # warm up every path once
    round_in(users["author"], 0)
    round_in(users["stranger"], 0)
    request_round(0)
    records_round(0)
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
                    records_round(index)
                else:
                    round_in(users[step], index)
            gc.collect()
    finally:
        gc.enable()

    def median(name: str) -> float:
        return statistics.median(samples[name])

    def ratio(name: str, floor: str) -> float:
        pairs = zip(samples[name], samples[floor], strict=True)
        return statistics.median(x / y for x, y in pairs)

    def extra_us(route: str) -> float:
        pairs = zip(samples[route], samples["plain"], strict=True)
        return statistics.median((x - y) * 1e6 for x, y in pairs)

    def us(name: str) -> str:
        return f"{median(name) * 1e6:.2f} us"

    def per_request(route: str) -> str:
        return f"{median(route) * 1e6:.1f} us"

    rows = [
        ("inline floor, allowed", us("floor_allow"), ""),
        (
            "authorize(), allowed",
            us("allow"),
            f"{ratio('allow', 'floor_allow'):.2f}x floor (bar <= {BARS['allowed']}x)",
        ),
        (
            "authorize(), allowed, helpers",
            us("allow_helpers"),
            f"{ratio('allow_helpers', 'floor_allow'):.2f}x floor",
        ),
        ("inline floor, denied (abort)", us("floor_deny"), ""),
        (
            "authorize(), denied (raise)",
            us("deny"),
            f"{ratio('deny', 'floor_deny'):.2f}x floor",
        ),
        ("request, no authorization", per_request("plain"), ""),
        (
            "request, authorize()",
            per_request("authz"),
            f"{extra_us('authz'):+.2f} us per request (bar <= {BARS['request_us']})",
        ),
        (
            "request, authorize(), helpers",
            per_request("authz_helpers"),
            f"{extra_us('authz_helpers'):+.2f} us per request",
        ),
        (
            "request, inline floor",
            per_request("floor_route"),
            f"{extra_us('floor_route'):+.2f} us per request",
        ),
        (
            "request, least policy check",
            per_request("least_route"),
            f"{extra_us('least_route'):+.2f} us per request",
        ),
        (
            f"authorized_records x{len(records)}",
            f"{median('records') * 1e9:.0f} ns/record",
            f"bar <= {BARS['records_ns']:.0f} ns",
        ),
        (
            "authorized_records, helpers",
            f"{median('records_helpers') * 1e9:.0f} ns/record",
            "",
        ),
    ]
    print(f"Python {sys.version.split()[0]}, {args.rounds} paired rounds, medians")
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>14}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
