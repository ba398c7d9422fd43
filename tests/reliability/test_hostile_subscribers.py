"""Signal subscribers that raise never change a decision.

A subscriber is someone else's code (a mailer, an audit log). When it raises,
the error is logged, the remaining subscribers still run, an allow stays an
allow and a denial still denies.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import Flask

from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import acting_as
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize.signals import authorization_checked
from flask_simple_authorize.signals import authorization_denied

from .conftest import ADMIN
from .conftest import DRAFT
from .conftest import STRANGER

SEEN: list[str] = []


class SubscriberExploded(Exception):
    """What the broken subscriber raises."""


def broken(sender: Flask, **payload: t.Any) -> None:
    """A subscriber that always raises (module level: blinker holds receivers weakly)."""
    raise SubscriberExploded("boom")


def trying_to_flip(sender: Flask, **payload: t.Any) -> None:
    """A subscriber that tries to turn the decision around before raising."""
    payload["policy"].update = lambda: not payload["allowed"]
    raise SubscriberExploded("flip")


def working(sender: Flask, **payload: t.Any) -> None:
    """A well-behaved subscriber."""
    SEEN.append(f"{payload['query']}:{payload['allowed']}")


@pytest.fixture
def subscribed(app: Flask) -> t.Iterator[None]:
    SEEN.clear()
    receivers = [broken, trying_to_flip, working]
    for signal in (authorization_checked, authorization_denied):
        for receiver in receivers:
            signal.connect(receiver, app)
    yield
    for signal in (authorization_checked, authorization_denied):
        for receiver in receivers:
            signal.disconnect(receiver)


@pytest.mark.usefixtures("subscribed")
def test_raising_subscribers_leave_allows_and_denials_as_they_were(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "flask_simple_authorize"), app.app_context():
        with acting_as(ADMIN):
            assert authorize(DRAFT, "update") is DRAFT
            assert allowed_to("update", DRAFT) is True
        with acting_as(STRANGER):
            with pytest.raises(NotAuthorizedError):
                authorize(DRAFT, "update")
            assert allowed_to("update", DRAFT) is False
    # checked x4 plus denied x1, each seen by the working subscriber despite the others
    assert SEEN == ["update:True", "update:True", "update:False", "update:False", "update:False"]
    assert "SubscriberExploded" in caplog.text
    assert len([r for r in caplog.records if r.exc_info]) == 2 * len(SEEN)
