"""The ``SIMPLE_AUTHORIZE_*`` configuration keys: defaults and validation.

Every key is read once, in :meth:`.SimpleAuthorize.init_app`. A bad value
fails at start-up with a :class:`.ConfigurationError` naming the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing as t

from .errors import ConfigurationError

PREFIX = "SIMPLE_AUTHORIZE_"
#: Misspellings of the prefix, refused at start-up as a misspelled key is.
MISSPELLED_PREFIXES = ("SIMPLE_AUTHORISE_", "SIMPLEAUTHORIZE_", "SIMPLE_AUTHORIZATION_")

#: ``key: (default, type or validator, description)``; the docs' table is built from this.
DEFAULTS: dict[str, tuple[t.Any, str]] = {
    "DEFAULT_MESSAGE": (
        "You are not authorized to perform this action.",
        "The message of a denial, shown in flash messages and JSON errors.",
    ),
    "REDIRECT_PATH": (
        None,
        "Where a logged-in HTML user goes after a denial when the referrer is unusable;"
        " a path in the app starting with '/' (an app mounted under a prefix gets the"
        " prefix added, as with url_for). None renders the 403 page.",
    ),
    "POLICY_CACHE": (
        False,
        "Reuse one policy instance per user, record and policy class within a request.",
    ),
    "SIGNALS": (True, "Send the request-side and job-side signals."),
    "API_ERROR_DETAILS": (
        False,
        "Add query, record_type and policy to JSON error bodies (keep off in production).",
    ),
    "VERIFY": (
        False,
        "Fail loudly (AuthorizationNotPerformedError) when a view neither authorized nor scoped.",
    ),
    "REGISTER_ERROR_HANDLERS": (
        True,
        "Register the handler that turns NotAuthorizedError into 401/403/404 responses.",
    ),
    "HIDE_DENIED": (
        False,
        "Answer every denial with 404 instead of 403, app-wide (existence hiding).",
    ),
    "JOB_MISSING_RECORD_RETRIES": (
        2,
        "How many times a job whose record is missing is retried before it counts as deleted"
        " (the web request's transaction may not have committed yet).",
    ),
    "JOB_MISSING_RECORD_DELAY": (
        1.0,
        "Seconds between those retries.",
    ),
    "JOB_REQUEUE_INTERRUPTED": (
        3,
        "How many times a job interrupted by a consumer shutdown (SIGTERM) is put back on the"
        " queue, to be re-authorized and run again; 0 never re-queues (the task is lost).",
    ),
    "SYSTEM_USER_ID": (
        None,
        "The id of the user periodic tasks run as, when a task names no run_as"
        " (an int or a non-empty string).",
    ),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """The validated configuration of one app."""

    default_message: str
    redirect_path: str | None
    policy_cache: bool
    signals: bool
    api_error_details: bool
    verify: bool
    register_error_handlers: bool
    hide_denied: bool
    job_missing_record_retries: int
    job_missing_record_delay: float
    job_requeue_interrupted: int
    system_user_id: t.Any


def _refuse_unknown_key(name: str) -> None:
    """Raise for a key under the prefix, or a misspelled prefix, that names no setting."""
    for prefix in (PREFIX, *MISSPELLED_PREFIXES):
        if name.startswith(prefix):
            key = name[len(prefix) :]
            if prefix == PREFIX and key in DEFAULTS:
                return
            close = difflib.get_close_matches(key, DEFAULTS, n=1)
            hint = f" Did you mean {PREFIX}{close[0]}?" if close else ""
            raise ConfigurationError(f"unknown configuration key {name}.{hint}")


def load_settings(config: t.MutableMapping[str, t.Any]) -> Settings:
    """Write the defaults into ``config`` and return the validated settings.

    :raises ConfigurationError: A value has the wrong type or form, or a
        ``SIMPLE_AUTHORIZE_*`` key is unknown (a misspelled key would otherwise
        leave its setting silently at the default).
    """
    for name in config:
        _refuse_unknown_key(name)
    for key, (default, _) in DEFAULTS.items():
        config.setdefault(PREFIX + key, default)

    def get(key: str) -> t.Any:
        return config[PREFIX + key]

    return Settings(
        default_message=_text(get("DEFAULT_MESSAGE"), "DEFAULT_MESSAGE"),
        redirect_path=_local_path(get("REDIRECT_PATH")),
        policy_cache=_flag(get("POLICY_CACHE"), "POLICY_CACHE"),
        signals=_flag(get("SIGNALS"), "SIGNALS"),
        api_error_details=_flag(get("API_ERROR_DETAILS"), "API_ERROR_DETAILS"),
        verify=_flag(get("VERIFY"), "VERIFY"),
        register_error_handlers=_flag(get("REGISTER_ERROR_HANDLERS"), "REGISTER_ERROR_HANDLERS"),
        hide_denied=_flag(get("HIDE_DENIED"), "HIDE_DENIED"),
        job_missing_record_retries=_count(
            get("JOB_MISSING_RECORD_RETRIES"), "JOB_MISSING_RECORD_RETRIES"
        ),
        job_missing_record_delay=_seconds(
            get("JOB_MISSING_RECORD_DELAY"), "JOB_MISSING_RECORD_DELAY"
        ),
        job_requeue_interrupted=_count(get("JOB_REQUEUE_INTERRUPTED"), "JOB_REQUEUE_INTERRUPTED"),
        system_user_id=_user_id(get("SYSTEM_USER_ID"), "SYSTEM_USER_ID"),
    )


def _fail(key: str, value: t.Any, expected: str) -> t.NoReturn:
    raise ConfigurationError(f"{PREFIX}{key} must be {expected}, got {value!r}")


def _flag(value: t.Any, key: str) -> bool:
    if type(value) is not bool:
        _fail(key, value, "True or False (a real bool, not a string)")
    return value


def _text(value: t.Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(key, value, "a non-empty string")
    return value


def _count(value: t.Any, key: str) -> int:
    if type(value) is not int or not 0 <= value <= 100:
        _fail(key, value, "a whole number from 0 to 100")
    return value


def _seconds(value: t.Any, key: str) -> float:
    if type(value) not in (int, float) or not 0 <= value <= 3600:
        _fail(key, value, "a number of seconds from 0 to 3600")
    return float(value)


def _user_id(value: t.Any, key: str) -> t.Any:
    if value is None or type(value) is int or (type(value) is str and value.strip()):
        return value
    _fail(key, value, "None or a user id (an int or a non-empty string)")


def _local_path(value: t.Any) -> str | None:
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        _fail("REDIRECT_PATH", value, "None or a local path such as '/posts' (no host, no '//')")
    return value
