"""``policy_params``: the request's JSON or form data, filtered to permitted attributes."""

from __future__ import annotations

import typing as t

from flask import request
from werkzeug.exceptions import BadRequest

from .checks import UNSET
from .helpers import permitted_attributes
from .policy import Policy


def policy_params(
    record: t.Any,
    key: str | None = None,
    *,
    action: str | None = None,
    user: t.Any = UNSET,
    policy_class: type[Policy] | None = None,
    namespace: t.Any = UNSET,
) -> dict[str, t.Any]:
    """Return the request data the actor may write to ``record``, and nothing else.

    Reads the JSON body when the request sends JSON, else the form. Keys the
    policy does not permit are dropped silently (like Rails' strong parameters).
    A form field gives its first value, as ``request.form[name]`` does (so a
    checkbox followed by a hidden field of the same name works); a field named
    with ``[]`` (``tags[]``, for a multi-select) gives the list of its values.

    :param record: The record (or class) being written.
    :param key: Read the attributes nested under this key: ``{"post": {...}}``
        in JSON, ``post[title]`` fields in forms.
    :param action: The action whose ``permitted_attributes_for_<action>`` applies
        (default: the view's name).
    :param user: Filter for this user instead of the actor.
    :param policy_class: Use this policy, skipping the lookup.
    :param namespace: Look for the policy in this namespace first.
    :raises BadRequest: The body is not a JSON object (or is nested too deeply
        to parse), or ``key`` holds no object.
    """
    permitted = set(
        permitted_attributes(
            record, action, user=user, policy_class=policy_class, namespace=namespace
        )
    )
    if request.is_json:
        try:
            data = request.get_json()
        except RecursionError:  # the json module recurses per nesting level
            raise BadRequest("the JSON body is nested too deeply") from None
        if key is not None:
            data = data.get(key) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            where = f" under {key!r}" if key is not None else ""
            raise BadRequest(f"expected a JSON object{where} with the record's attributes")
        return {name: value for name, value in data.items() if name in permitted}
    form = request.form
    params: dict[str, t.Any] = {}
    for field in form:
        parsed = _form_field(field, key)
        if parsed is None or parsed[0] not in permitted:
            continue
        name, many = parsed
        params[name] = form.getlist(field) if many else form[field]
    return params


def _form_field(field: str, key: str | None) -> tuple[str, bool] | None:
    """Return ``(attribute, is_list)`` for a form field name, or ``None`` if not under ``key``.

    ``title`` (or ``post[title]`` under the key ``post``) names one value;
    ``tags[]`` (``post[tags][]``) always names a list.
    """
    many = field.endswith("[]")
    if many:
        field = field[:-2]
    if key is None:
        return field, many
    prefix = f"{key}["
    if field.startswith(prefix) and field.endswith("]"):
        return field[len(prefix) : -1], many
    return None
