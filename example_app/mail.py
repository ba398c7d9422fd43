"""Mail sent from the extension's signals: the views and the job know nothing of it.

- A publish that is denied, in the request or in the job, tells the acting user why.
- A publish job that completed tells the acting user the post is live.
"""

from __future__ import annotations

import typing as t

from flask import Flask
from flask_mailman import EmailMessage

from flask_simple_authorize.signals import authorization_denied
from flask_simple_authorize.signals import job_authorization_denied
from flask_simple_authorize.signals import job_succeeded

PUBLISH = "publish"


def connect_mail(app: Flask) -> None:
    """Send publish mail for ``app``'s signals."""
    authorization_denied.connect(mail_publish_denied, sender=app)
    job_authorization_denied.connect(mail_publish_denied, sender=app)
    job_succeeded.connect(mail_published, sender=app)


def mail_publish_denied(
    app: Flask, *, user: t.Any, record: t.Any, query: str, reason: str | None, **_: t.Any
) -> None:
    """Tell the user that publishing ``record`` was refused, and why."""
    if query != PUBLISH or not getattr(user, "email", None) or record is None:
        return
    _send(
        user,
        f"Not published: {record.title}",
        f"Hello {user.username},\n\nyou may not publish {record.title!r}"
        f" (reason: {reason or 'not allowed'}).\n",
    )


def mail_published(app: Flask, *, user: t.Any, record: t.Any, query: str, **_: t.Any) -> None:
    """Tell the user that the publish job put ``record`` online."""
    if query != PUBLISH or not getattr(user, "email", None) or record is None:
        return
    _send(
        user, f"Published: {record.title}", f"Hello {user.username},\n\n{record.title!r} is live.\n"
    )


def _send(user: t.Any, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
