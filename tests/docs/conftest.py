"""Fixtures for the docs tests: the quick start app, loaded from the docs' own file."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_simple_authorize import registry
from flask_simple_authorize.authorizer import clear_caches

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def quickstart() -> Iterator[types.ModuleType]:
    """Import ``docs/examples/quickstart.py`` exactly as the docs show it.

    Policies register globally by class name, so the registry is restored
    afterwards: the quick start's ``PostPolicy`` must not leak into other tests.
    """
    saved = registry.snapshot()
    spec = importlib.util.spec_from_file_location("quickstart", DOCS / "examples" / "quickstart.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["quickstart"] = module
    try:
        spec.loader.exec_module(module)
        clear_caches()
        yield module
    finally:
        sys.modules.pop("quickstart", None)
        registry.restore(saved)
        clear_caches()


@pytest.fixture
def app(quickstart: types.ModuleType) -> Flask:
    app: Flask = quickstart.create_app({"TESTING": True})
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
