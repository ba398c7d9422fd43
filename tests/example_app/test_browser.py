"""End to end: headless Chromium against the blog on a real server, jobs on a real consumer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from example_app import create_app
from example_app.extensions import db
from example_app.extensions import huey
from example_app.seed import DEMO_USERS
from example_app.seed import seed

from .conftest import Inbox
from .conftest import app_config
from .conftest import post_id

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
WAIT_SECONDS = 30.0

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (install Debian's chromium)"
)

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import Page


class Site(t.NamedTuple):
    app: Flask
    url: str
    inbox: Inbox
    worker_log: Path


@pytest.fixture
def site(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Site]:
    """The seeded blog on a threaded server, and a huey consumer in a subprocess."""
    config = app_config(tmp_path, smtp[1], HUEY_IMMEDIATE=False, TESTING=False)
    app = create_app(config)
    with app.app_context():
        seed()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    worker_log = tmp_path / "worker.log"
    env = {**os.environ, **{f"EXAMPLE_{key}": str(value) for key, value in config.items()}}
    env["EXAMPLE_HUEY_IMMEDIATE"] = env["EXAMPLE_TESTING"] = "false"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "huey.bin.huey_consumer", "example_app.worker.huey"),
                *("--workers", "1", "--delay", "0.1", "--max-delay", "0.5", "--no-periodic"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Site(app, f"http://127.0.0.1:{server.server_port}", smtp[0], worker_log)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        server.shutdown()
        serving.join()
        with app.app_context():
            db.engine.dispose()
        huey.immediate = True


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[t.Callable[[], Page]]:
    """Open pages in fresh browser contexts (one per user), closed after the test."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context()
        context.set_default_timeout(WAIT_SECONDS * 1000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_USERS[username][1])
    page.click("button[type=submit]")
    page.wait_for_selector(f"text={username} ({DEMO_USERS[username][0]})")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"example_app-{name}.png"), full_page=True)


def wait_until_published(page: Page, site: Site) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while page.text_content("#status") != "published":
        assert time.monotonic() < deadline, (
            "the consumer did not publish the post in time; its log:\n"
            + site.worker_log.read_text(errors="replace")
        )
        time.sleep(0.3)
        page.reload()


def test_viewer_sees_no_edit_button_and_is_refused_on_the_edit_url(site: Site, new_page):
    page = new_page()
    sign_in(page, site, "viewer")
    post_url = f"{site.url}/posts/{post_id(site.app, 'How policies work')}"
    page.goto(post_url)
    assert page.locator("h1").text_content() == "How policies work"
    assert page.locator("#edit").count() == 0
    assert page.locator("#publish").count() == 0
    screenshot(page, "viewer-post")

    response = page.goto(f"{post_url}/edit")
    assert response is not None
    assert response.status == 403
    assert page.locator("h1").text_content() == "Not allowed"
    screenshot(page, "viewer-edit-refused")


def test_author_publishes_and_sees_the_post_published_after_the_worker_ran(site: Site, new_page):
    page = new_page()
    sign_in(page, site, "author")
    page.goto(f"{site.url}/posts/{post_id(site.app, 'Draft: background jobs')}")
    assert page.text_content("#status") == "draft"
    page.click("#publish")
    page.wait_for_selector("text=Publishing")

    wait_until_published(page, site)
    assert page.locator("#publish").count() == 0
    screenshot(page, "author-published")
    [message] = site.inbox.wait_for(1)
    assert message["To"] == "author@example.com"
    assert message["Subject"] == "Published: Draft: background jobs"


def test_admin_sees_the_audit_entries(site: Site, new_page):
    viewer = new_page()
    sign_in(viewer, site, "viewer")
    viewer.goto(f"{site.url}/posts/{post_id(site.app, 'How policies work')}/edit")

    admin = new_page()
    sign_in(admin, site, "admin")
    admin.goto(f"{site.url}/posts/{post_id(site.app, 'Draft: admin notes')}")
    admin.click("#publish")
    wait_until_published(admin, site)

    admin.click("text=Audit")
    rows = admin.locator("#audit tbody tr")
    assert admin.locator("#audit tr.denial.denied").count() == 1
    assert "not_your_post" in admin.locator("#audit tr.denial.denied").text_content()
    assert admin.locator("#audit tr.job.succeeded").count() == 1
    assert "publish_post" in admin.locator("#audit tr.job.succeeded").text_content()
    assert rows.count() == 2
    screenshot(admin, "admin-audit")
