"""A team workspace for the PostgreSQL tests: joins, booleans and a composite key.

Members belong to teams through memberships (keyed by ``(team_id, member_id)``);
documents belong to a team and an owner. The models name their policies with
``__policy__``, so no other test package's policy can stand in for them.
"""

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
from flask_simple_authorize.audit import AuditTrail
from flask_simple_authorize.policy import RuleResult

db = SQLAlchemy()


class WorkspaceDocumentPolicy(Policy):
    """Owners and admins see every document of theirs; active members see published ones."""

    def show(self) -> RuleResult:
        record = self.record
        if self.is_admin or self.is_owner:
            return True
        membership = db.session.get(Membership, (record.team_id, self.user_id))
        return bool(record.published and not record.archived and membership and membership.active)

    def update(self) -> RuleResult:
        if self.record.archived:
            return self.deny("archived")
        return self.is_owner or self.is_admin

    class Scope(Policy.Scope):
        def resolve(self) -> t.Any:
            if self.is_admin:
                return self.scope
            member = sa.and_(
                Membership.team_id == Document.team_id, Membership.member_id == self.user_id
            )
            visible = sa.and_(
                Document.published.is_(True), sa.not_(Document.archived), Membership.active
            )
            return self.scope.outerjoin(Membership, member).where(
                sa.or_(Document.user_id == self.user_id, visible)
            )

        def includes(self, record: t.Any) -> bool:
            return WorkspaceDocumentPolicy(self.user, record).show() is True


class WorkspaceMembershipPolicy(Policy):
    """Admins manage memberships; members may leave their own."""

    def destroy(self) -> RuleResult:
        return self.is_admin or self.record.member_id == self.user_id

    def deactivate(self) -> RuleResult:
        if not self.record.active:
            return self.deny("already_inactive")
        return self.is_admin


class Member(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ws_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="member")


class Team(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ws_teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)


class Membership(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ws_memberships"
    __policy__ = WorkspaceMembershipPolicy
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("ws_teams.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("ws_members.id"), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


class Document(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ws_documents"
    __policy__ = WorkspaceDocumentPolicy
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("ws_teams.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ws_members.id"))
    published: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)


#: The audit trail's table lives on this ``db``, created with the others.
audit_model = AuditTrail(db).model


def create_app(database_uri: str, huey: t.Any = None, **config: t.Any) -> Flask:
    """Build a workspace app on ``database_uri`` (``huey`` bound when given)."""
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_uri,
        SECRET_KEY="test-secret",
        TESTING=True,
        SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_RETRIES=0,
    )
    app.config.update(config)
    db.init_app(app)
    login = LoginManager(app)

    @login.user_loader
    def load_user(user_id: str) -> Member | None:
        return db.session.get(Member, int(user_id))

    SimpleAuthorize(app, huey=huey)
    return app


#: ``(title, team, owner, published, archived)`` of the seeded documents.
DOCUMENTS = (
    ("red plan", "red", "ann", True, False),
    ("red draft", "red", "ann", False, False),
    ("red archive", "red", "ann", True, True),
    ("blue plan", "blue", "bob", True, False),
    ("blue draft", "blue", "bob", False, False),
    ("blue notes", "blue", "cat", True, False),
)

#: ``(team, member, active)`` of the seeded memberships.
MEMBERSHIPS = (
    ("red", "ann", True),
    ("red", "bob", True),
    ("red", "cat", False),
    ("blue", "bob", True),
    ("blue", "cat", True),
)


def seed(app: Flask) -> dict[str, int]:
    """Create the tables and the workspace; return the ids of members, teams and documents."""
    with app.app_context():
        db.create_all()
        members = {name: Member(name=name) for name in ("ann", "bob", "cat", "dan")}
        members["root"] = Member(name="root", role="admin")
        teams = {name: Team(name=name) for name in ("red", "blue")}
        db.session.add_all([*members.values(), *teams.values()])
        db.session.flush()
        for team, member, active in MEMBERSHIPS:
            db.session.add(
                Membership(team_id=teams[team].id, member_id=members[member].id, active=active)
            )
        documents = {
            title: Document(
                title=title,
                team_id=teams[team].id,
                user_id=members[owner].id,
                published=published,
                archived=archived,
            )
            for title, team, owner, published, archived in DOCUMENTS
        }
        db.session.add_all(documents.values())
        db.session.commit()
        ids = {name: member.id for name, member in members.items()}
        ids.update({f"team:{name}": team.id for name, team in teams.items()})
        ids.update({title: document.id for title, document in documents.items()})
        return ids
