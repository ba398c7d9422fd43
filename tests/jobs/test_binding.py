"""Binding a huey to the app: lookup, app factories, the unsigned-queue warning."""

from __future__ import annotations

import typing as t
import warnings

import pytest
from flask import Flask
from huey import MemoryHuey

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize.huey import UnsignedQueueWarning
from flask_simple_authorize.huey import app_for
from flask_simple_authorize.huey import bind_app
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey import signed_serializer

from .blog import ExportPolicy
from .blog import User


def plain_app(**config: t.Any) -> Flask:
    app = Flask("bound")
    app.config.update(config)
    return app


def test_init_app_binds_the_huey_for_app_factories():
    huey = MemoryHuey("factory", immediate=True)
    authz = SimpleAuthorize(huey=huey)

    def create_app() -> Flask:
        app = plain_app(TESTING=True)
        authz.init_app(app)
        return app

    app = create_app()

    assert app_for(huey) is app


def test_task_of_an_unbound_huey_fails_with_a_clear_message():
    huey = MemoryHuey("unbound", immediate=False)

    @huey_authorized_task(huey, ExportPolicy, "export_data")
    def export(user: User) -> None:
        pass

    export(1)
    task = huey.dequeue()

    with pytest.raises(ConfigurationError, match="not bound to a Flask app"):
        task.execute()


def test_unsigned_queue_outside_testing_warns_at_start_up():
    huey = MemoryHuey("unsigned", immediate=False)

    with pytest.warns(UnsignedQueueWarning, match="signed_serializer"):
        SimpleAuthorize(plain_app(), huey=huey)


@pytest.mark.parametrize(
    ("huey", "config"),
    [
        pytest.param(MemoryHuey("s", serializer=signed_serializer("k")), {}, id="signed"),
        pytest.param(MemoryHuey("i", immediate=True), {}, id="immediate"),
        pytest.param(MemoryHuey("t"), {"TESTING": True}, id="testing"),
        pytest.param(MemoryHuey("d"), {"DEBUG": True}, id="debug"),
    ],
)
def test_no_warning_when_signed_immediate_or_in_development(huey: t.Any, config: dict[str, t.Any]):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SimpleAuthorize(plain_app(**config), huey=huey)


def test_binding_again_replaces_the_app():
    huey = MemoryHuey("rebound", immediate=True)
    first, second = plain_app(TESTING=True), plain_app(TESTING=True)

    bind_app(huey, first)
    bind_app(huey, second)

    assert app_for(huey) is second
