"""Load on the example app: many concurrent users, every answer checked against an oracle.

Run it with ``python benchmarks/load_example_app.py [--clients 16] [--requests 6000]``.

It builds the example blog on a fresh SQLite database in a temporary folder,
seeds the demo users and posts plus extra authors and viewers, and serves it
with Werkzeug's threaded WSGI server (HTTP/1.1 keep-alive) on a free loopback
port, from a forked process of its own (``--same-process``: from a thread).
Each client is a thread with its own keep-alive connection, logged in as one
user: through the login form (HTML pages, session cookie) or with an API token
(JSON API), a few anonymous. Clients send a shuffled mix of requests:
post lists, post pages (with their Edit/Publish/Delete buttons), edit forms,
the audit page, API reads, edits and publishes.

Every response is checked against an oracle computed from the seeded rows:
the status code, which posts a list shows, which buttons a page shows, and
whose name the page greets. A decision error is any mismatch: a wrong status,
a post shown that the user may not see (or hidden that they may), a button
shown or missing, another user's name. It prints requests per second and the
decision errors, which must be 0 (the exit status is 1 otherwise).

Publishing only queues a job (no consumer runs here) and edits write back the
title they read, so the data, and with it the oracle, stays the same
throughout the run. This is a script, not a test; ``tests/reliability``
runs a short version of the same check.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import logging
import multiprocessing
import random
import re
import secrets
import sys
import tempfile
import threading
import time
import typing as t
import urllib.parse
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

Check = Callable[[int, dict[str, str], bytes], "str | None"]


@dataclasses.dataclass(frozen=True)
class Person:
    """A seeded user as the oracle knows it."""

    id: int
    username: str
    role: str
    password: str
    token: str


@dataclasses.dataclass(frozen=True)
class Row:
    """A seeded post as the oracle knows it."""

    id: int
    user_id: int
    published: bool
    title: str


@dataclasses.dataclass
class Oracle:
    """The example app's rules, restated over plain rows (``PostPolicy`` in example_app)."""

    people: dict[str, Person]
    posts: dict[int, Row]

    def visible(self, who: Person, post: Row) -> bool:
        return who.role == "admin" or post.published or post.user_id == who.id

    def can_update(self, who: Person, post: Row) -> bool:
        return who.role == "admin" or post.user_id == who.id

    def can_publish(self, who: Person, post: Row) -> bool:
        return self.can_update(who, post) and not post.published

    def visible_ids(self, who: Person) -> set[int]:
        return {post.id for post in self.posts.values() if self.visible(who, post)}


@dataclasses.dataclass(frozen=True)
class Probe:
    """One request and the check of its answer."""

    name: str
    method: str
    path: str
    check: Check
    body: bytes | None = None
    content_type: str | None = None
    weight: int = 1


@dataclasses.dataclass
class Report:
    """What a run measured."""

    requests: int = 0
    seconds: float = 0.0
    decision_errors: list[str] = dataclasses.field(default_factory=list)
    transport_errors: list[str] = dataclasses.field(default_factory=list)
    by_probe: Counter[str] = dataclasses.field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# -- the app and its data ---------------------------------------------------------


def build_app(folder: Path, *, extra_authors: int, extra_viewers: int) -> tuple[Flask, Oracle]:
    """Create the example app on a fresh database in ``folder``, seed it, and read the oracle."""
    from example_app import create_app
    from example_app.extensions import db
    from example_app.models import Post
    from example_app.models import User
    from example_app.seed import DEMO_USERS
    from example_app.seed import seed

    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'blog.db'}",
            "HUEY_PATH": str(folder / "huey.db"),
            "HUEY_IMMEDIATE": False,
            "MAIL_BACKEND": "locmem",
            "TESTING": False,
        }
    )
    passwords = {name: password for name, (_, password) in DEMO_USERS.items()}
    with app.app_context():
        tokens = seed()
        extra = [(f"author{n}", "author") for n in range(2, extra_authors + 2)]
        extra += [(f"viewer{n}", "viewer") for n in range(2, extra_viewers + 2)]
        for username, role in extra:
            user = User(username=username, role=role, email=f"{username}@example.com")
            passwords[username] = f"{username}-load"
            user.set_password(passwords[username])
            tokens[username] = user.issue_token()
            db.session.add(user)
            if role == "author":
                for number, published in enumerate((True, False, False)):
                    title = f"{username} post {number}"
                    db.session.add(Post(title=title, body=title, published=published, author=user))
        db.session.commit()
        people = {
            user.username: Person(
                user.id, user.username, user.role, passwords[user.username], tokens[user.username]
            )
            for user in db.session.scalars(db.select(User))
        }
        posts = {
            post.id: Row(post.id, post.user_id, post.published, post.title)
            for post in db.session.scalars(db.select(Post))
        }
    return app, Oracle(people, posts)


