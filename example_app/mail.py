"""Mail sent from the extension's signals: the views and the job know nothing of it.

- A publish that is denied, in the request or in the job, tells the acting user why.
- A publish job that completed tells the acting user the post is live.

In development mail goes to the console (``MAIL_BACKEND = "console"``); set
``MAIL_BACKEND = "smtp"`` and ``MAIL_SERVER`` / ``MAIL_PORT`` to send it.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from flask_mailman import EmailMessage

from flask_simple_authorize.signals import authorization_denied
from flask_simple_authorize.signals import job_authorization_denied
from flask_simple_authorize.signals import job_succeeded

from .models import Post
from .models import User


def connect_mail(app: Flask) -> None:
    """Send publish mail for ``app``'s signals."""
    authorization_denied.connect(mail_request_denial, sender=app)
    job_authorization_denied.connect(mail_job_denial, sender=app)
    job_succeeded.connect(mail_published, sender=app)


def mail_request_denial(app: Flask, *, job: str | None = None, **payload: t.Any) -> None:
    """A view refused to publish: tell the user why.

    Denials inside a job body (``job`` set) are left to :func:`mail_job_denial`.
    """
    if job is None:
        mail_job_denial(app, **payload)


def mail_job_denial(
    app: Flask, *, user: t.Any, record: t.Any, query: str, reason: str | None, **_: t.Any
) -> None:
    """The publish job re-checked the policy and refused: tell the user why."""
    if _publishing(user, record, query):
        _send(
            user,
            f"Not published: {record.title}",
            f"Hello {user.username},\n\nyou may not publish {record.title!r}"
            f" (reason: {reason or 'not allowed'}).\n",
        )


def mail_published(app: Flask, *, user: t.Any, record: t.Any, query: str, **_: t.Any) -> None:
    """The publish job completed: tell the user the post is live."""
    if _publishing(user, record, query):
        body = f"Hello {user.username},\n\n{record.title!r} is live.\n"
        _send(user, f"Published: {record.title}", body)


def _publishing(user: t.Any, record: t.Any, query: str) -> bool:
    return query == "publish" and isinstance(user, User) and isinstance(record, Post)


def _send(user: User, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
