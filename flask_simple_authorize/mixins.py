"""Reusable policy mixins: ownable, publishable, timestamped, approvable, soft-deletable.

Combine them with your policy in any order::

    class PostPolicy(SoftDeletableMixin, PublishableMixin, OwnableMixin, Policy):
        published_attribute = "is_live"

Each mixin contributes *gates* (conditions that deny whatever else says, such
as "the record is deleted") and *grants* (reasons to allow, such as "the user
owns the record") to the rules it knows. A rule of a combined policy denies
when any gate denies, else allows when any grant allows, else denies with the
first reason a grant gave (or plainly). So the order of the mixins does not
change a decision.

Rules the mixins define: ``show``, ``create``, ``update`` and ``destroy`` (on
every mixin, through :class:`PolicyMixin`), plus ``publish`` and ``unpublish``
(:class:`PublishableMixin`), ``approve`` and ``reject``
(:class:`ApprovableMixin`), ``restore`` (:class:`SoftDeletableMixin`). Your
policy may override any of them and call ``super()``.

Every attribute name and role list is a class attribute; override it on your
policy. Helpers are private, so they are never rules.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime
import typing as t

from .policy import Denial
from .policy import Policy
from .policy import RuleResult
from .user_facts import role_name


class PolicyMixin(Policy):
    """The base of the mixins: combines their gates and grants.

    Write your own mixin by subclassing it and extending :meth:`_gates` and
    :meth:`_grants` cooperatively (always include ``super()``'s list).
    """

    #: The user attribute holding a role name (or a collection of them); ``Enum``
    #: members count by their value.
    role_attribute: t.ClassVar[str] = "role"

    def show(self) -> RuleResult:
        """May the user see the record? See the mixins' grants and gates."""
        return self._decide("show")

    def create(self) -> RuleResult:
        """May the user create a record? See the mixins' grants and gates."""
        return self._decide("create")

    def update(self) -> RuleResult:
        """May the user change the record? See the mixins' grants and gates."""
        return self._decide("update")

    def destroy(self) -> RuleResult:
        """May the user delete the record? See the mixins' grants and gates."""
        return self._decide("destroy")

    def _gates(self, rule: str) -> list[Denial]:
        """Return the denials that apply to ``rule`` whatever the grants say."""
        return []

    def _grants(self, rule: str) -> list[RuleResult]:
        """Return each mixin's verdict on ``rule`` (``True``, ``False`` or a denial)."""
        return []

    def _decide(self, rule: str) -> RuleResult:
        gates = self._gates(rule)
        if gates:
            return gates[0]
        verdicts = self._grants(rule)
        if any(verdict is True for verdict in verdicts):
            return True
        for verdict in verdicts:
            if isinstance(verdict, Denial):
                return verdict
        return False

    def _has_role(self, roles: t.Iterable[str]) -> bool:
        if not self.is_authenticated:
            return False
        wanted = set(roles)
        if "admin" in wanted and self.is_admin:
            return True
        value = role_name(getattr(self.user, self.role_attribute, None))
        if isinstance(value, str):
            return value in wanted
        if isinstance(value, t.Iterable):
            return bool(wanted.intersection(role_name(role) for role in value))
        return False

    def _flag(self, attribute: str) -> bool:
        """Whether the record's ``attribute`` is set (truthy; a timestamp counts)."""
        if self.record is None or isinstance(self.record, type):
            return False
        return bool(getattr(self.record, attribute, None))


class OwnableMixin(PolicyMixin):
    """Owners may show, update and destroy their records; logged-in users may create.

    The owner is the user whose id is in the record's :attr:`owner_attribute`
    (``"user_id"`` by default, from :class:`.Policy`).
    """

    #: The rules owners get (remove ``"destroy"`` to keep owners from deleting).
    owner_rules: t.ClassVar[frozenset[str]] = frozenset({"show", "update", "destroy"})
    #: Whether any logged-in user may ``create`` (and so become an owner).
    authenticated_may_create: t.ClassVar[bool] = True
    #: Whether admins get the owner rules on every record.
    admins_as_owners: t.ClassVar[bool] = True

    def _grants(self, rule: str) -> list[RuleResult]:
        verdicts = super()._grants(rule)
        if rule == "create":
            verdicts.append(self.authenticated_may_create and self.is_authenticated)
        elif rule in self.owner_rules:
            owns = self.is_owner or (self.admins_as_owners and self.is_admin)
            verdicts.append(True if owns else self.deny("not_owner"))
        return verdicts


class PublishableMixin(PolicyMixin):
    """Published records are visible to everyone; publishers publish and unpublish."""

    #: The record attribute that says it is published (a bool or a timestamp).
    published_attribute: t.ClassVar[str] = "published"
    #: Roles that may ``publish`` and ``unpublish`` (``"admin"`` matches admins).
    publisher_roles: t.ClassVar[tuple[str, ...]] = ("admin",)
    #: Whether anonymous users see published records too.
    public_when_published: t.ClassVar[bool] = True

    def publish(self) -> RuleResult:
        """May the user publish the record? Publishers only, once."""
        return self._decide("publish")

    def unpublish(self) -> RuleResult:
        """May the user withdraw the record? Publishers only, when published."""
        return self._decide("unpublish")

    def _gates(self, rule: str) -> list[Denial]:
        gates = super()._gates(rule)
        published = self._flag(self.published_attribute)
        if rule == "publish" and published:
            gates.append(self.deny("already_published"))
        elif rule == "unpublish" and not published:
            gates.append(self.deny("not_published"))
        return gates

    def _grants(self, rule: str) -> list[RuleResult]:
        verdicts = super()._grants(rule)
        if rule == "show" and self._flag(self.published_attribute):
            verdicts.append(self.public_when_published or self.is_authenticated)
        elif rule in ("publish", "unpublish"):
            allowed = self._has_role(self.publisher_roles)
            verdicts.append(True if allowed else self.deny("not_publisher"))
        return verdicts


class TimestampedMixin(PolicyMixin):
    """Records can be changed only within a window after they were created.

    The current time is ``self.context["now"]`` when the context provides it
    (handy in tests), else the current UTC time. Naive timestamps are taken
    as UTC.
    """

    #: The record attribute holding the creation time (a ``datetime``).
    created_at_attribute: t.ClassVar[str] = "created_at"
    #: How long after creation the :attr:`windowed_rules` stay open (``None``: always).
    editable_window: t.ClassVar[datetime.timedelta | None] = datetime.timedelta(minutes=15)
    #: The rules the window closes.
    windowed_rules: t.ClassVar[frozenset[str]] = frozenset({"update"})
    #: Roles the window does not apply to.
    window_exempt_roles: t.ClassVar[tuple[str, ...]] = ("admin",)

    def _gates(self, rule: str) -> list[Denial]:
        gates = super()._gates(rule)
        if (
            rule in self.windowed_rules
            and self._window_closed
            and not self._has_role(self.window_exempt_roles)
        ):
            gates.append(self.deny("edit_window_closed"))
        return gates

    @property
    def _window_closed(self) -> bool:
        window = self.editable_window
        if window is None or self.record is None or isinstance(self.record, type):
            return False
        created = getattr(self.record, self.created_at_attribute, None)
        if created is None:
            return False
        now = self.context.get("now") or datetime.datetime.now(datetime.timezone.utc)
        if created.tzinfo is None:
            created = created.replace(tzinfo=datetime.timezone.utc)
        if now.tzinfo is None:
            now = now.replace(tzinfo=datetime.timezone.utc)
        return bool(now - created > window)


class ApprovableMixin(PolicyMixin):
    """Records wait for an approver; until then only their owner and approvers see them."""

    #: The record attribute that says it is approved (a bool or a timestamp).
    approved_attribute: t.ClassVar[str] = "approved"
    #: Roles that may ``approve`` and ``reject`` (``"admin"`` matches admins).
    approver_roles: t.ClassVar[tuple[str, ...]] = ("admin",)
    #: Whether an approver may approve a record they own.
    self_approval: t.ClassVar[bool] = False

    def approve(self) -> RuleResult:
        """May the user approve the record? Approvers only, not their own by default."""
        return self._decide("approve")

    def reject(self) -> RuleResult:
        """May the user reject the record? Approvers only, while it is pending."""
        return self._decide("reject")

    def _gates(self, rule: str) -> list[Denial]:
        gates = super()._gates(rule)
        approved = self._flag(self.approved_attribute)
        approver = self._has_role(self.approver_roles)
        if rule in ("approve", "reject") and approved:
            gates.append(self.deny("already_approved"))
        elif rule == "approve" and approver and self.is_owner and not self.self_approval:
            gates.append(self.deny("self_approval"))
        elif rule == "show" and not approved and not approver and not self.is_owner:
            gates.append(self.deny("pending_approval"))
        return gates

    def _grants(self, rule: str) -> list[RuleResult]:
        verdicts = super()._grants(rule)
        if rule in ("approve", "reject"):
            approver = self._has_role(self.approver_roles)
            verdicts.append(True if approver else self.deny("not_approver"))
        elif rule == "show" and self._has_role(self.approver_roles):
            verdicts.append(True)
        return verdicts


class SoftDeletableMixin(PolicyMixin):
    """Deleted records are frozen: hidden but from restorers, and only they may restore."""

    #: The record attribute set when the record is deleted (a timestamp or a bool).
    deleted_at_attribute: t.ClassVar[str] = "deleted_at"
    #: Roles that still see deleted records and may ``restore`` them.
    restorer_roles: t.ClassVar[tuple[str, ...]] = ("admin",)

    def restore(self) -> RuleResult:
        """May the user restore the deleted record? Restorers only."""
        return self._decide("restore")

    def _gates(self, rule: str) -> list[Denial]:
        gates = super()._gates(rule)
        deleted = self._flag(self.deleted_at_attribute)
        if rule == "restore":
            if not deleted:
                gates.append(self.deny("not_deleted"))
        elif deleted and not (rule == "show" and self._has_role(self.restorer_roles)):
            gates.append(self.deny("deleted"))
        return gates

    def _grants(self, rule: str) -> list[RuleResult]:
        verdicts = super()._grants(rule)
        if rule == "restore":
            restorer = self._has_role(self.restorer_roles)
            verdicts.append(True if restorer else self.deny("not_restorer"))
        elif rule == "show" and self._flag(self.deleted_at_attribute):
            verdicts.append(self._has_role(self.restorer_roles))
        return verdicts


__all__ = [
    "ApprovableMixin",
    "OwnableMixin",
    "PolicyMixin",
    "PublishableMixin",
    "SoftDeletableMixin",
    "TimestampedMixin",
]
