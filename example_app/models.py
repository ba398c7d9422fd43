"""The blog's models: users who log in, and their posts."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import typing as t

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from .extensions import db

if t.TYPE_CHECKING:
    from flask_simple_authorize import Policy

ROLES = ("admin", "author", "viewer")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def hash_token(token: str) -> str:
    """Return the digest stored for an API token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """Someone who can log in. ``role`` is one of :data:`ROLES`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    email: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    posts: Mapped[list[Post]] = relationship(back_populates="author")

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (``PASSWORD_HASH_METHOD``, default scrypt)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def issue_token(self) -> str:
        """Create a new API token, store its digest, and return the token (shown once)."""
        token = secrets.token_urlsafe(24)
        self.token_hash = hash_token(token)
        return token

    def __repr__(self) -> str:
        return f"<User {self.username!r} ({self.role})>"


class Post(db.Model):  # type: ignore[name-defined,misc]
    """A blog post, a draft until it is published."""

    #: Set in :mod:`example_app.policies` to ``PostPolicy``.
    __policy__: t.ClassVar[type[Policy]]

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime.datetime | None]
    created_at: Mapped[datetime.datetime] = mapped_column(default=_now)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    author: Mapped[User] = relationship(back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.title!r}>"
