"""Facts about the acting user that policies and scopes share: ``is_admin`` and friends.

:class:`user_fact` works like ``@property``; because a fact depends on the
user only, the bulk helpers compute it once per policy they reuse.
"""

from __future__ import annotations

import enum
import inspect
import typing as t

T = t.TypeVar("T")


class user_fact(t.Generic[T]):
    """A read-only fact about the acting user, used like ``@property``.

    It is computed on each access, like a property. Because a fact depends on
    the user only, never on the record, :func:`.authorized_records` and
    :func:`.partition_records` compute each fact once for the policy they
    reuse across records and keep the value on it. Override a fact in a
    subclass with another ``@user_fact``, or with a plain ``@property`` (which
    is then computed on every access).
    """

    def __init__(self, function: t.Callable[[t.Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @t.overload
    def __get__(self, instance: None, owner: type | None = None) -> user_fact[T]: ...
    @t.overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | user_fact[T]:
        if instance is None:
            return self
        return self.function(instance)


def role_name(role: t.Any) -> t.Any:
    """Return what a role compares by: an ``Enum`` member's value, else the role itself."""
    return role.value if isinstance(role, enum.Enum) else role


def user_fact_names(cls: type) -> frozenset[str]:
    """Return the names of the :class:`user_fact` attributes of ``cls`` (overrides win)."""
    names = set()
    for klass in reversed(cls.__mro__):
        for name, value in klass.__dict__.items():
            if isinstance(value, user_fact):
                names.add(name)
            else:
                names.discard(name)
    return frozenset(names)


#: Instance attributes a policy may hold and still be reused for the next record
#: (besides the values of its user facts).
REUSABLE_STATE = frozenset({"user", "record", "context"})


class ActorHelpers:
    """Small overridable helpers about the acting user, shared by policies and scopes."""

    user: t.Any
    #: Whether ``is_authenticated`` and ``user_id`` are the base ones (set per class),
    #: so :attr:`user_id` may read the user directly.
    _plain_identity: t.ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_identity = all(
            inspect.getattr_static(cls, name) is ActorHelpers.__dict__[name]
            for name in ("is_authenticated", "user_id")
        )

    @user_fact
    def is_authenticated(self) -> bool:
        """Whether the user is logged in (``False`` for ``None`` and anonymous users)."""
        user = self.user
        return user is not None and bool(getattr(user, "is_authenticated", False))

    @user_fact
    def is_admin(self) -> bool:
        """Whether the user is an admin: its own ``is_admin``, else a ``role`` of ``"admin"``.

        The role may be a string or an ``Enum`` member whose value is ``"admin"``.
        """
        if not self.is_authenticated:
            return False
        flag = getattr(self.user, "is_admin", None)
        if flag is not None:
            return bool(flag() if callable(flag) else flag)
        return bool(role_name(getattr(self.user, "role", None)) == "admin")

    @user_fact
    def user_id(self) -> t.Any:
        """The user's ``id`` attribute, or ``None`` for an anonymous user."""
        if self._plain_identity:  # in one step, without the is_authenticated fact
            user = self.user
            if user is None or not getattr(user, "is_authenticated", False):
                return None
            return getattr(user, "id", None)
        if not self.is_authenticated:
            return None
        return getattr(self.user, "id", None)
