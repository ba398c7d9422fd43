"""``huey_authorized_task``: a huey task whose user is re-authorized in the worker."""

from __future__ import annotations

import functools
import typing as t
from collections.abc import Callable

from ..authorizer import resolve_rule
from ..finder import find_policy_class
from ..policy import Policy
from .runner import execute
from .runner import perform_record_job
from .spec import Action
from .spec import JobSpec
from .spec import extra_parameter_names
from .spec import is_headless
from .wrapper import build_task_wrapper


def huey_authorized_task(
    huey: t.Any,
    model_or_policy: t.Any,
    action: Action,
    *,
    retries: int = 0,
    retry_delay: float = 0,
    retry_backoff: float = 0,
    name: str | None = None,
    policy_class: type[Policy] | None = None,
    namespace: str | None = None,
    missing_record_retries: int | None = None,
    missing_record_delay: float | None = None,
    record_loader: Callable[[t.Any], t.Any] | None = None,
    allowed_arguments: t.Iterable[str] = (),
    requeue_interrupted: int | None = None,
    **huey_options: t.Any,
) -> Callable[[Callable[..., t.Any]], t.Any]:
    """Declare a huey task that re-checks a policy rule in the worker before its body runs.

    ::

        @huey_authorized_task(huey, Post, "publish", retries=3, retry_delay=10)
        def publish_post(user, post):
            post.published = True
            db.session.commit()

        publish_post(current_user.id, post.id)   # or (current_user, post): ids are queued

    In the worker, the app bound to ``huey`` gets a fresh app context; the
    user is loaded with the app's user loader and the record by primary key;
    the user is bound as the actor (so :func:`.authorize`, :func:`.allowed_to`
    and :func:`.policy_scope` work in the body); then the rule is checked.

    - user or record gone: skipped (:class:`.JobSkipped`, ``job_skipped``),
      after ``missing_record_retries`` retries for a record;
    - denied: the body never runs, :class:`.JobDenied`, ``job_authorization_denied``,
      never retried;
    - the body raises: retried with ``retries``, ``retry_delay`` and
      ``retry_backoff``, then ``job_failed``;
    - a consumer shutdown (SIGTERM) interrupts it: put back on the queue, up
      to ``requeue_interrupted`` times, and re-authorized when it runs again.

    :param huey: The huey instance (bound to the app with ``SimpleAuthorize(app, huey=huey)``).
    :param model_or_policy: The model class whose record the task acts on
        (callers pass ``user_id, record_id, *rest``; the body gets ``user, record, *rest``),
        or a headless policy class (callers pass ``user_id, *rest``; the body
        gets ``user, *rest``).
    :param action: The rule to check, or a callable that picks it from the
        extra arguments at run time (``lambda event: ...``), for event-driven tasks.
    :param retries: huey's retries for errors of the body.
    :param retry_delay: Seconds between retries.
    :param retry_backoff: Multiplies the delay after each retry.
    :param name: The task's name (default: the function's name).
    :param policy_class: Use this policy instead of looking it up.
    :param namespace: Look the policy up in this namespace first.
    :param missing_record_retries: How often a missing record is retried
        before it counts as deleted (default: ``SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_RETRIES``).
    :param missing_record_delay: Seconds between those retries
        (default: ``SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_DELAY``).
    :param record_loader: ``loader(record_id) -> record | None`` instead of
        ``db.session.get(Model, record_id)``.
    :param allowed_arguments: Parameter names exempt from the secret-name check.
    :param requeue_interrupted: How often a run interrupted by a consumer
        shutdown is put back on the queue; 0 never
        (default: ``SIMPLE_AUTHORIZE_JOB_REQUEUE_INTERRUPTED``).
    :param huey_options: Passed to huey (``priority``, ``expires``, ``timeout``...).
    :return: A decorator returning a huey ``TaskWrapper``.
    """
    with_record = not is_headless(model_or_policy)
    _check_declared_action(model_or_policy, action, policy_class, namespace)

    def decorator(body: Callable[..., t.Any]) -> t.Any:
        spec = JobSpec(
            huey=huey,
            name=name or body.__name__,
            target=model_or_policy,
            action=action,
            with_record=with_record,
            policy_class=policy_class,
            namespace=namespace,
            missing_record_retries=missing_record_retries,
            missing_record_delay=missing_record_delay,
            record_loader=record_loader,
            parameter_names=extra_parameter_names(body, 2 if with_record else 1),
            allowed_arguments=frozenset(allowed_arguments),
            requeue_interrupted=requeue_interrupted,
        )
        perform = perform_record_job(body)

        @functools.wraps(body)
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return execute(spec, perform, kwargs.pop("task", None), args, kwargs)

        return build_task_wrapper(
            huey, run, spec, default_retries=retries, default_retry_delay=retry_delay,
            default_retry_backoff=retry_backoff, **_huey_settings(huey_options),
        )  # fmt: skip

    return decorator


def _huey_settings(options: dict[str, t.Any]) -> dict[str, t.Any]:
    """Map ``huey.task()``'s option names to the task wrapper's settings."""
    renamed = {"priority": "default_priority", "expires": "default_expires",
               "timeout": "default_timeout"}  # fmt: skip
    return {renamed.get(key, key): value for key, value in options.items()}


def _check_declared_action(
    target: t.Any, action: Action, policy_class: type[Policy] | None, namespace: str | None
) -> None:
    """Fail at import, not in the worker, when a fixed action is not a rule of a known policy."""
    if not isinstance(action, str):
        if not callable(action):
            from ..errors import ConfigurationError

            raise ConfigurationError(
                f"action must be a rule name or a callable that returns one, got {action!r}"
            )
        return
    found = find_policy_class(target, namespace=namespace, policy_class=policy_class)
    if found is not None:
        resolve_rule(found, action)
