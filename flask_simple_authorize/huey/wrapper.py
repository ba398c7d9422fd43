"""The task wrapper authorized tasks get: huey's own, checking arguments at enqueue.

It is a subclass of the huey instance's ``task_wrapper_class`` (huey's
``TaskWrapper`` by default), so ``.schedule()``, ``.s()``, ``.then()``,
``.map()``, ``.revoke()`` and ``.call_local()`` keep working. Every path that
builds a message (``task(...)``, ``.s()``, ``.map()``, ``.schedule()``, a
``.then()`` follow-up) reduces and checks the arguments first, so a refused
argument raises before anything is queued; ``.call_local()`` checks them the
same way before it runs the task in the caller.
"""

from __future__ import annotations

import datetime
import functools
import typing as t

from .arguments import prepare_call
from .spec import JobSpec


class AuthorizedTaskMixin:
    """Adds argument checking and :meth:`after_commit` to a huey task wrapper."""

    #: The task's declaration.
    spec: JobSpec
    #: Whether the second argument is a list of records (batch tasks).
    batch: bool = False

    def s(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Build a task message after reducing and checking its arguments."""
        args, kwargs = prepare_call(self.spec, args, kwargs, batch=self.batch)
        return super().s(*args, **kwargs)  # type: ignore[misc]

    def call_local(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Run the task now, in the caller, after reducing and checking its arguments.

        As with ``task(...)``, a user object and a record may be given for their
        ids; the run itself is an ordinary authorized run (its own app context,
        the user and record reloaded, the rule re-checked).
        """
        args, kwargs = prepare_call(self.spec, args, kwargs, batch=self.batch)
        return super().call_local(*args, **kwargs)  # type: ignore[misc]

    def schedule(
        self, args: t.Any = None, kwargs: dict[str, t.Any] | None = None, **options: t.Any
    ) -> t.Any:
        """Queue the task for later, as huey's ``schedule()``, after checking its arguments.

        As in huey, ``schedule(60)`` (a number, ``timedelta`` or ``datetime`` in
        place of ``args``) means "in 60 seconds, with no arguments"; the
        arguments are checked all the same, so it is refused (a task needs its user).
        """
        if options.get("eta") is None and options.get("delay") is None:
            if isinstance(args, datetime.datetime):
                options["eta"], args = args, None
            elif isinstance(args, (int, float, datetime.timedelta)):
                options["delay"], args = args, None
        reduced, checked = prepare_call(
            self.spec, tuple(args or ()), dict(kwargs or {}), batch=self.batch
        )
        return super().schedule(reduced, checked, **options)  # type: ignore[misc]

    def after_commit(self, session: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Queue the task once ``session``'s current transaction commits; never if it rolls back.

        The arguments are checked now. Returns the task message (not a result handle).
        """
        from .after_commit import enqueue_after_commit

        return enqueue_after_commit(session, self, *args, **kwargs)


@functools.cache
def authorized_wrapper_class(base: type) -> type:
    """Return the subclass of ``base`` (a huey task wrapper class) with the mixin."""
    return type(f"Authorized{base.__name__}", (AuthorizedTaskMixin, base), {})


def build_task_wrapper(
    huey: t.Any,
    run: t.Callable[..., t.Any],
    spec: JobSpec,
    *,
    batch: bool = False,
    **settings: t.Any,
) -> t.Any:
    """Create and register the task wrapper for ``run``, as ``huey.task()`` would.

    :param huey: The huey instance.
    :param run: The function huey calls (receives ``task=`` as huey's context).
    :param spec: The task's declaration.
    :param batch: The second argument is a list of records.
    :param settings: huey's task settings (``default_retries``, ``task_base``...).
    """
    cls = authorized_wrapper_class(huey.task_wrapper_class)
    wrapper = cls(huey, run, context=True, name=spec.name, **settings)
    wrapper.spec = spec
    wrapper.batch = batch
    return wrapper
