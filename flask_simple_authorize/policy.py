"""The policy base class: rules as methods, helpers as properties.

A policy holds the rules for one kind of record::

    class PostPolicy(Policy):
        def update(self) -> bool:
            return self.is_owner or self.is_admin

Rules are the public methods that take no argument besides ``self``; they
return ``True``, ``False`` or ``self.deny("reason")``. Everything else (names
starting with ``_``, properties, nested classes, the attribute helpers and
:meth:`Policy.deny`) is never a rule and can never be called by name.
"""

from __future__ import annotations

import inspect
import types
import typing as t
from collections.abc import Mapping

from . import registry
from .errors import ScopeNotDefinedError
from .user_facts import ActorHelpers

EMPTY_CONTEXT: Mapping[str, t.Any] = types.MappingProxyType({})
_INHERITED: t.Any = object()  # no namespace= given: the base policy's namespace

#: Public names of :class:`Policy` that are helpers, never rules.
NON_RULE_NAMES = frozenset(
    {
        "deny",
        "permitted_attributes",
        "visible_attributes",
        "editable_attributes",
        "rule_names",
        "Scope",
        "user",
        "record",
        "context",
    }
)
_NON_RULE_PREFIXES = ("_", "permitted_attributes_for_")


class Denial:
    """The falsy result of :meth:`Policy.deny`, carrying the reason.

    :param reason: A short, stable reason code such as ``"draft_locked"``.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str | None) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Denial({self.reason!r})"


RuleResult = bool | Denial


class Policy(ActorHelpers):
    """The base policy. It allows nothing.

    :param user: The acting user (a real object, never a proxy; flask-login's
        anonymous user when nobody is logged in).
    :param record: The record, the model class, or ``None`` for headless policies.
    :param context: A read-only mapping from the app's context provider.

    Subclasses are registered by name when defined; pass ``namespace=`` to
    register under a namespace::

        class PostPolicy(Policy, namespace="admin"): ...

    A subclass of a namespaced policy stays in its namespace unless it names
    another one (``namespace=None`` for the plain registry), so an admin
    area's base policy never makes its subclasses replace the public ones.
    """

    #: The record attribute that holds the owner's id, used by :attr:`is_owner`.
    owner_attribute: t.ClassVar[str] = "user_id"
    #: Answer 404 instead of 403 on denial, so strangers cannot probe ids.
    hide_denied: t.ClassVar[bool] = False
    #: The namespace this policy was registered under.
    policy_namespace: t.ClassVar[str | None] = None

    def __init__(
        self, user: t.Any, record: t.Any = None, context: Mapping[str, t.Any] | None = None
    ) -> None:
        self.user = user
        self.record = record
        self.context: Mapping[str, t.Any] = EMPTY_CONTEXT if context is None else context

    def __init_subclass__(cls, *, namespace: str | None = _INHERITED, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if namespace is _INHERITED:
            namespace = cls.policy_namespace  # the namespace of the nearest policy base
        cls.policy_namespace = namespace
        if "Scope" in cls.__dict__:
            cls.Scope.policy_class = cls
        registry.register(cls, namespace)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} user={self.user_id!r} record={self.record!r}>"

    # -- rules: deny by default ------------------------------------------------

    def index(self) -> RuleResult:
        """May the user list records? Denied unless overridden."""
        return False

    def show(self) -> RuleResult:
        """May the user see the record? Denied unless overridden."""
        return False

    def create(self) -> RuleResult:
        """May the user create a record? Denied unless overridden (``new`` falls back here)."""
        return False

    def update(self) -> RuleResult:
        """May the user change the record? Denied unless overridden (``edit`` falls back here)."""
        return False

    def destroy(self) -> RuleResult:
        """May the user delete the record? Denied unless overridden."""
        return False

    # -- helpers (never rules) -------------------------------------------------

    def deny(self, reason: str | None = None) -> Denial:
        """Deny with a reason: ``return self.deny("draft_locked")``.

        The reason reaches :class:`.NotAuthorizedError`, the JSON error body,
        the signals and the audit log.
        """
        return Denial(reason)

    @property
    def is_owner(self) -> bool:
        """Whether the record's :attr:`owner_attribute` equals the user's id.

        ``False`` without a record and for a class given as the record: a
        class-level default owner id owns nothing.
        """
        user_id = self.user_id
        if user_id is None:
            return False
        record = self.record  # None has no owner attribute: no match below
        matched = getattr(record, self.owner_attribute, None) == user_id
        if matched is False:
            return False
        # Checked only on a match, to keep bulk checks fast: a class owns nothing,
        # whatever its default, and a model class's column compares as a SQL clause.
        if issubclass(type(record), type):
            return False
        return bool(matched)

    def permitted_attributes(self) -> t.Sequence[str]:
        """Attributes the user may write. None unless overridden.

        Define ``permitted_attributes_for_<action>`` to vary them by action.
        """
        return ()

    def visible_attributes(self) -> t.Sequence[str]:
        """Attributes the user may read. None unless overridden."""
        return ()

    def editable_attributes(self) -> t.Sequence[str]:
        """Attributes the user may edit; :meth:`permitted_attributes` unless overridden."""
        return self.permitted_attributes()

    @classmethod
    def rule_names(cls) -> frozenset[str]:
        """Return the names of every rule of this policy, computed once per class."""
        cached = cls.__dict__.get("_rule_names_cache")
        if cached is None:
            cached = frozenset(name for name in dir(cls) if _is_rule(cls, name))
            type.__setattr__(cls, "_rule_names_cache", cached)
        return t.cast(frozenset[str], cached)

    class Scope(ActorHelpers):
        """Narrows a query (or a collection) to what the user may see.

        :param user: The acting user.
        :param scope: A SQLAlchemy ``Select`` for queries and model classes, or the
            iterable given to :func:`.policy_scope`.
        :param context: The same read-only mapping policies get.

        Define :meth:`resolve` to narrow queries; define :meth:`includes` to
        filter plain iterables record by record.
        """

        #: The policy this scope belongs to (set when the policy class is defined).
        policy_class: t.ClassVar[type[Policy] | None] = None

        def __init__(
            self, user: t.Any, scope: t.Any, context: Mapping[str, t.Any] | None = None
        ) -> None:
            self.user = user
            self.scope = scope
            self.context: Mapping[str, t.Any] = EMPTY_CONTEXT if context is None else context

        def resolve(self) -> t.Any:
            """Return the narrowed scope. Nothing is visible unless overridden."""
            raise ScopeNotDefinedError(self.policy_class or Policy)

        def includes(self, record: t.Any) -> bool:
            """Whether one record of a plain iterable is in scope (used by iterables)."""
            raise NotImplementedError


def _is_rule(cls: type, name: str) -> bool:
    if name in NON_RULE_NAMES or name.startswith(_NON_RULE_PREFIXES):
        return False
    try:
        attribute = inspect.getattr_static(cls, name)
    except AttributeError:
        return False
    if not isinstance(attribute, types.FunctionType):
        return False
    parameters = list(inspect.signature(attribute).parameters.values())[1:]
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters
    )


def permitted_attributes_for(policy: Policy, action: str | None) -> list[str]:
    """Return what ``policy`` permits to write for ``action``.

    ``permitted_attributes_for_<action>()`` when the policy defines it (one
    trailing ``?`` is ignored), else ``permitted_attributes()``.
    """
    name = action[:-1] if action and action.endswith("?") else action
    method = policy.permitted_attributes
    if name and name.isidentifier():
        method = getattr(policy, f"permitted_attributes_for_{name}", method)
    return list(method())
