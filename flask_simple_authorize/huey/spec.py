"""What an authorized task declares: its target, its action and how it loads records."""

from __future__ import annotations

import dataclasses
import inspect
import typing as t
from collections.abc import Callable

from ..errors import ConfigurationError
from ..policy import Policy

#: The keyword under which the extension's own data travels with a message.
META_KEY = "__simple_authorize__"

#: Keywords huey takes for itself at call time (``task(..., delay=5)``).
HUEY_KEYWORDS = frozenset(
    {
        "eta",
        "delay",
        "id",
        "retries",
        "retry_delay",
        "retry_backoff",
        "priority",
        "expires",
        "timeout",
    }
)

#: The most times one message may be re-queued after an interruption.
MAX_REQUEUES = 100

Action = str | Callable[..., str]


@dataclasses.dataclass(frozen=True)
class JobSpec:
    """The declaration of one authorized task.

    :param huey: The huey instance the task is registered on.
    :param name: The task's name (as huey names it).
    :param target: The model class whose record is checked, or a headless policy class.
    :param action: The rule, or a callable that picks it from the extra arguments.
    :param with_record: Whether callers pass a record id after the user id.
    :param policy_class: Use this policy instead of looking it up.
    :param namespace: Look the policy up in this namespace first.
    :param missing_record_retries: Overrides ``SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_RETRIES``.
    :param missing_record_delay: Overrides ``SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_DELAY``.
    :param record_loader: Loads a record from its id instead of ``db.session.get``.
    :param parameter_names: The names of the body's parameters after user and record.
    :param allowed_arguments: Parameter names exempt from the secret-name check.
    :param requeue_interrupted: Overrides ``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED``.
    """

    huey: t.Any
    name: str
    target: t.Any
    action: Action
    with_record: bool
    policy_class: type[Policy] | None = None
    namespace: str | None = None
    missing_record_retries: int | None = None
    missing_record_delay: float | None = None
    record_loader: Callable[[t.Any], t.Any] | None = None
    parameter_names: tuple[str, ...] = ()
    allowed_arguments: frozenset[str] = frozenset()
    requeue_interrupted: int | None = None

    def __post_init__(self) -> None:
        limit = self.requeue_interrupted
        if limit is not None and (type(limit) is not int or not 0 <= limit <= MAX_REQUEUES):
            raise ConfigurationError(
                f"task {self.name}: requeue_interrupted must be None or a whole number"
                f" from 0 to {MAX_REQUEUES}, got {limit!r}"
            )

    @classmethod
    def declare(
        cls,
        huey: t.Any,
        body: Callable[..., t.Any],
        target: t.Any,
        action: Action,
        *,
        with_record: bool,
        name: str | None = None,
        allowed_arguments: t.Iterable[str] = (),
        **options: t.Any,
    ) -> JobSpec:
        """Declare the task whose function is ``body``: its name and parameters come from it.

        :param options: The remaining fields (``policy_class``, ``namespace``...).
        """
        return cls(
            huey=huey,
            name=name or body.__name__,
            target=target,
            action=action,
            with_record=with_record,
            parameter_names=extra_parameter_names(body, 2 if with_record else 1),
            allowed_arguments=frozenset(allowed_arguments),
            **options,
        )

    def action_for(self, rest: t.Sequence[t.Any]) -> str:
        """Return the rule to check, calling the action with the extra arguments if needed."""
        if callable(self.action):
            return self.action(*rest)
        return self.action

    @property
    def record_type(self) -> str:
        """The model (or policy) name, for logs and signals."""
        return getattr(self.target, "__name__", repr(self.target))


def is_headless(target: t.Any) -> bool:
    """Whether ``target`` is a policy class (the task gets no record)."""
    return isinstance(target, type) and issubclass(target, Policy)


def extra_parameter_names(body: Callable[..., t.Any], skip: int) -> tuple[str, ...]:
    """Return the names of the body's positional parameters after the first ``skip``."""
    try:
        parameters = list(inspect.signature(body).parameters.values())
    except (TypeError, ValueError):
        return ()
    return tuple(
        p.name for p in parameters[skip:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
