"""Who may do what: the rules of the blog, in one place.

Views, templates, the JSON API and the publish job all ask these policies;
none of them checks a role by hand.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa

from flask_simple_authorize import Denial
from flask_simple_authorize import Policy

from .models import Post

#: Policies register by class name, process-wide. A namespace of their own keeps
#: these from shadowing (or being shadowed by) another app's ``PostPolicy`` in
#: the same process; ``Post.__policy__`` below binds the model to its policy.
NAMESPACE = "example_app"


class PostPolicy(Policy, namespace=NAMESPACE):
    """Rules for posts: everyone signed in reads published posts, authors
    manage their own, admins manage all of them."""

    def index(self) -> bool | Denial:
        """Signed-in users may list posts (the scope decides which)."""
        return self.is_authenticated

    def show(self) -> bool | Denial:
        """Published posts are public to signed-in users; drafts only to their author and admins."""
        if not self.is_authenticated:
            return False
        return self.record.published or self.is_owner or self.is_admin

    def update(self) -> bool | Denial:
        """Authors edit their own posts; admins edit any post."""
        if self.is_owner or self.is_admin:
            return True
        return self.deny("not_your_post")

    def publish(self) -> bool | Denial:
        """Authors publish their own drafts; admins publish any draft."""
        if not (self.is_owner or self.is_admin):
            return self.deny("not_your_post")
        if self.record.published:
            return self.deny("already_published")
        return True

    def destroy(self) -> bool | Denial:
        """Authors delete their own posts; admins delete any post."""
        return self.is_owner or self.is_admin

    def permitted_attributes(self) -> t.Sequence[str]:
        """Everyone who may edit writes the title and body; only admins flip ``published``."""
        if self.is_admin:
            return ("title", "body", "published")
        return ("title", "body")

    def visible_attributes(self) -> t.Sequence[str]:
        """What the JSON API shows of a post."""
        return ("id", "title", "body", "published", "author")

    class Scope(Policy.Scope):
        """Admins see every post; others see published posts and their own drafts."""

        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            if not self.is_authenticated:
                return self.scope.where(sa.false())
            return self.scope.where(sa.or_(Post.published, Post.user_id == self.user_id))


class AuditPolicy(Policy, namespace=NAMESPACE):
    """A headless policy: ``authorize(AuditPolicy, "show")`` guards the audit page."""

    def show(self) -> bool | Denial:
        """Only admins read the audit trail."""
        return self.is_admin


Post.__policy__ = PostPolicy
