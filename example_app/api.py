"""The JSON API, for clients that send ``Authorization: Bearer <token>``.

Every answer is JSON, errors included: 401 without a valid token, 403 when
the policy denies (with the denial's reason), 404 for unknown posts. Denials
answer JSON because :func:`.create_app` registers the blueprint with
``authz.register_api``; other HTTP errors go through :func:`http_error`.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Blueprint
from flask import jsonify
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from flask_simple_authorize import authorize
from flask_simple_authorize import filter_attributes
from flask_simple_authorize import policy_params
from flask_simple_authorize import policy_scope

from .extensions import db
from .models import Post
from .tasks import publish_post

bp = Blueprint("api", __name__, url_prefix="/api")

JSONResponse = tuple[Response, int]


@bp.get("/posts")
def index() -> Response:
    """The posts the token's user may see."""
    authorize(Post, "index")
    posts = db.session.scalars(policy_scope(sa.select(Post).order_by(Post.id))).all()
    return jsonify([_as_json(post) for post in posts])


@bp.get("/posts/<int:post_id>")
def show(post_id: int) -> Response:
    """One post."""
    return jsonify(_as_json(authorize(db.get_or_404(Post, post_id))))


@bp.patch("/posts/<int:post_id>")
def update(post_id: int) -> Response:
    """Change a post: ``{"post": {"title": ...}}``; attributes not permitted are ignored."""
    post = authorize(db.get_or_404(Post, post_id))
    for name, value in policy_params(post, "post").items():
        setattr(post, name, value)
    db.session.commit()
    return jsonify(_as_json(post))


@bp.post("/posts/<int:post_id>/publish")
def publish(post_id: int) -> JSONResponse:
    """Queue the publish job; 202 Accepted, since the worker publishes later."""
    post = authorize(db.get_or_404(Post, post_id))
    publish_post(current_user.id, post.id)
    return jsonify({"queued": True, "post": post.id}), 202


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> JSONResponse:
    """Answer 404 and friends in JSON.

    Denials are the extension's to answer; a hidden one reaches this handler
    as the same 404 a missing post gets.
    """
    return jsonify({"error": error.name.lower().replace(" ", "_")}), error.code or 500


def _as_json(post: Post) -> dict[str, t.Any]:
    data = {
        "id": post.id,
        "title": post.title,
        "body": post.body,
        "published": post.published,
        "author": post.author.username,
    }
    return filter_attributes(post, data)
