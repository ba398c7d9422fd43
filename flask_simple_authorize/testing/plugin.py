"""The pytest plugin (``pytest11`` entry point): fixtures for apps that use the extension.

Loaded in every pytest run once the package is installed, so it imports
nothing heavy and touches no fixture of yours until a test asks for one of
these:

- ``authz_recorder``: a :class:`.SignalRecorder` recording for the whole test.
- ``permission_matrix``: the :func:`.permission_matrix` assertion.
- ``login_as``: ``login_as(user, fresh=True)`` logs your ``client`` fixture
  in and returns it (needs ``client`` fixture in your conftest).
- ``eager_tasks``: runs the huey tasks of your ``app`` fixture eagerly for
  the whole test and returns the huey instance.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest

if t.TYPE_CHECKING:
    from .recorder import SignalRecorder


@pytest.fixture
def authz_recorder() -> Iterator[SignalRecorder]:
    """Record every decision and scope made during the test."""
    from .recorder import record_decisions

    with record_decisions() as recorder:
        yield recorder


@pytest.fixture(name="permission_matrix")
def permission_matrix_fixture() -> t.Callable[..., t.Any]:
    """The :func:`flask_simple_authorize.testing.permission_matrix` assertion."""
    from .matrix import permission_matrix

    return permission_matrix


@pytest.fixture
def login_as(request: pytest.FixtureRequest) -> t.Callable[..., t.Any]:
    """Return ``login_as(user, fresh=True) -> client`` for your ``client`` fixture."""
    from .login import login_client

    def login_as(user: t.Any, *, fresh: bool = True) -> t.Any:
        return login_client(request.getfixturevalue("client"), user, fresh=fresh)

    return login_as


@pytest.fixture
def eager_tasks(request: pytest.FixtureRequest) -> Iterator[t.Any]:
    """Run the huey tasks bound to your ``app`` fixture eagerly during the test."""
    from .tasks import run_tasks_eagerly

    app = request.getfixturevalue("app")
    with run_tasks_eagerly(app=app) as huey:
        yield huey
