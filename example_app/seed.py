"""Demo data: three users, one per role, and a few posts.

``flask --app example_app seed`` recreates the tables, seeds them and prints
the logins and API tokens.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .extensions import db
from .models import Post
from .models import User

#: ``username -> (role, password)``: demo logins, printed by ``flask seed``.
DEMO_USERS = {
    "admin": ("admin", "admin-demo"),
    "author": ("author", "author-demo"),
    "viewer": ("viewer", "viewer-demo"),
}

#: ``(author, title, published)``.
DEMO_POSTS = (
    ("admin", "Welcome to the blog", True),
    ("author", "How policies work", True),
    ("author", "Draft: background jobs", False),
    ("author", "Draft: signals and mail", False),
    ("admin", "Draft: admin notes", False),
)


def seed() -> dict[str, str]:
    """Drop and create the tables, add the demo users and posts.

    :return: ``username -> API token`` (tokens are stored hashed: this is the
        only time they can be shown).
    """
    db.drop_all()
    db.create_all()
    users: dict[str, User] = {}
    tokens: dict[str, str] = {}
    for username, (role, password) in DEMO_USERS.items():
        user = User(username=username, role=role, email=f"{username}@example.com")
        user.set_password(password)
        tokens[username] = user.issue_token()
        users[username] = user
    db.session.add_all(users.values())
    for author, title, published in DEMO_POSTS:
        body = f"{title}. Written by {author} for the demo."
        db.session.add(Post(title=title, body=body, published=published, author=users[author]))
    db.session.commit()
    return tokens


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Recreate the database with the demo users and posts."""
    tokens = seed()
    click.echo("Demo logins (username / password / API token):")
    for username, (_, password) in DEMO_USERS.items():
        click.echo(f"  {username:<7} {password:<12} {tokens[username]}")
