"""Translated denial messages through Flask-Babel (the ``babel`` extra).

::

    from flask_babel import Babel
    from flask_simple_authorize.i18n import install_babel_messages

    Babel(app)
    install_babel_messages(authz)

The message of a denial is looked up by key, most specific first:

1. ``<Policy>.<action>.<reason>`` (``PostPolicy.update.not_owner``)
2. ``<Policy>.<action>`` (``PostPolicy.update``)
3. ``<action>`` (``update``)
4. ``default``

For each key, in order: the policy's ``messages`` class attribute (keys
relative to the policy: ``"update.not_owner"``, ``"update"``), the
``messages=`` given to :func:`install_babel_messages` (full keys), then the
catalog itself, where the key is the message id with a prefix
(``authz.PostPolicy.update.not_owner``). Source messages from the mappings are
translated with ``flask_babel.gettext``. When no key matches, the configured
``SIMPLE_AUTHORIZE_DEFAULT_MESSAGE`` is translated.

Messages may use ``%(action)s``, ``%(reason)s``, ``%(policy)s`` and
``%(record)s`` (the record's type name). Mark source messages with :func:`N_`
so ``pybabel extract -k N_`` finds them.

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib
import typing as t
from collections.abc import Mapping

from flask import current_app

from .errors import ConfigurationError
from .identity import record_type_of
from .policy import Policy
from .state import get_state

if t.TYPE_CHECKING:
    from .extension import SimpleAuthorize

#: The prefix of message ids looked up in the catalog by key.
KEY_PREFIX = "authz."


def N_(message: str) -> str:
    """Mark ``message`` for extraction (``pybabel extract -k N_``); return it unchanged."""
    return message


def message_keys(policy_name: str, action: str, reason: str | None) -> list[str]:
    """Return the keys tried for a denial, most specific first.

    >>> message_keys("PostPolicy", "update", "not_owner")
    ['PostPolicy.update.not_owner', 'PostPolicy.update', 'update', 'default']
    """
    keys = [f"{policy_name}.{action}", action, "default"]
    if reason:
        keys.insert(0, f"{policy_name}.{action}.{reason}")
    return keys


class BabelDenialMessages:
    """The ``denial_message`` function :func:`install_babel_messages` registers.

    :param messages: Full keys mapped to source messages, for the whole app.
    :param key_prefix: The prefix of message ids looked up in the catalog.
    """

    def __init__(
        self, messages: Mapping[str, str] | None = None, *, key_prefix: str = KEY_PREFIX
    ) -> None:
        self.messages = dict(messages or {})
        self.key_prefix = key_prefix

    def __call__(self, policy: Policy, action: str, reason: str | None) -> str:
        """Return the translated message for a denial."""
        policy_name = type(policy).__name__
        variables = {
            "action": action,
            "reason": reason or "",
            "policy": policy_name,
            "record": record_type_of(policy.record) or "",
        }
        own = _policy_messages(type(policy))
        for key in message_keys(policy_name, action, reason):
            relative = key[len(policy_name) + 1 :] if key.startswith(f"{policy_name}.") else None
            source = own.get(relative) if relative is not None else None
            if source is None:
                source = self.messages.get(key)
            if source is not None:
                return _format(_gettext(source), variables)
            message_id = f"{self.key_prefix}{key}"
            translated = _gettext(message_id)
            if translated != message_id:
                return _format(translated, variables)
        return _format(_gettext(get_state().settings.default_message), variables)


def install_babel_messages(
    authz: SimpleAuthorize,
    *,
    messages: Mapping[str, str] | None = None,
    key_prefix: str = KEY_PREFIX,
) -> BabelDenialMessages:
    """Translate denial messages with Flask-Babel: register them as ``authz.denial_message``.

    :param authz: The extension.
    :param messages: Full keys (``"PostPolicy.update"``, ``"update"``,
        ``"default"``) mapped to source messages, for the whole app.
    :param key_prefix: The prefix of message ids looked up in the catalog.
    :raises ConfigurationError: Flask-Babel is not installed.
    """
    try:
        importlib.import_module("flask_babel")
    except ImportError as error:
        raise ConfigurationError(
            "translated denial messages need Flask-Babel: pip install"
            " 'Flask-Simple-Authorize[babel]'"
        ) from error
    function = BabelDenialMessages(messages, key_prefix=key_prefix)
    authz.denial_message(function)
    return function


def _policy_messages(policy_class: type[Policy]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for klass in reversed(policy_class.__mro__):
        own = klass.__dict__.get("messages")
        if isinstance(own, Mapping):
            merged.update(own)
    return merged


def _gettext(message: str) -> str:
    if "babel" not in current_app.extensions:
        return str(message)
    flask_babel = importlib.import_module("flask_babel")  # untyped: keep it out of mypy
    return t.cast(str, flask_babel.gettext(str(message)))


def _format(message: str, variables: Mapping[str, str]) -> str:
    if "%(" not in message:
        return message
    try:
        return message % variables
    except (KeyError, ValueError, TypeError):
        return message
