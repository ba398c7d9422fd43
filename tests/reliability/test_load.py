"""A short run of ``benchmarks/load_example_app.py``: concurrent users, zero decision errors.

The script serves the example app with Werkzeug's threaded server on
loopback and checks every answer against an oracle computed from the seeded
rows. Here it runs a few hundred requests; no timing is asserted.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import types
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "load_example_app.py"


@pytest.fixture(scope="module")
def load() -> types.ModuleType:
    """The load script, imported as a module."""
    spec = importlib.util.spec_from_file_location("load_example_app", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_concurrent_users_get_exactly_the_decisions_the_oracle_predicts(
    load: types.ModuleType, tmp_path: Path
) -> None:
    report, oracle = load.run_load(tmp_path, clients=12, requests=480, seed=1)
    assert report.decision_errors == []
    assert report.transport_errors == []
    assert report.requests == 480
    assert len(oracle.people) >= 8
    assert {"html index", "html show", "api index", "api show", "api update"} <= set(
        report.by_probe
    )


def test_the_oracle_check_catches_wrong_decisions(load: types.ModuleType, tmp_path: Path) -> None:
    app, oracle = load.build_app(tmp_path, extra_authors=1, extra_viewers=1)
    # Tell the checker that everyone is an admin: every narrower answer is now "wrong".
    lying = dataclasses.replace(
        oracle,
        people={
            name: dataclasses.replace(person, role="admin")
            for name, person in oracle.people.items()
        },
    )
    with load.serve(app) as address:
        report = load.drive(address, lying, clients=4, requests=120, seed=2)
    assert report.transport_errors == []
    assert len(report.decision_errors) > 10
