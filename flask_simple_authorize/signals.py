"""Signals sent for every decision, denial and job run.

Every signal is sent with the Flask app as sender and keyword-only payloads.
Payloads always carry ids and type names (``user_id``, ``record_id``,
``record_type``), so an audit log never stores whole objects; the objects
themselves (``user``, ``record``, ``policy``) are there too for in-process
subscribers such as mailers.

A subscriber that raises is logged at error level on the
``flask_simple_authorize`` logger and never changes a decision: the remaining
subscribers still run and a denial still denies. Payloads are built only when
a signal has receivers.

Connect with a strong reference (a module-level function), since blinker
holds receivers weakly by default::

    from flask_simple_authorize.signals import authorization_denied

    @authorization_denied.connect_via(app)
    def log_denial(app, **payload):
        app.logger.warning("denied %(query)s on %(record_type)s %(record_id)s", payload)
"""

from __future__ import annotations

import inspect
import logging
import typing as t

from blinker import Namespace
from blinker import Signal

logger = logging.getLogger("flask_simple_authorize")

_signals = Namespace()

#: Sent for every decision made through the extension (allowed or not).
#: Payload: ``user``, ``user_id``, ``record``, ``record_id``, ``record_type``,
#: ``query`` (the rule), ``policy`` (instance), ``policy_name``, ``allowed``
#: (bool), ``reason`` (str or None), ``job`` (the task name inside an
#: authorized job, else None).
authorization_checked = _signals.signal("authorization-checked")

#: Sent for every denial, after ``authorization_checked``; same payload.
authorization_denied = _signals.signal("authorization-denied")

#: Sent when :func:`.policy_scope` narrows a query or collection.
#: Payload: ``user``, ``user_id``, ``record_type`` (the model name), ``scope``
#: (what was given), ``result`` (what was returned), ``policy_name``.
policy_scoped = _signals.signal("policy-scoped")

#: Sent by verification mode when a view neither authorized nor scoped.
#: Payload: ``endpoint``.
authorization_not_performed = _signals.signal("authorization-not-performed")

#: Sent when an authorized job starts, after the user and the record are loaded.
#: Payload: ``task_name``, ``task_id``, ``user``, ``user_id``, ``record``,
#: ``record_id`` (a tuple for a composite key), ``record_type``, ``query``,
#: ``attempt`` (1 for the first run), ``context``. Batch tasks add
#: ``record_ids`` (``record`` and ``record_id`` are None).
job_started = _signals.signal("job-started")

#: Sent when an authorized job's body returned. Payload: as ``job_started``,
#: plus ``duration`` (seconds, float) and ``result``.
job_succeeded = _signals.signal("job-succeeded")

#: Sent when an authorized job's body raised and no retry is left. Payload: as
#: ``job_started``, plus ``duration``, ``error`` (the exception) and
#: ``retries_left`` (0 when it will not run again).
job_failed = _signals.signal("job-failed")

#: Sent when a job is skipped because its user or record is gone, or its
#: user id or record id cannot be an id. Payload: as ``job_started``
#: (``user`` or ``record`` is None for what is gone), plus ``reason``
#: (``"user_not_found"``, ``"record_not_found"``, ``"invalid_user_id"`` or
#: ``"invalid_record_id"``).
job_skipped = _signals.signal("job-skipped")

#: Sent when the re-check inside a job denies; the body does not run and the
#: job is never retried. Payload: as ``job_started``, plus ``policy``,
#: ``policy_name`` and ``reason``.
job_authorization_denied = _signals.signal("job-authorization-denied")

__all__ = [
    "authorization_checked",
    "authorization_denied",
    "authorization_not_performed",
    "job_authorization_denied",
    "job_failed",
    "job_skipped",
    "job_started",
    "job_succeeded",
    "policy_scoped",
    "send_safely",
]


def send_safely(signal: Signal, sender: t.Any, **payload: t.Any) -> None:
    """Send ``signal`` to each receiver, logging (not raising) a receiver's error.

    Receivers are called synchronously; an ``async def`` receiver is not run
    (its error is logged).

    :param signal: The signal to send.
    :param sender: The Flask app (the real object, not the proxy).
    :param payload: The keyword payload.
    """
    for receiver in signal.receivers_for(sender):
        try:
            result = receiver(sender, **payload)
        except Exception:
            logger.exception(
                "subscriber %r of signal %r raised; the decision stands",
                receiver,
                getattr(signal, "name", signal),
            )
            continue
        if inspect.iscoroutine(result):  # it would never run: say so instead of a warning
            result.close()
            logger.error(
                "subscriber %r of signal %r is async and was not run; connect a plain"
                " function (it may start a task of its own)",
                receiver,
                getattr(signal, "name", signal),
            )
