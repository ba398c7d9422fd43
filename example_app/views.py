"""The blog's pages. Each view asks the policy; none checks a role itself."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from flask_simple_authorize import authorize
from flask_simple_authorize import permitted_attributes
from flask_simple_authorize import policy_params
from flask_simple_authorize import policy_scope

from .extensions import audit
from .extensions import db
from .models import Post
from .policies import AuditPolicy
from .tasks import publish_post

bp = Blueprint("posts", __name__)

#: Post attributes the edit form can write, in form order.
EDITABLE = ("title", "body", "published")


@bp.get("/")
def index() -> str:
    """List the posts the user may see: admins all, others published ones and their own."""
    authorize(Post, "index")
    posts = db.session.scalars(policy_scope(sa.select(Post).order_by(Post.id))).all()
    return render_template("posts/index.html", posts=posts)


@bp.get("/posts/<int:post_id>")
def show(post_id: int) -> str:
    """Show one post (drafts only to their author and admins)."""
    post = authorize(db.get_or_404(Post, post_id))
    return render_template("posts/show.html", post=post)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int) -> str | Response:
    """Show the edit form; on POST, write only the attributes the policy permits.

    ``edit`` is checked as ``update``. A forged ``post[published]`` field from
    an author is dropped by :func:`policy_params`.
    """
    post = authorize(db.get_or_404(Post, post_id))
    permitted = permitted_attributes(post, "update")
    if request.method == "POST":
        params = policy_params(post, "post")
        for name in EDITABLE:
            if name not in params:
                continue
            value = params[name]
            setattr(post, name, value == "1" if name == "published" else value.strip())
        db.session.commit()
        flash("Post saved.", "info")
        return redirect(url_for("posts.show", post_id=post.id))
    return render_template("posts/edit.html", post=post, permitted=permitted)


@bp.post("/posts/<int:post_id>/publish")
def publish(post_id: int) -> Response:
    """Queue the publish job. The job checks the policy again when it runs."""
    post = authorize(db.get_or_404(Post, post_id))
    publish_post(current_user.id, post.id)
    flash("Publishing: the post goes live as soon as the worker runs the job.", "info")
    return redirect(url_for("posts.show", post_id=post.id))


@bp.post("/posts/<int:post_id>/delete")
def destroy(post_id: int) -> Response:
    """Delete a post."""
    post = authorize(db.get_or_404(Post, post_id))
    db.session.delete(post)
    db.session.commit()
    flash("Post deleted.", "info")
    return redirect(url_for("posts.index"))


@bp.get("/audit")
def audit_trail() -> str:
    """The latest authorization decisions and job runs (admins only)."""
    authorize(AuditPolicy, "show")
    model = audit.model
    entries = db.session.scalars(
        sa.select(model).order_by(model.created_at.desc(), model.id.desc()).limit(200)
    ).all()
    return render_template("audit.html", entries=entries)
