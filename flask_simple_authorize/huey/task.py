"""``huey_authorized_task``: a huey task whose user is re-authorized in the worker."""

from __future__ import annotations

import typing as t
from collections.abc import Callable

from ..authorizer import resolve_rule
from ..finder import find_policy_class
from ..policy import Policy
from .runner import JobRun
from .runner import Perform
from .runner import task_function
from .spec import Action
from .spec import JobSpec
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
        spec = JobSpec.declare(
            huey,
            body,
            model_or_policy,
            action,
            with_record=with_record,
            name=name,
            allowed_arguments=allowed_arguments,
            policy_class=policy_class,
            namespace=namespace,
            missing_record_retries=missing_record_retries,
            missing_record_delay=missing_record_delay,
            record_loader=record_loader,
            requeue_interrupted=requeue_interrupted,
        )
        return build_task_wrapper(
            huey,
            task_function(spec, perform_record_job(body), body),
            spec,
            default_retries=retries,
            default_retry_delay=retry_delay,
            default_retry_backoff=retry_backoff,
            **huey_settings(huey_options),
        )

    return decorator


def huey_settings(options: dict[str, t.Any]) -> dict[str, t.Any]:
    """Map ``huey.task()``'s option names to the task wrapper's settings.

    ``retries``, ``retry_delay``, ``retry_backoff``, ``priority``, ``expires``
    and ``timeout`` become ``default_<name>``; others (``task_base``...) pass as they are.
    """
    return {f"default_{key}" if key in _DEFAULTED else key: value for key, value in options.items()}


_DEFAULTED = frozenset(
    {"retries", "retry_delay", "retry_backoff", "priority", "expires", "timeout"}
)


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


def perform_record_job(body: Callable[..., t.Any]) -> Perform:
    """What a plain authorized task does: load, re-check, run ``body(user, [record,] *rest)``."""

    def perform(run: JobRun) -> t.Any:
        user = run.load_user()
        spec = run.spec
        record = run.load_task_record() if spec.with_record else spec.target
        with run.acting():
            try:
                decision = run.decide(record, spec.action_for(run.rest))
            except Exception as error:  # a broken rule fails closed: the body never runs
                run.fail(error, 0.0)
                raise
            if not decision.allowed:
                run.stop_denied(decision)
            if spec.with_record:
                return run.call(body, user, record)
            return run.call(body, user)

    return perform
