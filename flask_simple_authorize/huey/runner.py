"""The worker side: rebuild the app context, the user and the record, re-check, run.

Each run happens in a fresh :class:`contextvars.Context` with a fresh app
context pushed, so nothing (the bound actor, ``g``, the database session)
is shared with the next task of the same worker thread, nor with the request
around an eagerly run task.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
import typing as t
from collections.abc import Callable

from flask import Flask
from huey.exceptions import CancelExecution
from huey.exceptions import RetryTask

from .. import signals
from ..actor import acting_as
from ..authorizer import Decision
from ..checks import check
from ..checks import resolve_actor
from ..errors import NotAuthorizedError
from ..state import AuthorizeState
from ..state import get_state
from .binding import app_for
from .exceptions import JobDenied
from .exceptions import JobSkipped
from .records import InvalidRecordId
from .records import load_user
from .records import lookup_record
from .records import rollback
from .records import valid_user_id
from .spec import META_KEY
from .spec import JobSpec

logger = logging.getLogger("flask_simple_authorize.huey")

#: ``(run) -> result``: what a kind of task does once the run is set up.
Perform = Callable[["JobRun"], t.Any]


def task_function(
    spec: JobSpec, perform: Perform, body: Callable[..., t.Any], lead: tuple[t.Any, ...] = ()
) -> Callable[..., t.Any]:
    """Return the function huey calls for an authorized task (it receives ``task=``).

    :param spec: The task's declaration.
    :param perform: What the kind of task does once the run is set up.
    :param body: The user's function (for its name and docstring).
    :param lead: Arguments put before the queued ones (periodic tasks: the user slot).
    """

    @functools.wraps(body)
    def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return execute(spec, perform, kwargs.pop("task", None), (*lead, *args), kwargs)

    return run


def execute(
    spec: JobSpec, perform: Perform, task: t.Any, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> t.Any:
    """Run one task in isolation: a fresh contextvars context and a fresh app context.

    :param spec: The task's declaration.
    :param perform: What to do once the user is loaded (see :func:`.perform_record_job`).
    :param task: huey's task instance (``None`` for ``call_local``).
    :param args: The queued positional arguments.
    :param kwargs: The queued keyword arguments.
    """
    meta = kwargs.pop(META_KEY, None) or {}
    app = app_for(spec.huey)
    return contextvars.Context().run(_execute_in_app, app, spec, perform, task, args, kwargs, meta)


def _execute_in_app(
    app: Flask,
    spec: JobSpec,
    perform: Perform,
    task: t.Any,
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    meta: dict[str, t.Any],
) -> t.Any:
    with app.app_context():
        run = JobRun(app, spec, task, args, kwargs, meta)
        return perform(run)


class JobRun:
    """The facts of one run of an authorized task, and the steps every kind shares."""

    def __init__(
        self,
        app: Flask,
        spec: JobSpec,
        task: t.Any,
        args: tuple[t.Any, ...],
        kwargs: dict[str, t.Any],
        meta: dict[str, t.Any],
    ) -> None:
        self.app = app
        self.spec = spec
        self.state: AuthorizeState = get_state(app)
        self.task = task
        self.task_id: str | None = getattr(task, "id", None)
        self.kwargs = kwargs
        self.context: dict[str, t.Any] = meta.get("context") or {}
        self.attempt: int = int(meta.get("attempt", 0)) + 1
        self.missing: int = int(meta.get("missing", 0))
        self.interrupted: int = int(meta.get("interrupted", 0))
        #: Ids of the records a batch finished in earlier, interrupted runs of this message.
        self.completed: list[t.Any] = list(meta.get("completed") or ())
        self.requeue_limit: int = requeue_limit(spec, self.state.settings.job_requeue_interrupted)
        self.user_id: t.Any = args[0] if args else None
        self.record_id: t.Any = None
        self.rest: tuple[t.Any, ...] = args[2:] if spec.with_record else args[1:]
        if spec.with_record and len(args) > 1:
            self.record_id = args[1]
        self.user: t.Any = None
        self.record: t.Any = None
        self.query: str | None = spec.action if isinstance(spec.action, str) else None
        #: Whether the body returned (a shutdown after that must not run it again).
        self.finished = False
        self.started = time.perf_counter()
        self._remember()

    # -- loading -----------------------------------------------------------------

    def load_user(self) -> t.Any:
        """Load the user with the app's job user loader or flask-login's; skip if gone."""
        if not valid_user_id(self.user_id):
            self.skip(
                "invalid_user_id",
                f"user id {self.user_id!r} is not an int or a str",
                level=logging.WARNING,
            )
        user = load_user(self.app, self.state.extension.user_loader_function, self.user_id)
        if user is None or not getattr(user, "is_authenticated", True):
            self.skip("user_not_found", f"user {self.user_id!r} not found")
        self.user = user
        return user

    def load_record(self, record_id: t.Any) -> t.Any:
        """Load a record of the task's model by primary key.

        Returns ``None`` when it is gone, or when ``record_id`` cannot be a key
        of the model.
        """
        try:
            return lookup_record(self.app, self.spec, record_id)
        except InvalidRecordId:
            return None

    def load_task_record(self) -> t.Any:
        """Load the task's record; retry while it may not be committed yet, then skip.

        An id that cannot be a key of the model is skipped at once, never retried.
        """
        try:
            record = lookup_record(self.app, self.spec, self.record_id)
        except InvalidRecordId as error:
            self.skip(
                "invalid_record_id",
                f"{self.spec.record_type} id {error}",
                level=logging.WARNING,
            )
        if record is None:
            settings = self.state.settings
            limit = self.spec.missing_record_retries
            if limit is None:
                limit = settings.job_missing_record_retries
            if self.missing < limit and self.task is not None and not self.spec.huey.immediate:
                delay = self.spec.missing_record_delay
                if delay is None:
                    delay = settings.job_missing_record_delay
                self.missing += 1
                self._remember()
                logger.info(
                    "task %s: %s %r not found, retry %d of %d in %ss",
                    self.spec.name,
                    self.spec.record_type,
                    self.record_id,
                    self.missing,
                    limit,
                    delay,
                )
                raise RetryTask(delay=delay)
            self.skip("record_not_found", f"{self.spec.record_type} {self.record_id!r} not found")
        self.record = record
        return record

    # -- deciding ------------------------------------------------------------------

    def decide(self, record: t.Any, action: str) -> Decision:
        """Decide ``action`` on ``record`` for the bound actor (inside :meth:`acting`)."""
        self.query = action
        actor = resolve_actor(namespace=self.spec.namespace or None)
        return check(actor, record, action, policy_class=self.spec.policy_class)

    def acting(self) -> t.ContextManager[t.Any]:
        """Bind the loaded user as the actor, with the captured context."""
        return acting_as(self.user, context=self.context, job=self.spec.name)

    def deny(self, decision: Decision, record: t.Any, record_id: t.Any) -> None:
        """Log and announce a denial (the caller decides whether to stop)."""
        self.announce_denial(decision.rule, decision.policy, decision.reason, record, record_id)

    def announce_denial(
        self, rule: str | None, policy: t.Any, reason: str | None, record: t.Any, record_id: t.Any
    ) -> None:
        """Log a denial at warning with user, record and task; send ``job_authorization_denied``."""
        logger.warning(
            "task %s (%s) denied: user %r may not %s %s %r%s",
            self.spec.name,
            self.task_id,
            self.user_id,
            rule,
            self.spec.record_type,
            record_id,
            f" ({reason})" if reason else "",
        )
        self.send(
            signals.job_authorization_denied,
            query=rule,
            record=record,
            record_id=record_id,
            policy=policy,
            policy_name=type(policy).__name__ if policy is not None else None,
            reason=reason,
        )

    def stop_denied(self, decision: Decision) -> t.NoReturn:
        """Deny the task for good: log, announce, raise :class:`.JobDenied`."""
        self.deny(decision, self.record, self.record_id)
        raise JobDenied(
            f"user {self.user_id!r} may not {decision.rule} {self.spec.record_type}"
            f" {self.record_id!r}",
            query=decision.rule,
            reason=decision.reason,
        )

    def stop_denied_in_body(self, error: NotAuthorizedError) -> t.NoReturn:
        """A check inside the body denied: roll back, announce, stop for good (no retry)."""
        rollback(self.app)
        self.announce_denial(error.query, error.policy, error.reason, self.record, self.record_id)
        raise JobDenied(
            f"user {self.user_id!r} was denied inside the task: {error.message}",
            query=error.query,
            reason=error.reason,
        ) from error

    def skip(self, reason: str, message: str, *, level: int = logging.INFO) -> t.NoReturn:
        """Skip the task for good: log, announce, raise :class:`.JobSkipped`."""
        logger.log(level, "task %s (%s) skipped: %s", self.spec.name, self.task_id, message)
        self.send(signals.job_skipped, reason=reason)
        raise JobSkipped(message, reason=reason)

    # -- running the body --------------------------------------------------------

    def call(self, body: Callable[..., t.Any], *args: t.Any) -> t.Any:
        """Run the body, announcing start, success or final failure."""
        self.send(signals.job_started)
        started = time.perf_counter()
        try:
            result = body(*args, *self.rest, **self.kwargs)
        except (CancelExecution, RetryTask):
            raise
        except NotAuthorizedError as error:
            self.stop_denied_in_body(error)
        except Exception as error:
            self.fail(error, time.perf_counter() - started)
            raise
        self.mark_finished()
        self.send(signals.job_succeeded, duration=time.perf_counter() - started, result=result)
        return result

    def fail(self, error: BaseException, duration: float) -> None:
        """Roll the session back; announce ``job_failed`` when no retry is left."""
        rollback(self.app)
        retries_left = int(getattr(self.task, "retries", 0) or 0)
        if retries_left:
            logger.info(
                "task %s (%s) attempt %d failed (%r), %d retries left",
                self.spec.name,
                self.task_id,
                self.attempt,
                error,
                retries_left,
            )
            return
        logger.error(
            "task %s (%s) failed for user %r on %s %r after %d attempts: %r",
            self.spec.name,
            self.task_id,
            self.user_id,
            self.spec.record_type,
            self.record_id,
            self.attempt,
            error,
        )
        self.send(signals.job_failed, duration=duration, error=error, retries_left=0)

    # -- signals -------------------------------------------------------------------

    def send(self, signal: t.Any, **extra: t.Any) -> None:
        """Send a job signal with the common payload, if anyone listens."""
        if not self.state.settings.signals or not signal.has_receivers_for(self.app):
            return
        payload: dict[str, t.Any] = {
            "task_name": self.spec.name,
            "task_id": self.task_id,
            "user": self.user,
            "user_id": self.user_id,
            "record": self.record,
            "record_id": self.record_id,
            "record_type": self.spec.record_type,
            "query": self.query,
            "attempt": self.attempt,
            "context": self.context,
        }
        payload.update(extra)
        if isinstance(payload["record_id"], list):  # a composite key, queued as a list
            payload["record_id"] = tuple(payload["record_id"])
        signals.send_safely(signal, self.app, **payload)

    def mark_finished(self) -> None:
        """Note that the body returned, so a shutdown from now on does not re-queue the run."""
        self.finished = True
        self._remember()

    def remember_completed(self, record_id: t.Any) -> None:
        """Note that a batch finished ``record_id``, so a re-queued run does not redo it."""
        self.completed.append(record_id)
        self._remember()

    def _remember(self) -> None:
        # Retries and re-queues re-serialize task.kwargs: carry the counts, the
        # re-queue limit (read by the interrupt handler) and the finished records.
        # A new dict each time: the interrupt handler may read it from another thread.
        if self.task is not None and isinstance(getattr(self.task, "kwargs", None), dict):
            meta: dict[str, t.Any] = {
                "context": self.context,
                "attempt": self.attempt,
                "missing": self.missing,
                "interrupted": self.interrupted,
                "requeue_limit": self.requeue_limit,
            }
            if self.completed:
                meta["completed"] = list(self.completed)
            if self.finished:
                meta["finished"] = True
            self.task.kwargs[META_KEY] = meta


def requeue_limit(spec: JobSpec, default: int) -> int:
    """Return how often ``spec``'s messages are re-queued after an interruption."""
    return default if spec.requeue_interrupted is None else spec.requeue_interrupted
