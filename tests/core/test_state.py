"""Per-app state in app.extensions."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.state import get_state


def test_state_lives_in_app_extensions() -> None:
    app = Flask(__name__)
    authz = SimpleAuthorize(app)
    state = get_state(app)
    assert app.extensions["simple_authorize"] is state
    assert state.extension is authz
    with app.app_context():
        assert get_state() is state


def test_hooks_registered_on_the_extension_are_seen_by_the_state() -> None:
    app = Flask(__name__)
    authz = SimpleAuthorize(app)

    @authz.context_provider
    def provide() -> dict[str, str]:
        return {}

    @authz.user_loader
    def load(user_id: object) -> None:
        return None

    assert get_state(app).context_provider is provide
    assert get_state(app).user_loader is load


def test_an_unregistered_app_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="call SimpleAuthorize\\(app\\)"):
        get_state(Flask("lonely"))
