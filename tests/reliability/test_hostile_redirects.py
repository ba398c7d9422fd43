"""Hostile referrers after a denial: the redirect never leaves the site.

A logged-in HTML user who is denied is sent back to a same-host referrer, the
configured path, or shown the 403 page. Whatever the ``Referer`` header holds,
the ``Location`` of the answer is a local path, or there is no redirect.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import assume
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize.config import PREFIX

from .conftest import STRANGER
from .conftest import bounded
from .conftest import make_app

SCHEMES = ["", "http:", "https:", "HTTP:", "javascript:", "data:", "ftp:", "file:", " http:"]
SEPARATORS = ["//", "/", "///", "\\\\", "/\\", "\\/", "", "/%2F", " //", "\t//"]
USERINFO = ["", "localhost@", "user:pass@", "localhost:80@", "localhost%40", "evil.com@"]
HOSTS = [
    "localhost",
    "LOCALHOST",
    "localhost:80",
    "localhost.",
    "evil.com",
    "localhost.evil.com",
    "evil.com#localhost",
    "evil.com?localhost",
    "evil.com\\@localhost",
    "ｅｖｉｌ.com",  # noqa: RUF001 (fullwidth letters normalise to evil.com)
    "evil。com",
    "xn--e1afmkfd.xn--p1ai",
    "127.0.0.1",
    "[::1]",
    "0x7f.1",
    "",
]
PATHS = [
    "",
    "/",
    "/records",
    "//evil.com",
    "/\\evil.com",
    "/%2F%2Fevil.com",
    "/%5Cevil.com",
    "/\r\nLocation: http://evil.com",
    "/\t/evil.com",
    "/é/ü",
    "/\u2028//evil.com",
    "/\x00",
    "/../..//evil.com",
    "/records?next=//evil.com",
    "/records#//evil.com",
]
urls = st.one_of(
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(SCHEMES),
            st.sampled_from(SEPARATORS),
            st.sampled_from(USERINFO),
            st.sampled_from(HOSTS),
            st.sampled_from(PATHS),
        ),
    ),
    st.sampled_from(PATHS),
    st.text(max_size=40),
    st.text(alphabet="/\\:@.?#%evilcomhtps ", max_size=30),
)


def _is_local_path(location: str) -> bool:
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not parts.scheme
        and not parts.netloc
        and all(32 < ord(ch) < 127 for ch in location)
    )


def _denied_publish(client: FlaskClient, referrer: str) -> t.Any:
    try:
        return client.get(
            "/records/10/publish", headers={"Referer": referrer, "Accept": "text/html"}
        )
    except ValueError:
        # Werkzeug refuses to even build a request with a newline in a header.
        assume(False)


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    """A client logged in as a user who may not publish."""
    app: Flask = make_app(TESTING=False)
    client = app.test_client()
    assert client.post(f"/login/{STRANGER.id}").status_code == 200
    return client


@bounded(300)
@given(referrer=urls)
def test_a_denial_never_redirects_off_the_site(client: FlaskClient, referrer: str) -> None:
    response = _denied_publish(client, referrer)
    assert response.status_code in (302, 403), response.status
    if response.status_code == 302:
        location = response.headers["Location"]
        assert _is_local_path(location), f"{referrer!r} -> {location!r}"


@pytest.mark.parametrize(
    ("referrer", "location"),
    [
        ("http://localhost/records?page=2", "/records?page=2"),
        ("/records", "/records"),
        ("https://localhost/a/b", "/a/b"),
    ],
    ids=["same host", "a bare path", "same host over https"],
)
def test_a_same_host_referrer_is_followed_as_a_path(
    client: FlaskClient, referrer: str, location: str
) -> None:
    response = _denied_publish(client, referrer)
    assert (response.status_code, response.headers.get("Location")) == (302, location)


@pytest.mark.parametrize(
    "referrer",
    [
        "http://localhost@evil.com/records",
        "http://evil.com/records",
        "//evil.com/records",
        "/\\evil.com/records",
        "http:\\\\evil.com",
        "javascript:alert(1)",
        "http://localhost:80@evil.com/",
    ],
)
def test_a_foreign_referrer_falls_back_to_the_403_page(client: FlaskClient, referrer: str) -> None:
    response = _denied_publish(client, referrer)
    assert response.status_code == 403
    assert "Location" not in response.headers


@bounded(100)
@given(referrer=urls)
def test_the_configured_path_is_the_only_other_place_a_denial_redirects_to(
    referrer: str,
) -> None:
    client = _redirecting_client()
    response = _denied_publish(client, referrer)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert _is_local_path(location)
    if _names_another_host(referrer):
        assert location == "/denied"


def _names_another_host(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.netloc) and parts.netloc != "localhost"


_clients: dict[str, FlaskClient] = {}


def _redirecting_client() -> FlaskClient:
    if "redirecting" not in _clients:
        app = make_app(TESTING=False, **{f"{PREFIX}REDIRECT_PATH": "/denied"})
        client = app.test_client()
        client.post(f"/login/{STRANGER.id}")
        _clients["redirecting"] = client
    return _clients["redirecting"]
