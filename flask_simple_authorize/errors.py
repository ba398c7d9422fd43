"""Exceptions raised by Flask-Simple-Authorize.

Every exception derives from :class:`SimpleAuthorizeError`::

    SimpleAuthorizeError
    ├── NotAuthorizedError              a rule denied (HTTP 403)
    │   └── RecordHiddenError           a denial answered as a missing record (HTTP 404)
    ├── PolicyNotDefinedError           no policy class found for a record
    ├── ScopeNotDefinedError            a policy's Scope has no resolve()
    ├── UnknownActionError              the action is not a rule of the policy
    ├── InvalidRuleResultError          a rule returned something other than a bool
    ├── AuthorizationNotPerformedError  verification: a view neither authorized nor scoped
    ├── ConfigurationError              a bad SIMPLE_AUTHORIZE_* value or misuse of the extension
    └── JobError                        background jobs
        └── JobArgumentError            a task argument that may not cross the queue

Only :class:`NotAuthorizedError` is an HTTP error: it subclasses
:class:`werkzeug.exceptions.Forbidden`, so it renders as 403 even without the
extension's handlers, and an app's own ``errorhandler`` still wins. The others
are programming errors and surface as 500 with a message that says what to do.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound


class SimpleAuthorizeError(Exception):
    """Base class of every exception raised by the extension."""


class NotAuthorizedError(SimpleAuthorizeError, Forbidden):
    """A policy rule denied an action.

    :param message: The message shown to the user.
    :param query: The rule that was checked, such as ``"update"``.
    :param record: The record (or class) that was checked.
    :param policy: The policy instance that decided.
    :param reason: The reason the rule gave with :meth:`.Policy.deny`, if any.
    :param hidden: Answer 404 instead of 403 so the record's existence is not revealed.
    """

    code = 403

    def __new__(cls, *args: t.Any, **kwargs: t.Any) -> NotAuthorizedError:
        # ``NotAuthorizedError(..., hidden=True)`` is always a RecordHiddenError,
        # so Flask answers it with the 404 handlers, however it was built.
        if kwargs.get("hidden") and not issubclass(cls, RecordHiddenError):
            cls = RecordHiddenError
        return super().__new__(cls, *args, **kwargs)

    def __init__(
        self,
        message: str | None = None,
        *,
        query: str | None = None,
        record: t.Any = None,
        policy: t.Any = None,
        reason: str | None = None,
        hidden: bool = False,
    ) -> None:
        if message is None:
            message = _default_denial_message(query, record, policy)
        Forbidden.__init__(self, description=message)
        self.message = message
        self.query = query
        self.record = record
        self.policy = policy
        self.reason = reason
        self.hidden = hidden

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[t.Any, ...]:
        # Keep the exception picklable (huey stores task errors) without the record.
        return (_rebuild_not_authorized, (self.message, self.query, self.reason, self.hidden))


def _rebuild_not_authorized(
    message: str, query: str | None, reason: str | None, hidden: bool
) -> NotAuthorizedError:
    return NotAuthorizedError(message, query=query, reason=reason, hidden=hidden)


class RecordHiddenError(NotAuthorizedError, NotFound):
    """A denial answered as a missing record (existence hiding): HTTP 404.

    It is also a :class:`werkzeug.exceptions.NotFound`, so Flask hands it to
    the same 404 handlers (app or blueprint) a real missing record reaches,
    and without any handler it renders werkzeug's plain 404 page. Catch
    :class:`NotAuthorizedError` to catch both kinds of denial.
    """

    code = 404
    description = NotFound.description

    def __init__(self, message: str | None = None, **details: t.Any) -> None:
        details["hidden"] = True
        super().__init__(message, **details)
        self.description = NotFound.description

    def __str__(self) -> str:
        # What str() of a real 404 says: a 404 handler rendering str(error)
        # must not show the denial's message. The message stays in ``message``.
        return NotFound.__str__(self)


def _default_denial_message(query: str | None, record: t.Any, policy: t.Any) -> str:
    if query is None:
        return "You are not authorized to perform this action."
    policy_name = type(policy).__name__ if policy is not None else "the policy"
    return f"not allowed to {query} this {_describe(record)} ({policy_name} denied)"


def _describe(record: t.Any) -> str:
    if record is None:
        return "resource"
    if isinstance(record, type):
        return record.__name__
    return type(record).__name__


class PolicyNotDefinedError(SimpleAuthorizeError, LookupError):
    """No policy class was found for a record.

    :param record: The record (or class) whose policy was looked up.
    :param tried: The policy names that were looked for, in order.
    """

    def __init__(self, record: t.Any, tried: t.Sequence[str] = ()) -> None:
        self.record = record
        self.tried = tuple(tried)
        name = _describe(record)
        looked = f" (looked for {', '.join(self.tried)})" if self.tried else ""
        super().__init__(
            f"no policy for {name}{looked}: define class {name}Policy(Policy), set"
            f" __policy__ on {name}, or pass policy_class="
        )


class ScopeNotDefinedError(SimpleAuthorizeError, NotImplementedError):
    """A policy's ``Scope`` does not define ``resolve()`` (or ``includes()`` for collections)."""

    def __init__(self, policy_class: type, *, collections: bool = False) -> None:
        self.policy_class = policy_class
        name = policy_class.__name__
        if collections:
            message = (
                f"{name}.Scope does not define includes(): to scope a plain collection, add"
                " `def includes(self, record) -> bool` to the policy's Scope"
            )
        else:
            message = (
                f"{name}.Scope does not define resolve(): add class Scope(Policy.Scope) with a"
                f" resolve(self) method to {name}"
            )
        super().__init__(message)


