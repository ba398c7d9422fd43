"""Builds the :class:`.NotAuthorizedError` for a denied decision."""

from __future__ import annotations

import typing as t

from .authorizer import Decision
from .errors import NotAuthorizedError

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
    ``SIMPLE_AUTHORIZE_DEFAULT_MESSAGE``.
    """
    settings = actor.state.settings
    if hidden is None:
        hidden = decision.policy.hide_denied or settings.hide_denied
    if message is None:
        describe = actor.state.extension.denial_message_function
        if describe is not None:
            message = describe(decision.policy, decision.rule, decision.reason)
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
