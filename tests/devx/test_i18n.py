"""Translated denial messages with a real compiled catalog."""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask import g
from flask import request
from flask.testing import FlaskClient
from flask_babel import Babel

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize.i18n import N_
from flask_simple_authorize.i18n import install_babel_messages
from flask_simple_authorize.i18n import message_keys
from flask_simple_authorize.state import get_state
from flask_simple_authorize.testing import login_client

from .blog import Article
from .blog import ArticlePolicy
from .blog import Member

FRENCH = {
    "authz.ArticlePolicy.update.not_owner": "Vous ne pouvez modifier que vos propres articles.",
    "authz.show": "Vous ne pouvez pas voir cet objet (%(record)s).",
    "Only the author may edit.": "Seul l'auteur peut modifier.",
    "You cannot see this article.": "Vous ne pouvez pas voir cet article.",
    "You are not authorized to perform this action.": "Action non autorisée.",
}


def compile_catalog(directory: Path, locale: str, entries: dict[str, str]) -> None:
    """Write ``<directory>/<locale>/LC_MESSAGES/messages.mo`` from ``entries``."""
    catalog = Catalog(locale=locale)
    for message_id, translation in entries.items():
        catalog.add(message_id, translation)
    target = directory / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture
def translated_app(app: Flask, tmp_path: Path) -> Flask:
    compile_catalog(tmp_path, "fr", FRENCH)
    Babel(
        app,
        locale_selector=lambda: request.args.get("lang", "en"),
        default_translation_directories=str(tmp_path),
    )
    return app


def denial_message(client: FlaskClient, method: str, url: str, lang: str) -> str:
    # The app context the fixtures keep pushed is shared by the client's requests,
    # and Flask-Babel caches the locale on its ``g``: forget it between requests.
    g.pop("_flask_babel", None)
    response = client.open(url, method=method, json={}, query_string={"lang": lang})
    assert response.status_code == 403
    return t.cast(str, response.json["message"])  # type: ignore[index]


def test_message_keys_go_from_specific_to_default() -> None:
    assert message_keys("PostPolicy", "update", "not_owner") == [
        "PostPolicy.update.not_owner",
        "PostPolicy.update",
        "update",
        "default",
    ]
    assert message_keys("PostPolicy", "show", None) == ["PostPolicy.show", "show", "default"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Vous ne pouvez modifier que vos propres articles."),
        ("en", "You are not authorized to perform this action."),
    ],
    ids=["french", "english-falls-back-to-default"],
)
def test_catalog_key_with_reason_is_translated(
    translated_app: Flask,
    client: FlaskClient,
    viewer: Member,
    draft: Article,
    lang: str,
    expected: str,
) -> None:
    install_babel_messages(get_state(translated_app).extension)
    login_client(client, viewer)
    assert denial_message(client, "POST", f"/articles/{draft.id}/edit", lang) == expected


def test_action_key_applies_to_every_policy_with_variables(
    translated_app: Flask, client: FlaskClient, viewer: Member, draft: Article
) -> None:
    install_babel_messages(get_state(translated_app).extension)
    login_client(client, viewer)
    message = denial_message(client, "GET", f"/articles/{draft.id}", "fr")
    assert message == "Vous ne pouvez pas voir cet objet (Article)."


def test_policy_messages_attribute_wins_and_is_translated(
    translated_app: Flask,
    client: FlaskClient,
    viewer: Member,
    draft: Article,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = {"update.not_owner": N_("Only the author may edit.")}
    monkeypatch.setattr(ArticlePolicy, "messages", messages, raising=False)
    install_babel_messages(get_state(translated_app).extension)
    login_client(client, viewer)
    url = f"/articles/{draft.id}/edit"
    assert denial_message(client, "POST", url, "fr") == "Seul l'auteur peut modifier."
    assert denial_message(client, "POST", url, "en") == "Only the author may edit."


def test_app_messages_come_before_less_specific_catalog_keys(
    translated_app: Flask, client: FlaskClient, viewer: Member, draft: Article
) -> None:
    messages = {"ArticlePolicy.show": "You cannot see this article."}
    install_babel_messages(get_state(translated_app).extension, messages=messages)
    login_client(client, viewer)
    url = f"/articles/{draft.id}"
    assert denial_message(client, "GET", url, "fr") == "Vous ne pouvez pas voir cet article."
    assert denial_message(client, "GET", url, "en") == "You cannot see this article."


def test_default_message_is_translated_when_no_key_matches(
    app: Flask, client: FlaskClient, viewer: Member, draft: Article, tmp_path: Path
) -> None:
    compile_catalog(tmp_path, "fr", {"You are not authorized to perform this action.": "Non."})
    Babel(app, locale_selector=lambda: "fr", default_translation_directories=str(tmp_path))
    install_babel_messages(get_state(app).extension)
    login_client(client, viewer)
    assert denial_message(client, "POST", f"/articles/{draft.id}/edit", "fr") == "Non."


def test_without_babel_on_the_app_messages_stay_in_the_source_language(
    app: Flask, client: FlaskClient, viewer: Member, draft: Article
) -> None:
    install_babel_messages(get_state(app).extension, messages={"update": "No editing."})
    login_client(client, viewer)
    assert denial_message(client, "POST", f"/articles/{draft.id}/edit", "fr") == "No editing."


def test_missing_flask_babel_is_a_clear_error(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flask_babel", None)
    with pytest.raises(ConfigurationError, match=r"Flask-Simple-Authorize\[babel\]"):
        install_babel_messages(get_state(app).extension)
