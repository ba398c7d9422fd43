"""Every name the testing kit and the mixins export exists."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "module_name",
    ["flask_simple_authorize.testing", "flask_simple_authorize.mixins"],
    ids=["testing", "mixins"],
)
def test_every_exported_name_exists_and_all_is_sorted(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []
    assert module.__all__ == sorted(module.__all__)
