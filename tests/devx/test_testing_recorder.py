"""The signal recorder: what views decided, authorized, denied and scoped."""

from __future__ import annotations

import pytest
from flask import Flask
from flask import current_app
from flask.testing import FlaskClient

from flask_simple_authorize.testing import SignalRecorder
from flask_simple_authorize.testing import login_client
from flask_simple_authorize.testing import record_decisions

from .blog import Article
from .blog import Member


def test_view_authorizing_update_is_recorded(
    client: FlaskClient, author: Member, draft: Article
) -> None:
    login_client(client, author)
    with record_decisions() as recorder:
        response = client.post(f"/articles/{draft.id}/edit", json={"title": "New"})
    assert response.status_code == 200
    found = recorder.assert_authorized("update", draft, allowed=True, user=author)
    assert found.policy_name == "ArticlePolicy"
    recorder.assert_authorized("edit?", draft)


def test_denial_is_recorded_with_its_reason(
    client: FlaskClient, viewer: Member, draft: Article
) -> None:
    login_client(client, viewer)
    with record_decisions() as recorder:
        assert client.post(f"/articles/{draft.id}/edit", json={}).status_code == 403
    recorder.assert_denied("update", draft, reason="not_owner")
    assert [str(item) for item in recorder.denials] == [
        f"authorize 'update' on Article#{draft.id} for user {viewer.id}: ArticlePolicy denied"
        " (not_owner)"
    ]
    with pytest.raises(AssertionError, match="expected the denial reason 'other'"):
        recorder.assert_denied("update", draft, reason="other")


def test_allowed_to_is_checked_but_not_authorized(
    client: FlaskClient, author: Member, live: Article
) -> None:
    login_client(client, author)
    with record_decisions() as recorder:
        assert client.get(f"/articles/{live.id}").json == {"title": "Live", "can_publish": False}
    recorder.assert_checked("publish", live, allowed=False)
    recorder.assert_not_authorized("publish", live)
    with pytest.raises(AssertionError, match="expected no authorize\\('show'\\)"):
        recorder.assert_not_authorized("show", live)


def test_missing_decision_failure_lists_what_was_recorded(
    client: FlaskClient, author: Member, live: Article, draft: Article
) -> None:
    login_client(client, author)
    with record_decisions() as recorder:
        client.get(f"/articles/{live.id}")
    with pytest.raises(AssertionError) as caught:
        recorder.assert_authorized("update", draft)
    message = str(caught.value)
    assert message.startswith(f"expected 'update' authorized on Article#{draft.id}; recorded:")
    assert f"authorize 'show' on Article#{live.id}" in message
    assert f"check 'publish' on Article#{live.id}" in message


def test_scopes_are_recorded(client: FlaskClient, viewer: Member) -> None:
    login_client(client, viewer)
    with record_decisions() as recorder:
        assert client.get("/articles").json == ["Live"]
    recorder.assert_scoped(Article)
    with pytest.raises(
        AssertionError, match="expected policy_scope on Member, but scoped: Article"
    ):
        recorder.assert_scoped("Member")


def test_recording_stops_after_the_block(client: FlaskClient, admin: Member, live: Article) -> None:
    login_client(client, admin)
    with record_decisions() as recorder:
        pass
    client.get(f"/articles/{live.id}")
    assert recorder.decisions == []


def test_recorder_for_one_app_ignores_another(
    app: Flask, client: FlaskClient, admin: Member, live: Article
) -> None:
    other = Flask("other")
    login_client(client, admin)
    with record_decisions(other) as recorder:
        client.get(f"/articles/{live.id}")
    assert recorder.decisions == []
    recorder = SignalRecorder(current_app)
    recorder.connect()
    try:
        client.get(f"/articles/{live.id}")
    finally:
        recorder.disconnect()
    assert len(recorder.find("show", live)) == 1
    recorder.clear()
    assert recorder.decisions == []


@pytest.mark.parametrize("config", [{"SIMPLE_AUTHORIZE_SIGNALS": False}], ids=["signals-off"])
def test_signals_off_records_nothing(client: FlaskClient, admin: Member, live: Article) -> None:
    login_client(client, admin)
    with record_decisions() as recorder:
        assert client.get(f"/articles/{live.id}").status_code == 200
    assert recorder.decisions == []


def test_a_finished_recording_leaves_no_listener_behind(
    client: FlaskClient, admin: Member, live: Article
) -> None:
    from flask_simple_authorize import signals

    before = set(signals.authorization_checked.receivers)
    with record_decisions(current_app._get_current_object()):  # type: ignore[attr-defined]
        client.get(f"/articles/{live.id}")
    # a leftover listener would make every later check build payloads for nobody
    assert set(signals.authorization_checked.receivers) == before
