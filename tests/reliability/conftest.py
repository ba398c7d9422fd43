"""Fixtures for the reliability suite: an instrumented policy, users, records, a small app.

The policy here is a trap: every attribute that is not a rule records that it
was touched, so a test can prove that hostile action names never reach one.
Class names carry a ``Hostile`` prefix because policies register globally by
name and other test packages define their own ``PostPolicy``.
"""

from __future__ import annotations

import contextlib
import typing as t
import warnings
from dataclasses import dataclass
from dataclasses import field

import pytest
from flask import Flask
from flask import jsonify
from flask import request
from flask_login import AnonymousUserMixin
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import login_user
from hypothesis import Phase
from hypothesis import settings

from flask_simple_authorize import Denial
from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import authorize
from flask_simple_authorize import policy_params

# On a failure, Hypothesis's pytest plugin imports its patch writer, which imports
# libcst, which warns on import; with warnings as errors that hides the failure.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore")
    import hypothesis.extra._patching  # noqa: F401


def bounded(examples: int) -> settings:
    """Hypothesis settings for CI: a fixed number of examples, derandomized, no deadline.

    The explain phase is left out: it imports libcst, which warns on import
    (and warnings are errors in this suite).
    """
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )


#: Names of non-rule attributes that were called or read, in order.
TOUCHED: list[str] = []


def touch(name: str) -> None:
    """Record that the non-rule attribute ``name`` was used."""
    TOUCHED.append(name)


@dataclass(eq=False)
class HostileUser(UserMixin):
    """A logged-in user; ``id`` may be of any type in the id tests."""

    id: t.Any
    role: str = "member"

    def get_id(self) -> str:
        return str(self.id)


@dataclass(eq=False)
class HostileRecord:
    """A record owned by ``user_id``."""

    id: t.Any
    user_id: t.Any
    published: bool = False


class _CallableTrap:
    """A callable class attribute: looks like a method, is not a rule."""

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> bool:
        touch("callable_attribute")
        return True


class HostileRecordPolicy(Policy):
    """Rules: show, update, publish, archive (always denies with a reason), index.

    Everything else is a trap that records its use and would allow if called.
    """

    def index(self) -> bool:
        return True

    def show(self) -> bool:
        return bool(self.record.published) or self.is_owner or self.is_admin

    def update(self) -> bool:
        return self.is_owner or self.is_admin

    def publish(self) -> bool:
        return self.is_admin

    def archive(self) -> Denial:
        return Denial("archive_locked")

    # -- traps ----------------------------------------------------------------

    def permitted_attributes(self) -> list[str]:
        touch("permitted_attributes")
        return ["title", "body"]

    def permitted_attributes_for_update(self) -> list[str]:
        touch("permitted_attributes_for_update")
        return ["title"]

    def visible_attributes(self) -> list[str]:
        touch("visible_attributes")
        return ["title"]

    def editable_attributes(self) -> list[str]:
        touch("editable_attributes")
        return ["title"]

    def _private(self) -> bool:
        touch("_private")
        return True

    def __secret__(self) -> bool:
        touch("__secret__")
        return True

    def needs_argument(self, value: t.Any) -> bool:
        touch("needs_argument")
        return True

    @property
    def computed(self) -> bool:
        touch("computed")
        return True

    @staticmethod
    def static_helper() -> bool:
        touch("static_helper")
        return True

    @classmethod
    def class_helper(cls) -> bool:
        touch("class_helper")
        return True

    callable_attribute = _CallableTrap()
    lambda_attribute = staticmethod(lambda: (touch("lambda_attribute"), True)[1])

    class Inner:
        def __init__(self, *args: t.Any) -> None:
            touch("Inner")

    class Scope(Policy.Scope):
        def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
            touch("Scope")
            super().__init__(*args, **kwargs)


#: The rules of :class:`HostileRecordPolicy` and how each one decides.
RULE_ORACLE: dict[str, t.Callable[[t.Any, HostileRecord], bool]] = {
    "index": lambda user, record: True,
    "show": lambda user, record: bool(record.published) or _owns(user, record) or _is_admin(user),
    "update": lambda user, record: _owns(user, record) or _is_admin(user),
    "publish": lambda user, record: _is_admin(user),
    "archive": lambda user, record: False,
    "create": lambda user, record: False,
    "destroy": lambda user, record: False,
}
ALIASES = {"new": "create", "edit": "update"}


def _authenticated(user: t.Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _owns(user: t.Any, record: HostileRecord) -> bool:
    user_id = getattr(user, "id", None)
    return _authenticated(user) and user_id is not None and bool(record.user_id == user_id)


def _is_admin(user: t.Any) -> bool:
    return _authenticated(user) and getattr(user, "role", None) == "admin"


def expected_rule(action: t.Any) -> str | None:
    """Return the rule ``action`` must resolve to, or ``None`` when it names no rule."""
    if not isinstance(action, str):
        return None
    plain: str = str.__str__(action)  # what a str subclass really holds, whatever it claims
    name = plain[:-1] if plain.endswith("?") else plain
    if name in RULE_ORACLE:
        return name
    return ALIASES.get(name)


ADMIN = HostileUser(id=1, role="admin")
OWNER = HostileUser(id=2)
STRANGER = HostileUser(id=3)
ANONYMOUS = AnonymousUserMixin()
ACTORS = {"admin": ADMIN, "owner": OWNER, "stranger": STRANGER, "anonymous": ANONYMOUS}
DRAFT = HostileRecord(id=10, user_id=OWNER.id, published=False)
PUBLISHED = HostileRecord(id=11, user_id=OWNER.id, published=True)
RECORDS = {"draft": DRAFT, "published": PUBLISHED}


@dataclass
class Decisions:
    """What the ``authorization_checked`` subscriber saw."""

    queries: list[t.Any] = field(default_factory=list)


def make_app(**config: t.Any) -> Flask:
    """Build the small app the hostile-input tests drive.

    Routes: ``POST /login/<user>`` logs a user in; ``POST /records/<id>/edit``
    authorizes ``update`` and returns :func:`.policy_params` (JSON or form,
    optionally nested under ``?key=``); ``GET /records/<id>/publish`` authorizes
    ``publish`` (a denial redirects HTML users to the referrer).
    """
    app = Flask(__name__)
    app.config.update({"SECRET_KEY": "reliability-tests", "TESTING": True, **config})
    login = LoginManager(app)
    users = {str(user.id): user for user in (ADMIN, OWNER, STRANGER)}
    records = {str(record.id): record for record in RECORDS.values()}
    login.user_loader(users.get)
    SimpleAuthorize(app)

    @app.post("/login/<user_id>")
    def log_in(user_id: str) -> t.Any:
        login_user(users[user_id])
        return "ok"

    @app.post("/records/<record_id>/edit")
    def update(record_id: str) -> t.Any:
        record = authorize(records[record_id])
        return jsonify(policy_params(record, request.args.get("key")))

    @app.get("/records/<record_id>/publish")
    def publish(record_id: str) -> t.Any:
        authorize(records[record_id])
        return "published"

    return app


@pytest.fixture(autouse=True)
def _forget_touches() -> t.Iterator[None]:
    TOUCHED.clear()
    yield
    TOUCHED.clear()


@pytest.fixture(scope="module")
def app() -> Flask:
    """The small app, shared by a module's property tests (Hypothesis reruns one test often)."""
    return make_app()
