"""A small blog (users, posts, policies) shared by the job tests and the worker app."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Flask
from flask_login import LoginManager
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize

db = SQLAlchemy()


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "job_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    role: Mapped[str] = mapped_column(sa.String(20), default="viewer")


class Post(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "job_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80), default="draft")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("job_users.id"))
    published: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)


class Execution(db.Model):  # type: ignore[name-defined,misc]
    """One row per run of a task body: proves what ran, how often, as whom."""

    __tablename__ = "job_executions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), index=True)
    user_id: Mapped[int | None] = mapped_column(default=None)


class PostPolicy(Policy):
    def show(self) -> bool:
        return bool(self.record.published) or self.is_owner or self.is_admin

    def update(self) -> t.Any:
        if self.record.locked:
            return self.deny("locked")
        return self.is_owner or self.is_admin

    def publish(self) -> bool:
        return self.is_owner or self.is_admin

    def create(self) -> bool:
        return self.is_authenticated

    def notify_subscribers(self) -> bool:
        return self.is_admin

    def destroy(self) -> bool:
        return self.is_admin

    def publish_from(self) -> bool:
        """Publishing is allowed only from the office network (reads the captured context)."""
        return self.context.get("ip") == "10.0.0.1" and (self.is_owner or self.is_admin)

    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            return self.scope.where(sa.or_(Post.published.is_(True), Post.user_id == self.user.id))


# Named explicitly: the core tests' sample blog registers a PostPolicy of its own.
Post.__policy__ = PostPolicy


class ExportPolicy(Policy):
    """A headless policy: who may export data."""

    def export_data(self) -> bool:
        return self.is_admin or getattr(self.user, "role", None) == "author"


class MaintenancePolicy(Policy):
    """A headless policy for scheduled maintenance, run by the system user."""

    def run(self) -> bool:
        return getattr(self.user, "role", None) in ("system", "admin")


def create_app(database_uri: str, huey: t.Any = None, **config: t.Any) -> Flask:
    """Build the blog app and bind ``huey`` to it, as an app factory would."""
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_uri,
        SECRET_KEY="test-secret",
        TESTING=True,
        SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_DELAY=0,
    )
    app.config.update(config)
    if database_uri.startswith("sqlite:///") and database_uri != "sqlite:///:memory:":
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    db.init_app(app)
    login = LoginManager(app)

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    SimpleAuthorize(app, huey=huey)
    return app


def seed(app: Flask) -> dict[str, t.Any]:
    """Create the tables, the users (admin, author, viewer, system) and two posts."""
    with app.app_context():
        db.create_all()
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        users = {
            name: User(name=name, role=name) for name in ("admin", "author", "viewer", "system")
        }
        db.session.add_all(users.values())
        db.session.flush()
        draft = Post(title="draft", user_id=users["author"].id)
        locked = Post(title="locked", user_id=users["author"].id, locked=True)
        db.session.add_all([draft, locked])
        db.session.commit()
        ids = {name: user.id for name, user in users.items()}
        ids.update(draft=draft.id, locked=locked.id)
        return ids
