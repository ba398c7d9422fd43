"""A small blog that uses Flask-Simple-Authorize: the quick start of the docs.

Run it with ``python quickstart.py`` and open http://127.0.0.1:5000/ (log in
as admin, alice or bob, password "secret").
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Flask
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from flask_simple_authorize import Denial
from flask_simple_authorize import Policy
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import authorize
from flask_simple_authorize import policy_params
from flask_simple_authorize import policy_scope
from flask_simple_authorize import safe_redirect_target
from flask_simple_authorize import skip_authorization

# -- extensions -----------------------------------------------------------------


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
authz = SimpleAuthorize()

# -- models ---------------------------------------------------------------------


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    password_hash: Mapped[str]
    role: Mapped[str] = mapped_column(default="member")  # "admin" makes is_admin true


class Post(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str] = mapped_column(default="")
    published: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the owner (is_owner)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


# -- the policy: found for Post records because of its name ---------------------


class PostPolicy(Policy):
    def index(self) -> bool:
        return True

    def show(self) -> bool:
        return self.record.published or self.is_owner or self.is_admin

    def create(self) -> bool:
        return self.is_authenticated

    def update(self) -> bool:
        return self.is_owner or self.is_admin

    def publish(self) -> bool | Denial:
        if self.is_admin:
            return True
        return self.deny("only_editors_publish")  # the reason reaches the error

    def permitted_attributes(self) -> list[str]:
        return ["title", "body"] + (["published"] if self.is_admin else [])

    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            visible = Post.published.is_(True)
            if self.is_authenticated:
                visible = visible | (Post.user_id == self.user_id)
            return self.scope.where(visible)


# -- views: HTML pages ----------------------------------------------------------

blog = Blueprint("blog", __name__)


@blog.get("/")
def index() -> str:
    posts = db.session.scalars(policy_scope(select(Post).order_by(Post.id)))
    return render_template("posts.html", posts=posts)


@blog.get("/posts/<int:post_id>")
def show(post_id: int) -> str:
    post = authorize(db.get_or_404(Post, post_id))  # action = the view's name: "show"
    return render_template("post.html", post=post)


@blog.post("/posts/<int:post_id>")
@login_required
def update(post_id: int) -> t.Any:
    post = authorize(db.get_or_404(Post, post_id))  # "update"
    for name, value in policy_params(post).items():  # only permitted attributes
        setattr(post, name, value)
    db.session.commit()
    return redirect(url_for("blog.show", post_id=post.id))


@blog.route("/login", methods=["GET", "POST"])
@skip_authorization
def login() -> t.Any:
    if request.method == "POST":
        user = db.session.scalar(select(User).filter_by(name=request.form["name"]))
        if user is not None and check_password_hash(user.password_hash, request.form["password"]):
            login_user(user)
            # back to the page that sent the user here, if it is on this site
            target = safe_redirect_target(request.args.get("next"))
            return redirect(target or url_for("blog.index"))
    return render_template("login.html")


@blog.post("/logout")
@skip_authorization
def logout() -> t.Any:
    logout_user()
    return redirect(url_for("blog.index"))


# -- views: a JSON API (denials answer 401/403 in JSON) ---------------------------

api = Blueprint("api", __name__, url_prefix="/api")
authz.register_api(api)  # JSON for every denial here, whatever the client accepts


def post_json(post: Post) -> dict[str, t.Any]:
    return {"id": post.id, "title": post.title, "body": post.body, "published": post.published}


@api.get("/posts")
def list_posts() -> t.Any:
    posts = db.session.scalars(policy_scope(Post))  # a model class means select(Post)
    return jsonify([post_json(post) for post in posts])


@api.patch("/posts/<int:post_id>")
def edit_post(post_id: int) -> t.Any:
    post = authorize(db.get_or_404(Post, post_id), "update")
    for name, value in policy_params(post, "post").items():  # {"post": {...}}
        setattr(post, name, value)
    db.session.commit()
    return jsonify(post_json(post))


@api.post("/posts/<int:post_id>/publish")
def publish(post_id: int) -> t.Any:
    post = authorize(db.get_or_404(Post, post_id))  # "publish"
    post.published = True
    db.session.commit()
    return jsonify(post_json(post))


# -- the app ----------------------------------------------------------------------


def create_app(config: dict[str, t.Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="change-me",
        SQLALCHEMY_DATABASE_URI="sqlite:///:memory:",
        SIMPLE_AUTHORIZE_VERIFY=True,  # a view that forgets to authorize fails loudly
    )
    app.config.update(config or {})
    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "blog.login"
    authz.init_app(app)
    app.register_blueprint(blog)
    app.register_blueprint(api)
    with app.app_context():
        db.create_all()
        seed()
    return app


def seed() -> None:
    password = generate_password_hash("secret")
    admin = User(name="admin", password_hash=password, role="admin")
    alice = User(name="alice", password_hash=password)
    bob = User(name="bob", password_hash=password)
    db.session.add_all([admin, alice, bob])
    db.session.flush()
    db.session.add_all(
        [
            Post(title="Hello", body="A published post.", published=True, user_id=alice.id),
            Post(title="Draft", body="Alice's draft.", user_id=alice.id),
            Post(title="Bob's draft", body="Only Bob and admins see it.", user_id=bob.id),
        ]
    )
    db.session.commit()


if __name__ == "__main__":
    create_app().run(debug=True)
