"""Random values for every ``SIMPLE_AUTHORIZE_*`` key.

Each value is either accepted as the valid value it is, or refused at start-up
with a :class:`.ConfigurationError` that names the key; never a setting that
silently means something else, never a half-registered extension.
"""

from __future__ import annotations

import decimal
import fractions
import math
import typing as t
import uuid

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.config import DEFAULTS
from flask_simple_authorize.config import PREFIX
from flask_simple_authorize.state import EXTENSION_KEY

from .conftest import bounded

FLAGS = {
    "POLICY_CACHE",
    "SIGNALS",
    "API_ERROR_DETAILS",
    "VERIFY",
    "REGISTER_ERROR_HANDLERS",
    "HIDE_DENIED",
}


def _is_local_path(value: t.Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and all(ord(ch) >= 32 and ord(ch) != 127 for ch in value)
    )


def _number(value: t.Any, low: float, high: float, kinds: tuple[type, ...]) -> bool:
    return type(value) in kinds and low <= value <= high


#: ``key -> (is the value valid?, the setting it must become)``
ORACLE: dict[str, tuple[t.Callable[[t.Any], bool], t.Callable[[t.Any], t.Any]]] = {
    "DEFAULT_MESSAGE": (lambda v: isinstance(v, str) and bool(v.strip()), lambda v: v),
    "REDIRECT_PATH": (lambda v: v is None or _is_local_path(v), lambda v: v),
    "JOB_MISSING_RECORD_RETRIES": (lambda v: _number(v, 0, 100, (int,)), lambda v: v),
    "JOB_MISSING_RECORD_DELAY": (lambda v: _number(v, 0, 3600, (int, float)), float),
    "JOB_REQUEUE_INTERRUPTED": (lambda v: _number(v, 0, 100, (int,)), lambda v: v),
    "SYSTEM_USER_ID": (
        lambda v: v is None or type(v) is int or (type(v) is str and bool(v.strip())),
        lambda v: v,
    ),
    **{flag: (lambda v: type(v) is bool, lambda v: v) for flag in FLAGS},
}

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 100, 101, -1, 3600, 3601]),
    st.floats(),
    st.sampled_from([0.0, 0.5, 3600.0, 3600.0001, -0.0, math.inf, -math.inf, math.nan]),
    st.text(max_size=20),
    st.sampled_from(
        [
            "True",
            "False",
            "1",
            "0",
            "yes",
            "",
            " ",
            "/ok",
            "/ok?x=1",
            "//evil.com",
            "/\\evil.com",
            "http://evil.com/",
            "/path\n",
            "/tab\there",
            "evil.com",
            "/é",
        ]
    ),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(
        [decimal.Decimal("1.5"), fractions.Fraction(1, 2), 1j, uuid.UUID(int=1), object()]
    ),
)


@bounded(300)
@given(key=st.sampled_from(sorted(DEFAULTS)), value=values)
def test_a_config_value_is_accepted_as_valid_or_refused_naming_the_key(
    key: str, value: t.Any
) -> None:
    app = Flask(__name__)
    app.config[PREFIX + key] = value
    valid, becomes = ORACLE[key]
    try:
        SimpleAuthorize(app)
    except ConfigurationError as error:
        assert PREFIX + key in str(error)
        assert not valid(value), f"{key}={value!r} is valid but was refused: {error}"
        assert EXTENSION_KEY not in app.extensions
        return
    assert valid(value), f"{key}={value!r} was accepted"
    setting = getattr(app.extensions[EXTENSION_KEY].settings, key.lower())
    assert setting == becomes(value) and type(setting) is type(becomes(value))


def test_every_config_key_has_an_oracle() -> None:
    assert set(ORACLE) == set(DEFAULTS)


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_the_defaults_are_valid(key: str) -> None:
    app = Flask(__name__)
    SimpleAuthorize(app)
    assert ORACLE[key][0](app.config[PREFIX + key])
