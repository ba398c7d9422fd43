"""The root package re-exports the public API and never imports huey."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import flask_simple_authorize
from flask_simple_authorize import errors

ROOT = Path(flask_simple_authorize.__file__).parent


def test_every_name_in_all_exists() -> None:
    for name in flask_simple_authorize.__all__:
        assert getattr(flask_simple_authorize, name) is not None, name


def test_all_is_sorted_without_duplicates() -> None:
    names = flask_simple_authorize.__all__
    assert names == sorted(set(names))


def test_the_version_is_a_literal() -> None:
    source = (ROOT / "__init__.py").read_text()
    assert re.search(r'^__version__ = "\d+\.\d+\.\d+"$', source, re.MULTILINE)
    assert flask_simple_authorize.__version__.count(".") == 2


def test_exceptions_are_importable_from_errors_too() -> None:
    for name in flask_simple_authorize.__all__:
        if name.endswith("Error"):
            assert getattr(errors, name) is getattr(flask_simple_authorize, name)


def test_design_names_are_exported() -> None:
    expected = {
        "SimpleAuthorize",
        "Policy",
        "authorize",
        "policy",
        "policy_scope",
        "NotAuthorizedError",
        "allowed_to",
        "authorize_all",
        "authorized_records",
        "partition_records",
        "allowed_actions",
        "permitted_attributes",
        "policy_params",
        "visible_attributes",
        "editable_attributes",
        "filter_attributes",
        "skip_authorization",
        "PolicyNotDefinedError",
        "ScopeNotDefinedError",
        "UnknownActionError",
        "InvalidRuleResultError",
        "AuthorizationNotPerformedError",
        "JobArgumentError",
    }
    assert expected <= set(flask_simple_authorize.__all__)


def test_importing_the_package_does_not_import_huey() -> None:
    code = "import flask_simple_authorize, sys; assert 'huey' not in sys.modules, 'huey imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_package_ships_py_typed() -> None:
    assert (ROOT / "py.typed").is_file()
