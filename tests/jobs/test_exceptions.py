"""What authorized tasks raise to stop: never retried by huey, caught as the extension's errors."""

from __future__ import annotations

import pytest
from huey.exceptions import CancelExecution

from flask_simple_authorize import JobError
from flask_simple_authorize.huey import JobDenied
from flask_simple_authorize.huey import JobSkipped


@pytest.mark.parametrize(
    "error",
    [
        JobDenied("no", query="publish", reason="locked"),
        JobSkipped("gone", reason="user_not_found"),
    ],
    ids=["denied", "skipped"],
)
def test_stopping_errors_are_never_retried_by_huey(error: Exception):
    assert isinstance(error, CancelExecution)
    assert error.retry is False
    assert isinstance(error, JobError)


def test_denial_carries_the_rule_and_the_reason():
    error = JobDenied("user 3 may not publish Post 1", query="publish", reason="locked")

    assert (str(error), error.query, error.reason) == (
        "user 3 may not publish Post 1",
        "publish",
        "locked",
    )
