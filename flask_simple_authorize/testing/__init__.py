"""Test helpers for apps that use Flask-Simple-Authorize.

Assertions work on policies directly, without a request; the recorder and
the login helpers work through the app. The pytest plugin
(:mod:`flask_simple_authorize.testing.plugin`) offers them as fixtures.
"""

from .assertions import assert_editable_attributes
from .assertions import assert_forbid
from .assertions import assert_permit
from .assertions import assert_permitted_attributes
from .assertions import assert_visible_attributes
from .assertions import build_policy
from .assertions import decision_for
from .login import login_client
from .login import logout_client
from .matrix import Cell
from .matrix import permission_matrix
from .policies import use_policies
from .recorder import RecordedDecision
from .recorder import RecordedScope
from .recorder import SignalRecorder
from .recorder import record_decisions
from .tasks import run_tasks_eagerly

__all__ = [
    "Cell",
    "RecordedDecision",
    "RecordedScope",
    "SignalRecorder",
    "assert_editable_attributes",
    "assert_forbid",
    "assert_permit",
    "assert_permitted_attributes",
    "assert_visible_attributes",
    "build_policy",
    "decision_for",
    "login_client",
    "logout_client",
    "permission_matrix",
    "record_decisions",
    "run_tasks_eagerly",
    "use_policies",
]
