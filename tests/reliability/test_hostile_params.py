"""Hostile request bodies through ``policy_params``.

Whatever the client sends, the view gets only permitted keys, or the client
gets 400 (413 past the app's size limit); never a 500, never a key the policy
did not permit.
"""

from __future__ import annotations

import json
import typing as t

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from .conftest import OWNER
from .conftest import bounded
from .conftest import make_app

#: What ``HostileRecordPolicy.permitted_attributes_for_update`` permits.
PERMITTED = {"title"}
KEY_NAMES = ["title", "body", "published", "user_id", "id", "__proto__", "__class__", "Title"]


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    """A client logged in as the record's owner, on an app that shows errors as 500."""
    app: Flask = make_app(TESTING=False)
    client = app.test_client()
    assert client.post(f"/login/{OWNER.id}").status_code == 200
    return client


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)
objects = st.dictionaries(
    st.sampled_from(KEY_NAMES) | st.text(max_size=12), json_values, max_size=8
)
bodies = objects | json_values | st.fixed_dictionaries({"post": objects | json_values})
nest_keys = st.sampled_from([None, "post", "", "title", "__class__"])


def _expected(body: t.Any, key: str | None) -> tuple[int, t.Any]:
    data = body
    if key is not None:
        data = body.get(key) if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return 400, None
    return 200, {name: value for name, value in data.items() if name in PERMITTED}


def _edit_url(key: str | None) -> str:
    return "/records/10/edit" if key is None else f"/records/10/edit?key={key}"


@bounded(200)
@given(body=bodies, key=nest_keys)
def test_json_bodies_yield_only_permitted_keys_or_400(
    client: FlaskClient, body: t.Any, key: str | None
) -> None:
    raw = json.dumps(body)
    response = client.post(_edit_url(key), data=raw, content_type="application/json")
    status, permitted = _expected(body, key)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 200:
        assert response.get_json() == permitted


form_fields = st.lists(
    st.tuples(
        st.sampled_from(KEY_NAMES)
        | st.sampled_from(KEY_NAMES).map(lambda name: f"post[{name}]")
        | st.sampled_from(["post[title", "post[title]]", "post[[title]]", "post]title["])
        | st.text(max_size=12),
        st.text(max_size=20),
    ),
    max_size=10,
)


@bounded(200)
@given(fields=form_fields, key=st.sampled_from([None, "post"]))
def test_form_bodies_yield_only_permitted_keys(
    client: FlaskClient, fields: list[tuple[str, str]], key: str | None
) -> None:
    response = client.post(_edit_url(key), data=MultiDict(fields))
    assert response.status_code == 200
    expected: dict[str, str] = {}
    for name, value in fields:
        if key is None and name in PERMITTED:
            expected.setdefault(name, value)
        nested = key is not None and name.startswith(f"{key}[") and name.endswith("]")
        if nested and name[len(f"{key}[") : -1] in PERMITTED:
            expected.setdefault(name[len(f"{key}[") : -1], value)
    assert response.get_json() == expected


RAW_BODIES = {
    "deeply nested array": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deeply nested under a permitted key": b'{"title":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "truncated object": b'{"title": "x"',
    "invalid utf-8": b'{"title": "\xff\xfe"}',
    "empty body": b"",
    "null": b"null",
    "a string": b'"title"',
    "a number": b"1e999",
    "NaN": b'{"title": NaN}',
    "a byte-order mark": b'\xef\xbb\xbf{"title": "x"}',
    "duplicate keys": b'{"title": "a", "title": "b", "body": "c"}',
    "a huge key": b'{"' + b"k" * 2_000_000 + b'": 1, "title": "x"}',
    "a huge array": b'{"title": [' + b"0," * 500_000 + b"0]}",
    "many keys": b"{" + b",".join(b'"k%d": 1' % n for n in range(100_000)) + b"}",
}


@pytest.mark.parametrize("raw", list(RAW_BODIES.values()), ids=list(RAW_BODIES))
@pytest.mark.parametrize("key", [None, "post"], ids=["flat", "nested"])
def test_malformed_or_oversized_json_is_400_or_only_permitted_keys(
    client: FlaskClient, raw: bytes, key: str | None
) -> None:
    response = client.post(_edit_url(key), data=raw, content_type="application/json")
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        body = json.loads(raw.decode("utf-8-sig"))
        assert response.get_json() == _expected(body, key)[1]
        assert set(response.get_json()) <= PERMITTED


def test_a_body_over_the_apps_size_limit_is_refused_with_413() -> None:
    client = make_app(TESTING=False, MAX_CONTENT_LENGTH=1_000_000).test_client()
    client.post(f"/login/{OWNER.id}")
    response = client.post(
        "/records/10/edit", data=RAW_BODIES["a huge key"], content_type="application/json"
    )
    assert response.status_code == 413
