"""Periodic tasks that run as a system user, re-authorized like any other task."""

from __future__ import annotations

import typing as t
from collections.abc import Callable

from ..errors import ConfigurationError
from ..policy import Policy
from .runner import JobRun
from .runner import task_function
from .spec import JobSpec
from .task import perform_record_job


def huey_authorized_periodic_task(
    huey: t.Any,
    validate_datetime: Callable[[t.Any], bool],
    model_or_policy: t.Any,
    action: str,
    *,
    run_as: t.Any = None,
    name: str | None = None,
    policy_class: type[Policy] | None = None,
    requeue_interrupted: int | None = None,
    **huey_options: t.Any,
) -> Callable[[Callable[..., t.Any]], t.Any]:
    """Declare a huey periodic task that runs as a system user and checks a rule first.

    ::

        @huey_authorized_periodic_task(huey, crontab(hour="2", minute="0"), CleanupPolicy, "run")
        def cleanup_old_posts(system_user):
            for post in authorized_records(old_posts(), "destroy"):
                db.session.delete(post)
            db.session.commit()

    The user is ``run_as`` (an id, or a callable returning one, called in the
    app context), else ``SIMPLE_AUTHORIZE_SYSTEM_USER_ID``. The rule
    ``action`` is checked on ``model_or_policy`` (a headless policy or a model
    class); inside the body the system user is the actor, so
    :func:`.authorize` and :func:`.authorized_records` decide for it record
    by record.

    A run interrupted by a consumer shutdown is not re-queued by default: the
    schedule runs the task again at its next tick, and a re-queued run could
    overlap it. Pass ``requeue_interrupted=N`` for tasks whose next tick is
    too far away (a nightly job); the re-queued run is re-authorized too.

    :param huey: The huey instance.
    :param validate_datetime: huey's schedule, such as ``crontab(minute="*/5")``.
    :param model_or_policy: What the rule is checked on.
    :param action: The rule.
    :param run_as: The system user's id, or a callable returning it.
    :param name: The task's name (default: the function's name).
    :param policy_class: Use this policy instead of looking it up.
    :param requeue_interrupted: How often an interrupted run is re-queued
        (default 0: never; ``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED`` does not apply).
    :param huey_options: Passed to ``huey.periodic_task`` (``retries``...).
    """

    def decorator(body: Callable[..., t.Any]) -> t.Any:
        spec = JobSpec.declare(
            huey,
            body,
            model_or_policy,
            action,
            with_record=False,
            name=name,
            policy_class=policy_class,
            requeue_interrupted=0 if requeue_interrupted is None else requeue_interrupted,
        )
        inner = perform_record_job(body)

        def perform(run: JobRun) -> t.Any:
            run.user_id = system_user_id(run, run_as)
            return inner(run)

        run = task_function(spec, perform, body, lead=(None,))
        periodic = huey.periodic_task(
            validate_datetime, context=True, name=spec.name, **huey_options
        )
        wrapper = periodic(run)
        wrapper.spec = spec
        return wrapper

    return decorator


def system_user_id(run: JobRun, run_as: t.Any) -> t.Any:
    """Return the id a periodic task runs as."""
    user_id = run_as() if callable(run_as) else run_as
    if user_id is None:
        user_id = run.state.settings.system_user_id
    if user_id is None:
        raise ConfigurationError(
            f"periodic task {run.spec.name} has no user to run as: set"
            " SIMPLE_AUTHORIZE_SYSTEM_USER_ID or pass run_as="
        )
    return user_id
