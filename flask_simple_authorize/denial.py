"""Builds the :class:`.NotAuthorizedError` for a denied decision."""

from __future__ import annotations

import logging
import typing as t

from .authorizer import Decision
from .errors import NotAuthorizedError

logger = logging.getLogger("flask_simple_authorize")

if t.TYPE_CHECKING:
    from .checks import Actor


def denial_error(
    actor: Actor,
    decision: Decision,
    record: t.Any,
    *,
    hidden: bool | None = None,
    message: str | None = None,
) -> NotAuthorizedError:
    """Return the error for a denial, with its message, reason and 403/404 choice.

    The message is, in order: the ``message`` given; the app's
    :meth:`.SimpleAuthorize.denial_message` function; the configured
    ``SIMPLE_AUTHORIZE_DEFAULT_MESSAGE``. A message function that raises is
    logged and the default message used: a broken message must not turn a
    denial into a server error, least of all a hidden one, whose 500 would
    tell a stranger that the record exists.
    """
    settings = actor.state.settings
    if hidden is None:
        hidden = decision.policy.hide_denied or settings.hide_denied
    if message is None:
        describe = actor.state.extension.denial_message_function
        if describe is not None:
            try:
                message = describe(decision.policy, decision.rule, decision.reason)
            except Exception:
                logger.exception(
                    "the denial_message function raised for %s.%s; using the default message",
                    type(decision.policy).__name__,
                    decision.rule,
                )
        if not message:
            message = settings.default_message
    return NotAuthorizedError(
        message,
        query=decision.rule,
        record=record,
        policy=decision.policy,
        reason=decision.reason,
        hidden=hidden,
    )
