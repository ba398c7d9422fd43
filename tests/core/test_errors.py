"""The exception tree: one base, HTTP semantics only for denials, picklable denials."""

from __future__ import annotations

import pickle

import pytest
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound

from flask_simple_authorize import errors
from flask_simple_authorize.errors import NotAuthorizedError
from flask_simple_authorize.errors import SimpleAuthorizeError


@pytest.mark.parametrize(
    "name",
    [
        "NotAuthorizedError",
        "PolicyNotDefinedError",
        "ScopeNotDefinedError",
        "UnknownActionError",
        "InvalidRuleResultError",
        "AuthorizationNotPerformedError",
        "ConfigurationError",
        "JobError",
        "JobArgumentError",
    ],
)
def test_every_error_derives_from_the_base(name: str) -> None:
    assert issubclass(getattr(errors, name), SimpleAuthorizeError)


def test_a_denial_is_a_forbidden_http_error() -> None:
    error = NotAuthorizedError("no", query="update", reason="locked")
    assert isinstance(error, Forbidden)
    assert (error.code, str(error), error.description) == (403, "no", "no")


def test_a_hidden_denial_is_a_404() -> None:
    assert NotAuthorizedError("no", hidden=True).code == 404


def test_a_hidden_denial_reads_as_a_missing_page_but_keeps_its_message() -> None:
    error = NotAuthorizedError("drafts of the merger plan", query="show", hidden=True)
    assert str(error) == str(NotFound())
    assert "merger" not in str(error)
    assert error.message == "drafts of the merger plan"


def test_a_denial_without_message_says_what_was_denied() -> None:
    error = NotAuthorizedError(query="update", record=object())
    assert str(error) == "not allowed to update this object (the policy denied)"


def test_a_denial_pickles_without_its_record() -> None:
    error = NotAuthorizedError("no", query="publish", record=object(), reason="x", hidden=True)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.query, copy.reason, copy.hidden, copy.record) == (
        "no",
        "publish",
        "x",
        True,
        None,
    )


def test_job_argument_errors_say_nothing_was_queued() -> None:
    error = errors.JobArgumentError("tasks.publish", "password", "looks like a secret")
    assert str(error) == (
        "task tasks.publish: argument 'password' looks like a secret; nothing was queued"
    )
