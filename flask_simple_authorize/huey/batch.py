"""Batch tasks: one job over many records, each re-checked, with a report of what was skipped."""

from __future__ import annotations

import dataclasses
import logging
import time
import typing as t
from collections.abc import Callable

from .. import signals
from ..errors import NotAuthorizedError
from ..policy import Policy
from .records import rollback
from .runner import JobRun
from .runner import Perform
from .runner import task_function
from .spec import JobSpec
from .task import huey_settings
from .wrapper import build_task_wrapper

logger = logging.getLogger("flask_simple_authorize.huey")

#: Why a record of a batch was not processed.
NOT_FOUND = "not_found"
UNAUTHORIZED = "unauthorized"
FAILED = "failed"


class SkippedRecord(t.NamedTuple):
    """A record a batch task did not process.

    :param record_id: Its primary key.
    :param reason: ``"not_found"``, ``"unauthorized"`` or ``"failed"``.
    :param detail: The rule's denial reason, or the error's ``repr``.
    """

    record_id: t.Any
    reason: str
    detail: str | None = None


@dataclasses.dataclass
class BatchReport:
    """What a batch task did: the ids it processed and the ones it skipped, by reason.

    It is the task's result (``task(...).get()``) and the ``result`` of
    ``job_succeeded``, ready for a summary mail.
    """

    #: Ids of the records the body processed without error, in order.
    done: list[t.Any] = dataclasses.field(default_factory=list)
    #: Records that were not processed, with the reason.
    skipped: list[SkippedRecord] = dataclasses.field(default_factory=list)

    def skip(self, record_id: t.Any, reason: str, detail: str | None = None) -> None:
        """Note that a record was skipped."""
        self.skipped.append(SkippedRecord(record_id, reason, detail))

    def ids(self, reason: str) -> list[t.Any]:
        """Return the ids skipped for ``reason``."""
        return [item.record_id for item in self.skipped if item.reason == reason]

    @property
    def not_found(self) -> list[t.Any]:
        """Ids of records that no longer exist."""
        return self.ids(NOT_FOUND)

    @property
    def unauthorized(self) -> list[t.Any]:
        """Ids of records the user may not act on."""
        return self.ids(UNAUTHORIZED)

    @property
    def failed(self) -> list[t.Any]:
        """Ids of records whose body raised (their changes were rolled back)."""
        return self.ids(FAILED)

    def as_dict(self) -> dict[str, t.Any]:
        """Return the report as JSON-safe data."""
        return {
            "done": list(self.done),
            "skipped": [item._asdict() for item in self.skipped],
        }


def huey_authorized_batch_task(
    huey: t.Any,
    model: type,
    action: str | Callable[..., str],
    *,
    name: str | None = None,
    policy_class: type[Policy] | None = None,
    namespace: str | None = None,
    record_loader: Callable[[t.Any], t.Any] | None = None,
    allowed_arguments: t.Iterable[str] = (),
    requeue_interrupted: int | None = None,
    **huey_options: t.Any,
) -> Callable[[Callable[..., t.Any]], t.Any]:
    """Declare a task that runs its body once per authorized record of a list.

    ::

        @huey_authorized_batch_task(huey, Post, "update")
        def archive_post(user, post):        # called once per record the user may update
            post.archived = True
            db.session.commit()

        result = archive_post(current_user.id, [1, 2, 3])
        report = result.get(blocking=True)   # BatchReport(done=[1], skipped=[...])

    Records that no longer exist are skipped as ``not_found``, denied ones as
    ``unauthorized`` (each denial, by the rule or by a check inside the body,
    is logged and sends ``job_authorization_denied``), and records whose body raised as
    ``failed`` (the session is rolled back and the batch goes on; failed
    records are not retried: queue their ids again if needed). A missing user
    skips the whole batch. A batch interrupted by a consumer shutdown is
    re-queued like any authorized task; the new run skips the records the
    interrupted one finished (they are reported as ``done``) and re-checks
    the others.

    :param huey: The huey instance.
    :param model: The model class of the records.
    :param action: The rule checked for each record (or a callable picking it).
    :param name: The task's name (default: the function's name).
    :param policy_class: Use this policy instead of looking it up.
    :param namespace: Look the policy up in this namespace first.
    :param record_loader: ``loader(record_id) -> record | None``.
    :param allowed_arguments: Parameter names exempt from the secret-name check.
    :param requeue_interrupted: How often the batch is re-queued after a
        shutdown interrupts it (default: ``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED``).
    :param huey_options: Passed to huey (``retries``, ``priority``...).
    """

    def decorator(body: Callable[..., t.Any]) -> t.Any:
        spec = JobSpec.declare(
            huey,
            body,
            model,
            action,
            with_record=True,
            name=name,
            allowed_arguments=allowed_arguments,
            policy_class=policy_class,
            namespace=namespace,
            record_loader=record_loader,
            requeue_interrupted=requeue_interrupted,
        )
        run = task_function(spec, perform_batch_job(body), body)
        return build_task_wrapper(huey, run, spec, batch=True, **huey_settings(huey_options))

    return decorator


def perform_batch_job(body: Callable[..., t.Any]) -> Perform:
    """Load the user, then check and process each record, filling a :class:`BatchReport`."""

    def perform(run: JobRun) -> BatchReport:
        user = run.load_user()
        record_ids = run.record_id
        run.record_id = None
        if not isinstance(record_ids, list):  # a message no checked call would build
            run.skip(
                "invalid_record_id",
                f"record ids {record_ids!r} are not a list",
                level=logging.WARNING,
            )
        report = BatchReport()
        with run.acting():
            action = run.spec.action_for(run.rest)
            run.query = action
            run.send(signals.job_started, record_ids=record_ids)
            started = time.perf_counter()
            finished = {_hashable(record_id) for record_id in run.completed}
            for record_id in record_ids:
                if _hashable(record_id) in finished:
                    # Done by an earlier run of this message that a shutdown interrupted.
                    report.done.append(record_id)
                    continue
                _process(run, body, user, record_id, action, report)
            run.mark_finished()
            run.send(
                signals.job_succeeded,
                record_ids=record_ids,
                duration=time.perf_counter() - started,
                result=report,
            )
        return report

    return perform


def _process(
    run: JobRun,
    body: Callable[..., t.Any],
    user: t.Any,
    record_id: t.Any,
    action: str,
    report: BatchReport,
) -> None:
    record = run.load_record(record_id)
    if record is None:
        logger.info("task %s: %s %r not found", run.spec.name, run.spec.record_type, record_id)
        report.skip(record_id, NOT_FOUND)
        return
    decision = run.decide(record, action)
    if not decision.allowed:
        run.deny(decision, record, record_id)
        report.skip(record_id, UNAUTHORIZED, decision.reason)
        return
    try:
        body(user, record, *run.rest, **run.kwargs)
    except NotAuthorizedError as error:  # a check inside the body denied
        rollback(run.app)
        run.announce_denial(error.query, error.policy, error.reason, record, record_id)
        report.skip(record_id, UNAUTHORIZED, error.reason)
        return
    except Exception as error:
        rollback(run.app)
        logger.warning(
            "task %s: %s %r failed: %r", run.spec.name, run.spec.record_type, record_id, error
        )
        report.skip(record_id, FAILED, repr(error))
        return
    report.done.append(record_id)
    run.remember_completed(record_id)


def _hashable(record_id: t.Any) -> t.Any:
    """Return a record id as a set member (composite keys arrive as lists)."""
    return tuple(record_id) if isinstance(record_id, list) else record_id
