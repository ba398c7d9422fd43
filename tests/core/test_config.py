"""Configuration: defaults written with setdefault, every key validated in init_app."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.config import DEFAULTS
from flask_simple_authorize.config import PREFIX
from flask_simple_authorize.state import get_state

BAD_VALUES: list[tuple[str, t.Any]] = [
    ("DEFAULT_MESSAGE", ""),
    ("DEFAULT_MESSAGE", "   "),
    ("DEFAULT_MESSAGE", None),
    ("DEFAULT_MESSAGE", 403),
    ("REDIRECT_PATH", "posts"),
    ("REDIRECT_PATH", "//evil.example"),
    ("REDIRECT_PATH", "https://evil.example/"),
    ("REDIRECT_PATH", "/\\evil.example"),
    ("REDIRECT_PATH", "/posts\r\nLocation: x"),
    ("REDIRECT_PATH", b"/posts"),
    ("POLICY_CACHE", "False"),
    ("POLICY_CACHE", 1),
    ("SIGNALS", "yes"),
    ("SIGNALS", None),
    ("API_ERROR_DETAILS", "true"),
    ("VERIFY", 0),
    ("REGISTER_ERROR_HANDLERS", "no"),
    ("HIDE_DENIED", []),
    ("JOB_MISSING_RECORD_RETRIES", -1),
    ("JOB_MISSING_RECORD_RETRIES", 101),
    ("JOB_MISSING_RECORD_RETRIES", 2.0),
    ("JOB_MISSING_RECORD_RETRIES", True),
    ("JOB_MISSING_RECORD_RETRIES", "2"),
    ("JOB_MISSING_RECORD_DELAY", -0.5),
    ("JOB_MISSING_RECORD_DELAY", 3601),
    ("JOB_MISSING_RECORD_DELAY", "1"),
    ("JOB_MISSING_RECORD_DELAY", True),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=lambda v: repr(v)[:20])
def test_a_bad_value_fails_in_init_app_naming_the_key(key: str, value: t.Any) -> None:
    app = Flask(__name__)
    app.config[PREFIX + key] = value
    with pytest.raises(ConfigurationError) as caught:
        SimpleAuthorize(app)
    assert str(caught.value).startswith(f"{PREFIX}{key} must be")
    assert "simple_authorize" not in app.extensions


def test_every_key_has_a_default_written_into_the_config() -> None:
    app = Flask(__name__)
    SimpleAuthorize(app)
    for key, (default, description) in DEFAULTS.items():
        assert app.config[PREFIX + key] == default
        assert description


def test_values_set_before_init_app_are_kept() -> None:
    app = Flask(__name__)
    app.config.update(
        SIMPLE_AUTHORIZE_DEFAULT_MESSAGE="Nope.",
        SIMPLE_AUTHORIZE_REDIRECT_PATH="/posts?from=denied",
        SIMPLE_AUTHORIZE_POLICY_CACHE=True,
        SIMPLE_AUTHORIZE_SIGNALS=False,
        SIMPLE_AUTHORIZE_API_ERROR_DETAILS=True,
        SIMPLE_AUTHORIZE_VERIFY=True,
        SIMPLE_AUTHORIZE_REGISTER_ERROR_HANDLERS=False,
        SIMPLE_AUTHORIZE_HIDE_DENIED=True,
        SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_RETRIES=0,
        SIMPLE_AUTHORIZE_JOB_MISSING_RECORD_DELAY=2,
        SIMPLE_AUTHORIZE_SYSTEM_USER_ID=1,
    )
    SimpleAuthorize(app)
    settings = get_state(app).settings
    assert settings.default_message == "Nope."
    assert settings.redirect_path == "/posts?from=denied"
    assert (settings.policy_cache, settings.signals, settings.api_error_details) == (
        True,
        False,
        True,
    )
    assert (settings.verify, settings.register_error_handlers, settings.hide_denied) == (
        True,
        False,
        True,
    )
    assert settings.job_missing_record_retries == 0
    assert settings.job_missing_record_delay == 2.0
    assert settings.system_user_id == 1


def test_settings_are_read_once_at_init_app() -> None:
    app = Flask(__name__)
    SimpleAuthorize(app)
    app.config["SIMPLE_AUTHORIZE_HIDE_DENIED"] = "not even a bool"
    assert get_state(app).settings.hide_denied is False


def test_a_misspelled_key_fails_at_start_up_with_a_suggestion() -> None:
    app = Flask(__name__)
    app.config["SIMPLE_AUTHORIZE_VERFY"] = True
    with pytest.raises(
        ConfigurationError, match=r"SIMPLE_AUTHORIZE_VERFY.*SIMPLE_AUTHORIZE_VERIFY"
    ):
        SimpleAuthorize(app)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("SIMPLE_AUTHORISE_VERIFY", "SIMPLE_AUTHORIZE_VERIFY"),
        ("SIMPLE_AUTHORIZATION_HIDE_DENIED", "SIMPLE_AUTHORIZE_HIDE_DENIED"),
    ],
)
def test_a_misspelled_prefix_fails_at_start_up_with_the_right_key(
    name: str, suggestion: str
) -> None:
    app = Flask(__name__)
    app.config[name] = True
    with pytest.raises(ConfigurationError, match=rf"{name}\. Did you mean {suggestion}\?"):
        SimpleAuthorize(app)


def test_other_extensions_keys_that_merely_look_alike_are_left_alone() -> None:
    app = Flask(__name__)
    app.config["SIMPLE_AUTHORIZER_URL"] = "https://auth.example"
    SimpleAuthorize(app)
    assert app.config["SIMPLE_AUTHORIZE_VERIFY"] is False
