"""Periodic tasks run as a system user and re-authorize record by record."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from huey import crontab
from huey.api import PeriodicTask

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import authorized_records
from flask_simple_authorize.huey import huey_authorized_periodic_task

from .blog import MaintenancePolicy
from .blog import Post
from .blog import User
from .blog import create_app
from .blog import db
from .blog import seed


def test_periodic_task_runs_as_the_configured_system_user(huey: t.Any, tmp_path: t.Any):
    database_uri = f"sqlite:///{tmp_path / 'p.db'}"
    ids = seed(create_app(database_uri))
    create_app(database_uri, huey, SIMPLE_AUTHORIZE_SYSTEM_USER_ID=ids["system"])
    seen: list[str] = []

    @huey_authorized_periodic_task(huey, crontab(hour="2", minute="0"), MaintenancePolicy, "run")
    def nightly(user: User) -> None:
        seen.append(user.name)

    assert issubclass(nightly.task_class, PeriodicTask)
    nightly()

    assert seen == ["system"]


def test_periodic_cleanup_destroys_only_what_the_system_user_may(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    @huey_authorized_periodic_task(
        huey, crontab(minute="*/5"), MaintenancePolicy, "run", run_as=lambda: ids["admin"]
    )
    def cleanup_old_posts(user: User) -> None:
        for post in authorized_records(db.session.scalars(db.select(Post)).all(), "destroy"):
            db.session.delete(post)
        db.session.commit()

    cleanup_old_posts()

    with app.app_context():
        assert db.session.scalars(db.select(Post)).all() == []


def test_periodic_task_denied_for_a_user_without_the_rule(
    huey: t.Any, app: Flask, ids: dict[str, int], recorder: t.Any
):
    @huey_authorized_periodic_task(huey, crontab(), MaintenancePolicy, "run", run_as=ids["viewer"])
    def nightly(user: User) -> None:
        raise AssertionError("must not run")

    nightly()

    assert recorder.payload("job_authorization_denied")["user_id"] == ids["viewer"]


def test_periodic_task_without_a_system_user_fails_clearly(
    huey: t.Any, app: Flask, ids: dict[str, int]
):
    @huey_authorized_periodic_task(huey, crontab(), MaintenancePolicy, "run")
    def nightly(user: User) -> None:
        raise AssertionError("must not run")

    with pytest.raises(ConfigurationError, match="SYSTEM_USER_ID"):
        nightly.call_local()
