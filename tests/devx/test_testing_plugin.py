"""The pytest plugin: fixtures offered to every project that installs the package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

INNER_CONFTEST = """
import pytest
from flask import Flask, jsonify
from flask_login import LoginManager, UserMixin
from huey import MemoryHuey

from flask_simple_authorize import Policy, SimpleAuthorize, authorize
from flask_simple_authorize.state import get_state


class Gadget:
    def __init__(self, id, owner_id):
        self.id = id
        self.user_id = owner_id


class Person(UserMixin):
    def __init__(self, id):
        self.id = id


class GadgetPolicy(Policy):
    def update(self):
        return self.is_owner


GADGETS = {1: Gadget(1, owner_id=7)}
PEOPLE = {7: Person(7), 8: Person(8)}
HUEY = MemoryHuey("plugin-test")


@HUEY.task()
def double(value):
    return value * 2


@pytest.fixture
def app():
    app = Flask("inner")
    app.config.update(SECRET_KEY="x", TESTING=True)
    manager = LoginManager(app)
    manager.user_loader(lambda user_id: PEOPLE.get(int(user_id)))
    SimpleAuthorize(app)
    get_state(app).huey = HUEY

    @app.post("/gadgets/<int:gadget_id>")
    def update(gadget_id):
        authorize(GADGETS[gadget_id])
        return jsonify(ok=True)

    return app


@pytest.fixture
def client(app):
    return app.test_client()
"""

INNER_TESTS = """
from conftest import GADGETS, PEOPLE, double


def test_recorder_and_login(authz_recorder, login_as):
    client = login_as(PEOPLE[7])
    assert client.post("/gadgets/1").status_code == 200
    authz_recorder.assert_authorized("update", GADGETS[1], allowed=True)


def test_login_as_another_user_is_denied(authz_recorder, login_as):
    assert login_as(PEOPLE[8]).post("/gadgets/1", json={}).status_code == 403
    authz_recorder.assert_denied("update", GADGETS[1])


def test_matrix(permission_matrix):
    permission_matrix(GADGETS[1], users={"owner": PEOPLE[7], "other": PEOPLE[8]},
                      expected={"update": {"owner"}})


def test_eager_tasks(eager_tasks):
    assert eager_tasks.immediate
    assert double(4)() == 8


def test_matrix_failure(permission_matrix):
    permission_matrix(GADGETS[1], users={"owner": PEOPLE[7], "other": PEOPLE[8]},
                      expected={"update": {"owner", "other"}})
"""


def run_pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    """Run pytest in a fresh process, as in a project that installed the package."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )


def test_fixtures_work_in_a_users_project(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    result = run_pytest(tmp_path)
    assert "1 failed, 4 passed" in result.stdout, result.stdout
    assert "permission matrix for Gadget#1: 1 of 2 decisions differ from the expected" in (
        result.stdout
    )
    assert "update / other: expected allow, but GadgetPolicy.update() denied" in result.stdout


def test_plugin_does_not_import_huey_or_touch_other_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_plain():
                assert "huey" not in sys.modules
            """
        )
    )
    result = run_pytest(tmp_path)
    assert "1 passed" in result.stdout, result.stdout


def test_plugin_module_imports_without_huey() -> None:
    code = (
        "import sys, flask_simple_authorize.testing.plugin;"
        "assert 'huey' not in sys.modules, 'huey imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
