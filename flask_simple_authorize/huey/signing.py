"""Signed queue messages: huey's ``SignedSerializer`` keyed with the app's secret."""

from __future__ import annotations

import typing as t

from huey.serializer import SignedSerializer

#: The salt that separates queue signatures from the app's other uses of its secret.
DEFAULT_SALT = "flask-simple-authorize.huey"


def signed_serializer(secret: str | bytes, *, salt: str = DEFAULT_SALT, **options: t.Any) -> t.Any:
    """Return a huey serializer that signs every message with an HMAC of ``secret``.

    A message whose signature does not match is refused by the worker before
    it is unpickled, so a forged or tampered message never runs::

        huey = SqliteHuey("blog", filename="queue.db", serializer=signed_serializer(SECRET_KEY))

    Use the same secret as the app's ``SECRET_KEY`` (or a dedicated one) in
    the web process and in the worker. Messages are signed, not encrypted:
    arguments stay readable in the broker, which is one more reason to queue
    ids only.

    :param secret: The signing key, such as the app's ``SECRET_KEY``.
    :param salt: Separates this use of the secret from others.
    :param options: Passed to huey's serializer (``compression=True``...).
    """
    if not secret:
        from ..errors import ConfigurationError

        raise ConfigurationError(
            "signed_serializer() needs a non-empty secret, such as the app's SECRET_KEY"
        )
    return SignedSerializer(secret=secret, salt=salt, **options)


def is_signed(huey: t.Any) -> bool:
    """Return whether ``huey`` signs its messages."""
    return isinstance(getattr(huey, "serializer", None), SignedSerializer)
