"""A small blog used by the core tests: users, posts, their policy and an app factory."""

from __future__ import annotations

import contextvars
import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import request
from flask.testing import FlaskClient
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import login_user
from flask_login import logout_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import skip_authorization
from flask_simple_authorize.policy import RuleResult


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="viewer")
    token: Mapped[str] = mapped_column(sa.String(40), unique=True)


class Post(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))


class PostPolicy(Policy):
    """The policy of the sample blog."""

    def index(self) -> RuleResult:
        return True

    def show(self) -> RuleResult:
        return bool(self.record.published) or self.is_owner or self.is_admin

    def create(self) -> RuleResult:
        return self.is_authenticated

    def update(self) -> RuleResult:
        return self.is_owner or self.is_admin

    def destroy(self) -> RuleResult:
        return self.is_admin

    def publish(self) -> RuleResult:
        if self.is_admin:
            return True
        if self.is_owner:
            return self.deny("needs_review")
        return False

    def permitted_attributes(self) -> list[str]:
        return ["title", "body"] + (["published"] if self.is_admin else [])

    def permitted_attributes_for_create(self) -> list[str]:
        return ["title", "body", "user_id"] if self.is_admin else ["title", "body"]

    def visible_attributes(self) -> list[str]:
        return ["id", "title", "body"] + (["user_id"] if self.is_admin else [])

    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            return self.scope.where(sa.or_(Post.published.is_(True), Post.user_id == self.user_id))

        def includes(self, record: t.Any) -> bool:
            return self.is_admin or bool(record.published) or record.user_id == self.user_id


SEED_USERS = (("admin", "admin"), ("author", "author"), ("viewer", "viewer"))


def oracle(user: User | None, post: Post, action: str) -> bool:
    """What PostPolicy should answer, computed from the data alone."""
    admin = user is not None and user.role == "admin"
    owner = user is not None and post.user_id == user.id
    return {
        "show": post.published or owner or admin,
        "update": owner or admin,
        "destroy": admin,
        "publish": admin,
    }[action]


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's own app context.

    Flask 3.1 reuses an app context that is already pushed for the same app, so
    ``g`` (and flask-login's user in it) would carry over from one request to
    the next; a real server gives every request a fresh one, and so does this.
    """

    def open(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def create_app(config: dict[str, t.Any] | None = None, *, seed: bool = True) -> Flask:
    """Build an app with the database, flask-login and the extension set up.

    Users log in with ``GET /_login/<id>`` (a session) or the header
    ``X-Token`` (flask-login's request loader).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="test-secret",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        TESTING=True,
    )
    app.config.update(config or {})
    app.test_client_class = IsolatedClient
    db.init_app(app)
    manager = LoginManager(app)
    manager.login_view = "login_page"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @manager.request_loader
    def load_from_token(req: t.Any) -> User | None:
        token = req.headers.get("X-Token")
        if not token:
            return None
        return db.session.execute(sa.select(User).filter_by(token=token)).scalar_one_or_none()

    @app.get("/_login/<int:user_id>")
    @skip_authorization
    def test_login(user_id: int) -> str:
        login_user(db.session.get(User, user_id))
        return "ok"

    @app.get("/_logout")
    @skip_authorization
    def test_logout() -> str:
        logout_user()
        return "ok"

    @app.get("/login")
    @skip_authorization
    def login_page() -> str:
        return f"login page next={request.args.get('next', '')}"

    SimpleAuthorize(app)
    with app.app_context():
        db.create_all()
        if seed:
            seed_data()
    return app


def seed_data() -> None:
    """Add admin, author and viewer, and three posts.

    The author's ``draft`` and published ``live``, and the admin's ``secret`` draft.
    """
    users = {name: User(name=name, role=role, token=f"token-{name}") for name, role in SEED_USERS}
    db.session.add_all(users.values())
    db.session.flush()
    db.session.add_all(
        [
            Post(title="draft", body="d", published=False, user_id=users["author"].id),
            Post(title="live", body="l", published=True, user_id=users["author"].id),
            Post(title="secret", body="s", published=False, user_id=users["admin"].id),
        ]
    )
    db.session.commit()
