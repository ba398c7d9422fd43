"""The blog's pages through Flask's test client."""

from __future__ import annotations

import pytest
from flask import Flask

from .conftest import LoginAs
from .conftest import load_post
from .conftest import post_id

ALL_TITLES = {
    "Welcome to the blog",
    "How policies work",
    "Draft: background jobs",
    "Draft: signals and mail",
    "Draft: admin notes",
}
PUBLISHED = {"Welcome to the blog", "How policies work"}
AUTHOR_DRAFTS = {"Draft: background jobs", "Draft: signals and mail"}


def _listed_titles(html: str) -> set[str]:
    return {title for title in ALL_TITLES if f">{title}</a>" in html}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        pytest.param("admin", ALL_TITLES, id="admin-sees-everything"),
        pytest.param("author", PUBLISHED | AUTHOR_DRAFTS, id="author-sees-own-drafts"),
        pytest.param("viewer", PUBLISHED, id="viewer-sees-published-only"),
    ],
)
def test_post_list_is_scoped_to_the_user(login_as: LoginAs, username: str, expected: set[str]):
    response = login_as(username).get("/")
    assert response.status_code == 200
    assert _listed_titles(response.text) == expected


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_viewer_sees_no_edit_publish_or_delete_button(app: Flask, login_as: LoginAs):
    response = login_as("viewer").get(f"/posts/{post_id(app, 'How policies work')}")
    assert response.status_code == 200
    assert 'id="edit"' not in response.text
    assert 'id="publish"' not in response.text
    assert 'id="delete"' not in response.text


def test_author_sees_edit_publish_and_delete_on_own_draft(app: Flask, login_as: LoginAs):
    response = login_as("author").get(f"/posts/{post_id(app, 'Draft: background jobs')}")
    assert 'id="edit"' in response.text
    assert 'id="publish"' in response.text
    assert 'id="delete"' in response.text


def test_viewer_is_refused_on_the_edit_url(app: Flask, login_as: LoginAs):
    response = login_as("viewer").get(f"/posts/{post_id(app, 'How policies work')}/edit")
    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_unknown_post_answers_the_styled_not_found_page(login_as: LoginAs):
    response = login_as("viewer").get("/posts/999")
    assert response.status_code == 404
    assert "Back to the posts" in response.text


def test_viewer_cannot_open_someone_elses_draft(app: Flask, login_as: LoginAs):
    response = login_as("viewer").get(f"/posts/{post_id(app, 'Draft: background jobs')}")
    assert response.status_code == 403


def test_denied_edit_from_a_page_redirects_back_with_a_message(app: Flask, login_as: LoginAs):
    client = login_as("viewer")
    page = f"http://localhost/posts/{post_id(app, 'How policies work')}"
    response = client.post(f"{page}/edit", data={"post[title]": "x"}, headers={"Referer": page})
    assert response.status_code == 302
    assert response.location == page.removeprefix("http://localhost")
    assert load_post(app, "How policies work").title == "How policies work"


def test_author_edit_form_has_no_published_checkbox(app: Flask, login_as: LoginAs):
    response = login_as("author").get(f"/posts/{post_id(app, 'Draft: background jobs')}/edit")
    assert response.status_code == 200
    assert 'name="post[title]"' in response.text
    assert 'name="post[published]"' not in response.text


def test_author_edits_own_post_and_a_forged_published_field_is_dropped(
    app: Flask, login_as: LoginAs
):
    draft = post_id(app, "Draft: background jobs")
    response = login_as("author").post(
        f"/posts/{draft}/edit",
        data={"post[title]": "Jobs, revised", "post[body]": "New body", "post[published]": "1"},
    )
    assert response.status_code == 302
    post = load_post(app, "Jobs, revised")
    assert post.body == "New body"
    assert post.published is False


def test_admin_edit_form_has_a_published_checkbox(app: Flask, login_as: LoginAs):
    response = login_as("admin").get(f"/posts/{post_id(app, 'Draft: background jobs')}/edit")
    assert 'name="post[published]"' in response.text


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        pytest.param(["1", "0"], True, id="checked"),
        pytest.param(["0"], False, id="unchecked"),
    ],
)
def test_admin_may_set_published(app: Flask, login_as: LoginAs, fields, published):
    title = "Welcome to the blog" if not published else "Draft: admin notes"
    response = login_as("admin").post(
        f"/posts/{post_id(app, title)}/edit",
        data={"post[title]": title, "post[body]": "b", "post[published]": fields},
    )
    assert response.status_code == 302
    assert load_post(app, title).published is published


def test_author_cannot_edit_the_admins_post(app: Flask, login_as: LoginAs):
    welcome = post_id(app, "Welcome to the blog")
    response = login_as("author").post(f"/posts/{welcome}/edit", data={"post[title]": "Mine"})
    assert response.status_code == 403
    assert load_post(app, "Welcome to the blog").title == "Welcome to the blog"


def test_author_deletes_own_post(app: Flask, login_as: LoginAs):
    client = login_as("author")
    response = client.post(f"/posts/{post_id(app, 'Draft: signals and mail')}/delete")
    assert response.status_code == 302
    assert "Draft: signals and mail" not in _listed_titles(client.get("/").text)


def test_viewer_cannot_delete_a_post(app: Flask, login_as: LoginAs):
    response = login_as("viewer").post(f"/posts/{post_id(app, 'How policies work')}/delete")
    assert response.status_code == 403
    assert load_post(app, "How policies work").title == "How policies work"


def test_state_changes_refuse_get(app: Flask, login_as: LoginAs):
    client = login_as("admin")
    draft = post_id(app, "Draft: admin notes")
    assert client.get(f"/posts/{draft}/publish").status_code == 405
    assert client.get(f"/posts/{draft}/delete").status_code == 405


def test_author_publishes_own_draft_through_the_job(app: Flask, login_as: LoginAs):
    client = login_as("author")
    response = client.post(f"/posts/{post_id(app, 'Draft: background jobs')}/publish")
    assert response.status_code == 302
    post = load_post(app, "Draft: background jobs")
    assert post.published is True
    assert post.published_at is not None


def test_viewer_cannot_publish(app: Flask, login_as: LoginAs):
    response = login_as("viewer").post(f"/posts/{post_id(app, 'Draft: background jobs')}/publish")
    assert response.status_code == 403
    assert load_post(app, "Draft: background jobs").published is False


def test_audit_link_is_shown_to_admins_only(login_as: LoginAs):
    assert 'href="/audit"' in login_as("admin").get("/").text


def test_audit_link_is_hidden_from_authors(login_as: LoginAs):
    assert 'href="/audit"' not in login_as("author").get("/").text
