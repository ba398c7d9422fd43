"""Record every decision, denial and scope made in a block, from the signals.

::

    with record_decisions() as recorder:
        client.post(f"/posts/{post.id}/edit", data={"title": "New"})
    recorder.assert_authorized("update", post)

The recorder listens to :data:`.signals.authorization_checked`,
:data:`.signals.authorization_denied` and :data:`.signals.policy_scoped`, so
it sees what the app's views, templates and job bodies decided. It records
nothing when ``SIMPLE_AUTHORIZE_SIGNALS`` is off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import typing as t
from collections.abc import Iterator

from blinker import ANY
from werkzeug.local import LocalProxy

from .. import signals
from ..authorizer import ACTION_ALIASES
from ..identity import record_id_of
from ..identity import record_type_of
from ..policy import Policy

__tracebackhide__ = True


@dataclasses.dataclass(frozen=True)
class RecordedDecision:
    """One decision seen by a :class:`SignalRecorder` (the signal's payload)."""

    query: str
    policy_name: str
    record: t.Any
    record_id: t.Any
    record_type: str | None
    user: t.Any
    user_id: t.Any
    allowed: bool
    reason: str | None
    enforced: bool
    job: str | None

    def __str__(self) -> str:
        target = self.record_type or "?"
        if self.record_id is not None:
            target = f"{target}#{self.record_id}"
        outcome = "allowed" if self.allowed else "denied"
        if self.reason is not None:
            outcome = f"{outcome} ({self.reason})"
        how = "authorize" if self.enforced else "check"
        return (
            f"{how} {self.query!r} on {target} for user {self.user_id!r}:"
            f" {self.policy_name} {outcome}"
        )


@dataclasses.dataclass(frozen=True)
class RecordedScope:
    """One :func:`.policy_scope` call seen by a :class:`SignalRecorder`."""

    record_type: str | None
    policy_name: str | None
    user_id: t.Any


class SignalRecorder:
    """Collects decisions and scopes while connected; see :func:`record_decisions`.

    :param sender: Record only what this app sends (default: every app).
    """

    def __init__(self, sender: t.Any = ANY) -> None:
        if isinstance(sender, LocalProxy):  # current_app: connect to the real app
            sender = sender._get_current_object()
        self.sender = sender
        #: Every decision, allowed or not, in order.
        self.decisions: list[RecordedDecision] = []
        #: Every :func:`.policy_scope` call, in order.
        self.scopes: list[RecordedScope] = []
        self._lock = threading.Lock()

    @property
    def denials(self) -> list[RecordedDecision]:
        """The enforced denials (those that raised :class:`.NotAuthorizedError`)."""
        return [item for item in self.decisions if item.enforced and not item.allowed]

    def connect(self) -> None:
        """Start recording."""
        signals.authorization_checked.connect(self._on_checked, self.sender, weak=False)
        signals.policy_scoped.connect(self._on_scoped, self.sender, weak=False)

    def disconnect(self) -> None:
        """Stop recording (what was recorded stays)."""
        # from every sender: disconnecting from one leaves blinker's .receivers non-empty,
        # which would make the extension build payloads for nobody
        signals.authorization_checked.disconnect(self._on_checked)
        signals.policy_scoped.disconnect(self._on_scoped)

    def clear(self) -> None:
        """Forget what was recorded so far."""
        with self._lock:
            self.decisions.clear()
            self.scopes.clear()

    def _on_checked(self, sender: t.Any, **payload: t.Any) -> None:
        item = RecordedDecision(
            query=payload["query"],
            policy_name=payload["policy_name"],
            record=payload["record"],
            record_id=payload["record_id"],
            record_type=payload["record_type"],
            user=payload["user"],
            user_id=payload["user_id"],
            allowed=payload["allowed"],
            reason=payload["reason"],
            enforced=payload.get("enforced", False),
            job=payload.get("job"),
        )
        with self._lock:
            self.decisions.append(item)

    def _on_scoped(self, sender: t.Any, **payload: t.Any) -> None:
        item = RecordedScope(
            payload.get("record_type"), payload.get("policy_name"), payload.get("user_id")
        )
        with self._lock:
            self.scopes.append(item)

    # -- queries ---------------------------------------------------------------

    def find(
        self,
        action: str | None = None,
        record: t.Any = None,
        *,
        enforced: bool | None = None,
        allowed: bool | None = None,
        user: t.Any = None,
    ) -> list[RecordedDecision]:
        """Return the recorded decisions that match every filter given.

        :param action: The action as a view would pass it (``"edit"`` and
            ``"update?"`` match a decision of the ``update`` rule).
        :param record: The record (matched by identity, or by type and id),
            a model class, or a headless policy class.
        :param enforced: Only decisions that did (or did not) raise on denial.
        :param allowed: Only allowed (or denied) decisions.
        :param user: Only decisions for this user (matched by id).
        """
        return [
            item
            for item in self.decisions
            if (action is None or _same_action(item.query, action))
            and (record is None or _same_record(item, record))
            and (enforced is None or item.enforced is enforced)
            and (allowed is None or item.allowed is allowed)
            and (user is None or item.user is user or item.user_id == _user_id(user))
        ]

    def assert_authorized(
        self, action: str, record: t.Any = None, *, allowed: bool | None = None, user: t.Any = None
    ) -> RecordedDecision:
        """Fail unless ``authorize``/``authorize_all`` checked ``action`` on ``record``.

        :param allowed: Also require that outcome.
        :returns: The last matching decision.
        """
        return self._expect("authorized", action, record, True, allowed, user)

    def assert_checked(
        self, action: str, record: t.Any = None, *, allowed: bool | None = None, user: t.Any = None
    ) -> RecordedDecision:
        """Fail unless any helper (``allowed_to`` included) decided ``action`` on ``record``."""
        return self._expect("checked", action, record, None, allowed, user)

    def assert_denied(
        self, action: str, record: t.Any = None, *, reason: str | None = None, user: t.Any = None
    ) -> RecordedDecision:
        """Fail unless ``authorize`` denied ``action`` on ``record`` (with ``reason``, if given)."""
        found = self._expect("denied", action, record, True, False, user)
        if reason is not None and found.reason != reason:
            raise AssertionError(f"expected the denial reason {reason!r}, but: {found}")
        return found

    def assert_not_authorized(self, action: str, record: t.Any = None) -> None:
        """Fail if ``authorize`` checked ``action`` on ``record`` at all."""
        found = self.find(action, record, enforced=True)
        if found:
            raise AssertionError(
                f"expected no authorize({action!r}) on {_target(record)}, but recorded:\n"
                + "\n".join(f"  {item}" for item in found)
            )

    def assert_scoped(self, model: type | str) -> RecordedScope:
        """Fail unless :func:`.policy_scope` narrowed ``model`` (a class or its name)."""
        name = model if isinstance(model, str) else model.__name__
        for item in reversed(self.scopes):
            if item.record_type == name:
                return item
        seen = ", ".join(str(item.record_type) for item in self.scopes) or "nothing"
        raise AssertionError(f"expected policy_scope on {name}, but scoped: {seen}")

    def _expect(
        self,
        verb: str,
        action: str,
        record: t.Any,
        enforced: bool | None,
        allowed: bool | None,
        user: t.Any,
    ) -> RecordedDecision:
        found = self.find(action, record, enforced=enforced, allowed=allowed, user=user)
        if found:
            return found[-1]
        wanted = f"{action!r} {verb} on {_target(record)}"
        if allowed is not None and verb != "denied":
            wanted += " (allowed)" if allowed else " (denied)"
        if user is not None:
            wanted += f" for user {_user_id(user)!r}"
        seen = "\n".join(f"  {item}" for item in self.decisions) or "  (no decisions)"
        return t.cast(RecordedDecision, _fail(f"expected {wanted}; recorded:\n{seen}"))


def _fail(message: str) -> t.NoReturn:
    raise AssertionError(message)


def _same_action(query: str, action: str) -> bool:
    name = action[:-1] if action.endswith("?") else action
    return query == name or query == ACTION_ALIASES.get(name)


def _same_record(item: RecordedDecision, record: t.Any) -> bool:
    if item.record is record:
        return True
    if isinstance(record, type):
        if issubclass(record, Policy):
            return item.policy_name == record.__name__ and item.record is None
        return item.record is record
    record_id = record_id_of(record)
    return (
        record_id is not None
        and item.record_id == record_id
        and item.record_type == record_type_of(record)
    )


def _target(record: t.Any) -> str:
    if record is None:
        return "any record"
    if isinstance(record, type):
        return record.__name__
    return f"{record_type_of(record)}#{record_id_of(record)}"


def _user_id(user: t.Any) -> t.Any:
    return getattr(user, "id", None)


@contextlib.contextmanager
def record_decisions(sender: t.Any = ANY) -> Iterator[SignalRecorder]:
    """Record the decisions and scopes made inside the ``with`` block.

    :param sender: Record only what this app sends (default: every app).
    """
    recorder = SignalRecorder(sender)
    recorder.connect()
    try:
        yield recorder
    finally:
        recorder.disconnect()
