"""The ``flask seed`` command."""

from __future__ import annotations

from flask import Flask

from example_app.extensions import db
from example_app.models import Post
from example_app.models import User


def test_seed_command_recreates_the_demo_data_and_prints_the_logins(app: Flask):
    with app.app_context():
        db.session.add(Post(title="Extra", body="", user_id=1))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    for login in ("admin      admin-demo", "author     author-demo", "viewer     viewer-demo"):
        assert " ".join(login.split()) in " ".join(result.output.split())
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Post)) == 5
        roles = db.session.scalars(db.select(User.role).order_by(User.id)).all()
        assert roles == ["admin", "author", "viewer"]
