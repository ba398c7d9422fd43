"""A small blog used by the developer-experience tests: articles, their policy, an app."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import jsonify
from flask_login import LoginManager
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import policy_params
from flask_simple_authorize import policy_scope
from flask_simple_authorize import skip_authorization
from flask_simple_authorize.policy import RuleResult


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Member(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="viewer")


class Article(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    published: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))


class ArticlePolicy(Policy):
    """Everyone reads published articles; authors and admins edit; admins publish."""

    def index(self) -> RuleResult:
        return True

    def show(self) -> RuleResult:
        return bool(self.record.published) or self.is_owner or self.is_admin

    def update(self) -> RuleResult:
        if self.is_admin:
            return True
        if not self.is_owner:
            return self.deny("not_owner")
        return True

    def publish(self) -> RuleResult:
        return self.is_admin or self.deny("admins_only")

    def permitted_attributes(self) -> list[str]:
        return ["title", "published"] if self.is_admin else ["title"]

    def visible_attributes(self) -> list[str]:
        return ["id", "title", "published", "user_id"] if self.is_admin else ["id", "title"]

    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            return self.scope.where(Article.published.is_(True))


def create_app(config: dict[str, t.Any] | None = None, *, huey: t.Any = None) -> Flask:
    """Build the blog app with an in-memory database and seeded members and articles."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="devx",
        TESTING=True,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SIMPLE_AUTHORIZE_API_ERROR_DETAILS=True,
    )
    app.config.update(config or {})
    db.init_app(app)
    manager = LoginManager(app)

    @manager.user_loader
    def load_member(member_id: str) -> Member | None:
        return db.session.get(Member, int(member_id))

    SimpleAuthorize(app, huey=huey)
    register_views(app)
    with app.app_context():
        db.create_all()
        admin = Member(name="admin", role="admin")
        author = Member(name="author", role="author")
        viewer = Member(name="viewer")
        db.session.add_all([admin, author, viewer])
        db.session.flush()
        db.session.add_all(
            [
                Article(title="Draft", published=False, user_id=author.id),
                Article(title="Live", published=True, user_id=author.id),
            ]
        )
        db.session.commit()
    return app


def register_views(app: Flask) -> None:
    """The views the tests drive (and ``flask authz routes`` inspects)."""

    @app.get("/articles")
    def index() -> t.Any:
        articles = db.session.scalars(policy_scope(Article)).all()
        return jsonify([article.title for article in articles])

    @app.get("/articles/<int:article_id>")
    def show(article_id: int) -> t.Any:
        article = authorize(db.get_or_404(Article, article_id))
        can_publish = allowed_to("publish", article)
        return jsonify(title=article.title, can_publish=can_publish)

    @app.post("/articles/<int:article_id>/edit")
    def update(article_id: int) -> t.Any:
        article = authorize(db.get_or_404(Article, article_id), "update")
        for key, value in policy_params(article).items():
            setattr(article, key, value)
        db.session.commit()
        return jsonify(title=article.title)

    @app.get("/health")
    @skip_authorization
    def health() -> t.Any:
        return "ok"

    @app.get("/about")
    def about() -> t.Any:
        return "about"
