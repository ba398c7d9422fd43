"""What an authorized task raises to stop for good, and the start-up warning.

``JobDenied`` and ``JobSkipped`` subclass huey's ``CancelExecution`` with
``retry=False``: huey never retries them, does not run the ``then()``
follow-ups of a pipeline, stores an error result (``result.get()`` raises
``TaskException``) and emits its ``canceled`` signal. They also derive from
:class:`~flask_simple_authorize.errors.JobError`, so ``call_local()`` callers
can catch them as the extension's own errors.
"""

from __future__ import annotations

import typing as t

from huey.exceptions import CancelExecution

from ..errors import JobError


class JobDenied(JobError, CancelExecution):  # type: ignore[misc]
    """The re-check in the worker denied: the body did not run and never will.

    :param message: What was denied, for logs and the stored result.
    :param query: The rule that denied.
    :param reason: The reason the rule gave, if any.
    """

    def __init__(self, message: str, *, query: str | None = None, reason: str | None = None):
        CancelExecution.__init__(self, message, retry=False)
        self.query = query
        self.reason = reason


class JobSkipped(JobError, CancelExecution):  # type: ignore[misc]
    """The task's user or record no longer exists (or its id cannot be one): the body did not run.

    :param message: What was missing.
    :param reason: ``"user_not_found"``, ``"record_not_found"``,
        ``"invalid_user_id"`` or ``"invalid_record_id"``.
    """

    def __init__(self, message: str, *, reason: str):
        CancelExecution.__init__(self, message, retry=False)
        self.reason = reason


class UnsignedQueueWarning(UserWarning):
    """A non-immediate huey queue bound outside debug and testing does not sign its messages.

    Whoever can write to an unsigned queue can run code in the worker (huey
    pickles messages). Pass ``serializer=signed_serializer(secret)`` to huey.
    """


def reason_of(error: BaseException) -> t.Any:
    """Return the ``reason`` an exception carries, if any."""
    return getattr(error, "reason", None)
