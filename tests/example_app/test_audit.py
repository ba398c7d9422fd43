"""The admin-only audit page, fed by the signals."""

from __future__ import annotations

import pytest
from flask import Flask

from .conftest import LoginAs
from .conftest import post_id


@pytest.mark.parametrize("username", ["author", "viewer"])
def test_audit_page_is_refused_to_non_admins(login_as: LoginAs, username: str):
    assert login_as(username).get("/audit").status_code == 403


def test_audit_page_sends_anonymous_visitors_to_login(client):
    assert client.get("/audit").location.startswith("/login")


def test_audit_page_shows_request_denials_and_job_runs(app: Flask, client, login_as: LoginAs):
    login_as("viewer").post(f"/posts/{post_id(app, 'How policies work')}/edit", data={})
    client.post("/logout")
    login_as("author").post(f"/posts/{post_id(app, 'Draft: background jobs')}/publish")
    client.post("/logout")

    page = login_as("admin").get("/audit")
    assert page.status_code == 200
    rows = page.text.split('<tr class="')[1:]
    denied = [row for row in rows if row.startswith("denial denied")]
    succeeded = [row for row in rows if row.startswith("job succeeded")]
    assert len(denied) == 1
    assert "<td>update</td>" in denied[0]
    assert "not_your_post" in denied[0]
    assert len(succeeded) == 1
    assert "<td>publish</td>" in succeeded[0]
    assert "publish_post" in succeeded[0]
