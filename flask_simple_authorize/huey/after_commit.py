"""Enqueue after commit: queue a task only once the SQLAlchemy transaction commits.

A worker can run before the web request's transaction commits and find no
record. Queueing from the session's ``after_commit`` event closes that gap;
a rollback drops the pending tasks, so a job never runs for data that was
never saved.
"""

from __future__ import annotations

import logging
import typing as t

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

logger = logging.getLogger("flask_simple_authorize.huey")

_PENDING = "simple_authorize_pending_tasks"


def enqueue_after_commit(session: t.Any, task: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Queue ``task(*args, **kwargs)`` when ``session``'s transaction commits.

    ::

        db.session.add(post)
        db.session.flush()
        publish_post.after_commit(db.session, current_user.id, post.id)
        db.session.commit()            # queued here; a rollback queues nothing

    The arguments are checked at once (a refused one raises now). Pending
    tasks are queued in order after the outermost commit, and dropped when
    the transaction rolls back or the session closes without committing.

    :param session: A SQLAlchemy ``Session``, or a ``scoped_session`` such as ``db.session``.
    :param task: A huey task (authorized or not).
    :return: The task message that will be queued.
    """
    real: Session = session() if isinstance(session, scoped_session) else session
    message = task.s(*args, **kwargs)
    pending = real.info.get(_PENDING)
    if pending is None:
        pending = real.info[_PENDING] = []
        event.listen(real, "after_commit", _enqueue_pending)
        event.listen(real, "after_transaction_end", _drop_pending)
    pending.append((task.huey, message))
    return message


def _enqueue_pending(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    queued = list(pending)
    pending.clear()
    for huey, message in queued:
        huey.enqueue(message)


def _drop_pending(session: Session, transaction: t.Any) -> None:
    # Runs after after_commit (which already emptied the list) and on rollback or close.
    pending = session.info.get(_PENDING)
    if pending and transaction.parent is None:
        logger.info("transaction ended without commit: %d pending task(s) not queued", len(pending))
        pending.clear()
