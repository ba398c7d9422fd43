"""Enqueue after commit: queue a task only once the SQLAlchemy transaction commits.

A worker can run before the web request's transaction commits and find no
record. Queueing from the session's ``after_commit`` event closes that gap;
a rollback drops the pending tasks, so a job never runs for data that was
never saved.

Each pending task belongs to the innermost savepoint (``begin_nested()``)
open when it was added: rolling that savepoint back, or any savepoint around
it, drops the task; releasing it keeps the task pending until the outermost
transaction commits.
"""

from __future__ import annotations

import logging
import typing as t

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm import scoped_session

logger = logging.getLogger("flask_simple_authorize.huey")

_PENDING = "simple_authorize_pending_tasks"


class Pending(t.NamedTuple):
    """A task message waiting for the commit, and the savepoint it was added in."""

    #: The innermost savepoint open when it was added (``None``: the outermost transaction).
    savepoint: SessionTransaction | None
    huey: t.Any
    message: t.Any

    def inside(self, transaction: SessionTransaction) -> bool:
        """Whether this entry was added inside ``transaction`` (or a savepoint within it)."""
        current = self.savepoint
        while current is not None:
            if current is transaction:
                return True
            current = current.parent
        return False


def enqueue_after_commit(session: t.Any, task: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Queue ``task(*args, **kwargs)`` when ``session``'s transaction commits.

    ::

        db.session.add(post)
        db.session.flush()
        publish_post.after_commit(db.session, current_user.id, post.id)
        db.session.commit()            # queued here; a rollback queues nothing

    The arguments are checked at once (a refused one raises now). Pending
    tasks are queued in order after the outermost commit, and dropped when
    the transaction rolls back or the session closes without committing. A
    task added inside a savepoint (``session.begin_nested()``) is dropped when
    that savepoint rolls back; releasing the savepoint does not queue it yet.
    If the queue refuses one (the broker is down), the others are still
    queued and the first error is raised from ``commit()``, after the data is
    committed.

    :param session: A SQLAlchemy ``Session``, or a ``scoped_session`` such as ``db.session``.
    :param task: A huey task (authorized or not).
    :return: The task message that will be queued.
    """
    real: Session = session() if isinstance(session, scoped_session) else session
    message = task.s(*args, **kwargs)
    pending: list[Pending] | None = real.info.get(_PENDING)
    if pending is None:
        pending = real.info[_PENDING] = []
        event.listen(real, "after_commit", _enqueue_pending)
        event.listen(real, "after_soft_rollback", _drop_rolled_back)
        event.listen(real, "after_transaction_end", _drop_pending)
    pending.append(Pending(real.get_nested_transaction(), task.huey, message))
    return message


def _enqueue_pending(session: Session) -> None:
    # Also sent when a savepoint is released: wait for the outermost commit.
    if session.in_nested_transaction():
        return
    pending: list[Pending] | None = session.info.get(_PENDING)
    if not pending:
        return
    queued = list(pending)
    pending.clear()
    failure: Exception | None = None
    for entry in queued:
        # One queue refusing a message must not cost the others theirs.
        try:
            entry.huey.enqueue(entry.message)
        except Exception as error:
            logger.exception("committed, but task %s could not be queued", entry.message)
            failure = failure or error
    if failure is not None:
        raise failure


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: list[Pending] | None = session.info.get(_PENDING)
    if not pending or not previous_transaction.nested:
        return  # the outermost transaction's end is handled by _drop_pending
    kept = [entry for entry in pending if not entry.inside(previous_transaction)]
    if len(kept) < len(pending):
        logger.info(
            "savepoint rolled back: %d pending task(s) not queued", len(pending) - len(kept)
        )
        pending[:] = kept


def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit (which already emptied the list) and on rollback or close.
    pending: list[Pending] | None = session.info.get(_PENDING)
    if pending and transaction.parent is None:
        logger.info("transaction ended without commit: %d pending task(s) not queued", len(pending))
        pending.clear()
