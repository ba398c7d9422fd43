"""Signing in: a login form for people, bearer tokens for API clients."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import Request
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from flask_simple_authorize import safe_redirect_target
from flask_simple_authorize import skip_authorization

from .extensions import db
from .extensions import login_manager
from .models import User
from .models import hash_token

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see the blog."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session (and of a job: the extension uses this loader too)."""
    return db.session.get(User, int(user_id))


@login_manager.request_loader
def load_user_from_token(request: Request) -> User | None:
    """Authenticate API clients by ``Authorization: Bearer <token>``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return db.session.scalar(sa.select(User).where(User.token_hash == hash_token(token.strip())))


@bp.route("/login", methods=["GET", "POST"])
@skip_authorization
def login() -> str | Response:
    """Show the login form; sign the user in on a good username and password."""
    if request.method == "POST":
        username = request.form.get("username", "")
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None and user.check_password(request.form.get("password", "")):
            login_user(user)
            target = safe_redirect_target(request.args.get("next"))
            return redirect(target or url_for("posts.index"))
        flash("Unknown username or wrong password.", "error")
    return render_template("login.html")


@bp.post("/logout")
@login_required
@skip_authorization
def logout() -> Response:
    """Sign out (POST only: a link or an image cannot sign anyone out)."""
    logout_user()
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"))