# -- the server ---------------------------------------------------------------------


class _KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` with Werkzeug's threaded server on a free loopback port; yield its address."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_KeepAliveHandler)
    thread = threading.Thread(target=server.serve_forever, name="load-server", daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _serve_child(app: Flask, pipe: t.Any) -> None:
    with app.app_context():
        for engine in app.extensions["sqlalchemy"].engines.values():
            engine.dispose(close=False)  # never share the parent's connections
    with serve(app) as address:
        pipe.send(address)
        pipe.recv()  # until the parent says stop


@contextmanager
def serve_in_child(app: Flask) -> Iterator[str]:
    """Serve ``app`` as :func:`serve` does, in a forked process (clients keep their own GIL)."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_child, args=(app, child), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the server process did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


# -- clients --------------------------------------------------------------------------


class Client:
    """One keep-alive connection with its own cookies and credentials."""

    def __init__(self, address: str, *, html: bool, token: str | None = None) -> None:
        self.address = address
        self.html = html
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(address, timeout=60)

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": "text/html" if self.html else "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.address, timeout=60)
                if attempt == 2:
                    raise
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in cookie or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def log_in(self, person: Person) -> None:
        form = urllib.parse.urlencode({"username": person.username, "password": person.password})
        status, _, _ = self.request(
            "POST", "/login", form.encode(), "application/x-www-form-urlencoded"
        )
        if status != 302 or "session" not in self.cookies:
            raise RuntimeError(f"could not log in as {person.username}: {status}")

    def close(self) -> None:
        self.connection.close()


# -- what each user asks, and what it must get -----------------------------------------

_POST_LINK = re.compile(rb'href="/posts/(\d+)"')
_GREETING = re.compile(rb'<span class="who">([^<]*)</span>')
_BUTTONS = {"edit": b'id="edit"', "publish": b'id="publish"', "delete": b'id="delete"'}


def _status(expected: int) -> Check:
    def check(status: int, headers: dict[str, str], body: bytes) -> str | None:
        return None if status == expected else f"status {status}, expected {expected}"

    return check


def _all(*checks: Check) -> Check:
    def check(status: int, headers: dict[str, str], body: bytes) -> str | None:
        for one in checks:
            problem = one(status, headers, body)
            if problem:
                return problem
        return None

    return check


def _greets(who: Person) -> Check:
    expected = f"{who.username} ({who.role})".encode()

    def check(status: int, headers: dict[str, str], body: bytes) -> str | None:
        found = _GREETING.findall(body)
        return None if found == [expected] else f"page greets {found}, expected {expected!r}"

    return check


def _html_probes(oracle: Oracle, who: Person) -> list[Probe]:
    seen = oracle.visible_ids(who)

    def lists_exactly(status: int, headers: dict[str, str], body: bytes) -> str | None:
        shown = {int(number) for number in _POST_LINK.findall(body)}
        return None if shown == seen else f"list shows {sorted(shown)}, expected {sorted(seen)}"

    probes = [
        Probe("html index", "GET", "/", _all(_status(200), _greets(who), lists_exactly), weight=8),
        Probe("html audit", "GET", "/audit", _status(200 if who.role == "admin" else 403)),
    ]
    for post in oracle.posts.values():
        buttons = {
            "edit": oracle.can_update(who, post),
            "publish": oracle.can_publish(who, post),
            "delete": oracle.can_update(who, post),
        }

        def shows_buttons(
            status: int, headers: dict[str, str], body: bytes, buttons: dict[str, bool] = buttons
        ) -> str | None:
            shown = {name: marker in body for name, marker in _BUTTONS.items()}
            return None if shown == buttons else f"buttons {shown}, expected {buttons}"

        if oracle.visible(who, post):
            page = _all(_status(200), _greets(who), shows_buttons)
        else:
            page = _all(_status(403), _greets(who))
        probes.append(Probe("html show", "GET", f"/posts/{post.id}", page))
        edit = _status(200 if oracle.can_update(who, post) else 403)
        probes.append(Probe("html edit form", "GET", f"/posts/{post.id}/edit", edit))
    return probes


def _api_probes(oracle: Oracle, who: Person) -> list[Probe]:
    seen = oracle.visible_ids(who)

    def lists_exactly(status: int, headers: dict[str, str], body: bytes) -> str | None:
        shown = {post["id"] for post in json.loads(body)}
        return None if shown == seen else f"list shows {sorted(shown)}, expected {sorted(seen)}"

    probes = [
        Probe("api index", "GET", "/api/posts", _all(_status(200), lists_exactly), weight=8),
        Probe("api missing post", "GET", "/api/posts/999999", _status(404)),
    ]
    for post in oracle.posts.values():
        probes.append(
            Probe(
                "api show", "GET", f"/api/posts/{post.id}", _status(200 if post.id in seen else 403)
            )
        )
        edit = json.dumps({"post": {"title": post.title, "user_id": who.id}}).encode()
        probes.append(
            Probe(
                "api update",
                "PATCH",
                f"/api/posts/{post.id}",
                _status(200 if oracle.can_update(who, post) else 403),
                edit,
                "application/json",
            )
        )
        if not post.published:
            probes.append(
                Probe(
                    "api publish",
                    "POST",
                    f"/api/posts/{post.id}/publish",
                    _status(202 if oracle.can_publish(who, post) else 403),
                )
            )
    return probes


def _anonymous_probes(oracle: Oracle) -> list[Probe]:
    some_post = min(oracle.posts)
    return [
        Probe("anonymous html index", "GET", "/", _status(302)),
        Probe("anonymous html show", "GET", f"/posts/{some_post}", _status(302)),
        Probe("anonymous api index", "GET", "/api/posts", _status(401)),
        Probe("anonymous api show", "GET", f"/api/posts/{some_post}", _status(401)),
    ]


# -- the run ------------------------------------------------------------------------------


def drive(address: str, oracle: Oracle, *, clients: int, requests: int, seed: int = 0) -> Report:
    """Run ``clients`` threads that send ``requests`` requests in all; check every answer."""
    people = sorted(oracle.people.values(), key=lambda person: person.id)
    report = Report()
    lock = threading.Lock()
    shares = [requests // clients + (1 if n < requests % clients else 0) for n in range(clients)]
    start = threading.Barrier(clients + 1)

    def worker(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        who: Person | None = None
        if number % 8 == 7:
            client = Client(address, html=bool(number % 2))
            probes = _anonymous_probes(oracle)
        else:
            who = people[number % len(people)]
            html = number % 2 == 0
            client = Client(address, html=html, token=None if html else who.token)
            if html:
                client.log_in(who)
            probes = _html_probes(oracle, who) if html else _api_probes(oracle, who)
        label = who.username if who else "anonymous"
        weights = [probe.weight for probe in probes]
        start.wait()
        try:
            for _ in range(shares[number]):
                probe = rng.choices(probes, weights)[0]
                try:
                    status, headers, body = client.request(
                        probe.method, probe.path, probe.body, probe.content_type
                    )
                except Exception as error:
                    with lock:
                        report.transport_errors.append(f"{label} {probe.path}: {error!r}")
                    continue
                problem = probe.check(status, headers, body)
                with lock:
                    report.requests += 1
                    report.by_probe[probe.name] += 1
                    if problem:
                        where = f"{label} {probe.method} {probe.path}"
                        if status >= 500:
                            report.transport_errors.append(f"{where}: {problem}")
                        else:
                            report.decision_errors.append(f"{where}: {problem}")
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    report.seconds = time.perf_counter() - began
    return report


def run_load(
    folder: Path,
    *,
    clients: int = 16,
    requests: int = 6000,
    extra_authors: int = 5,
    extra_viewers: int = 3,
    seed: int = 0,
    server_process: bool = False,
) -> tuple[Report, Oracle]:
    """Build, seed and serve the example app in ``folder``, drive it, and return the report.

    :param server_process: Serve from a forked process instead of a thread of this one.
    """
    app, oracle = build_app(folder, extra_authors=extra_authors, extra_viewers=extra_viewers)
    with (serve_in_child if server_process else serve)(app) as address:
        report = drive(address, oracle, clients=clients, requests=requests, seed=seed)
    return report, oracle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=6000, help="requests in all")
    parser.add_argument("--extra-authors", type=int, default=5)
    parser.add_argument("--extra-viewers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="serve from a thread of this process (clients and server then share one GIL)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the example app
    with tempfile.TemporaryDirectory(prefix="load-example-app-") as folder:
        report, oracle = run_load(
            Path(folder),
            clients=args.clients,
            requests=args.requests,
            extra_authors=args.extra_authors,
            extra_viewers=args.extra_viewers,
            seed=args.seed,
            server_process=not args.same_process,
        )
    where = "same process" if args.same_process else "own process"
    print(
        f"example app, werkzeug threaded server ({where}), {args.clients} clients,"
        f" {len(oracle.people)} users, {len(oracle.posts)} posts"
    )
    print(f"requests answered : {report.requests}")
    print(f"wall time         : {report.seconds:.2f} s")
    print(f"requests/second   : {report.per_second:.0f}")
    print(f"decision errors   : {len(report.decision_errors)}")
    print(f"transport/5xx     : {len(report.transport_errors)}")
    for name, count in sorted(report.by_probe.items()):
        print(f"  {name:<22} {count}")
    for problem in (report.decision_errors + report.transport_errors)[:20]:
        print(f"  ! {problem}")
    return 1 if report.decision_errors or report.transport_errors else 0


if __name__ == "__main__":
    sys.exit(main())