class UnknownActionError(SimpleAuthorizeError, ValueError):
    """The action is not a public rule of the policy.

    Raised for names the policy lacks and for names that are not rules: dunders,
    private methods, nested classes, properties and helpers such as
    ``permitted_attributes``. Nothing is called.

    :param policy_class: The policy that was asked.
    :param action: The action as given.
    :param suggestions: Close rule names, for a "did you mean" hint.
    """

    def __init__(
        self,
        policy_class: type,
        action: object,
        suggestions: t.Sequence[str] = (),
        *,
        reserved: bool = False,
    ) -> None:
        self.policy_class = policy_class
        self.action = action
        self.suggestions = tuple(suggestions)
        names = ", ".join(repr(s) for s in self.suggestions)
        hint = f" Did you mean {names}?" if suggestions else ""
        shown = _shown(action)
        if reserved:
            advice = (
                "private names, dunders, properties, nested classes and helpers such as"
                " permitted_attributes are never rules"
            )
        else:
            advice = f"define a public method `def {_safe_name(action)}(self) -> bool` on it"
        super().__init__(f"{shown} is not a rule of {policy_class.__name__}: {advice}.{hint}")


def _shown(action: object) -> str:
    # Never call the action's own repr/str: it may come from anywhere.
    if isinstance(action, str):
        return str.__repr__(str.__getitem__(action, slice(None, 80)))
    if type(action) in (int, float, bool, bytes, type(None)):
        return repr(action)[:80]
    return f"<{type(action).__name__} object>"


def _safe_name(action: object) -> str:
    text = str.__str__(action) if isinstance(action, str) else ""
    return text if text.isidentifier() and len(text) <= 80 else "<rule_name>"


class InvalidRuleResultError(SimpleAuthorizeError, TypeError):
    """A rule returned something other than ``True``, ``False`` or ``self.deny(...)``."""

    def __init__(self, policy_class: type, action: str, result: object) -> None:
        self.policy_class = policy_class
        self.action = action
        self.result = result
        super().__init__(
            f"{policy_class.__name__}.{action}() returned {type(result).__name__}, not bool:"
            f" return True, False or self.deny('reason') (wrap the expression in bool())"
        )


class AuthorizationNotPerformedError(SimpleAuthorizeError):
    """Verification: a view finished without authorizing or scoping anything.

    :param endpoint: The endpoint of the view.
    """

    def __init__(self, endpoint: str | None) -> None:
        self.endpoint = endpoint
        super().__init__(
            f"view {endpoint!r} neither authorized nor scoped: call authorize() or"
            " policy_scope(), or mark it with skip_authorization()"
        )


class ConfigurationError(SimpleAuthorizeError, ValueError):
    """The extension is misconfigured or misused."""


class JobError(SimpleAuthorizeError):
    """Base class of errors raised by the background-job integration."""


class JobArgumentError(JobError, TypeError):
    """A task argument may not cross the queue; nothing was queued.

    :param name: The parameter name (or position) of the argument.
    :param problem: What is wrong with it and what to pass instead.
    """

    def __init__(self, task_name: str, name: str, problem: str) -> None:
        self.task_name = task_name
        self.name = name
        self.problem = problem
        super().__init__(f"task {task_name}: argument {name!r} {problem}; nothing was queued")
