"""The chat page and the one-tag widget in real headless Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from careerbot.feedback import FeedbackStore
from careerbot.service import ChatService
from careerbot.web.app import create_app
from conftest import REPO, free_port, wait_http

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium: apt-get install chromium chromium-driver (.ci/run does this)",
)
ARTIFACTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
QUESTION_BOX = "#question textarea"


@pytest.fixture(scope="module")
def app_url(real_service: ChatService) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(real_service), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz")
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def serve_host_page(folder: Path, host: str, app_url: str) -> tuple[ThreadingHTTPServer, str]:
    """The example host page, pointed at the app, served from another origin."""
    page = (REPO / "examples" / "host-page.html").read_text().replace("http://127.0.0.1:7860", app_url)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(page)
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    httpd = ThreadingHTTPServer((host, free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://{host}:{httpd.server_address[1]}/index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def ask(scope: object, question: str, expect: str) -> None:
    box = scope.locator(QUESTION_BOX)  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")
    scope.get_by_text(expect).last.wait_for(timeout=30_000)  # type: ignore[attr-defined]


def test_chat_page_answers_with_sources_and_stores_feedback(
    browser: object, app_url: str, real_service: ChatService
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(app_url)
    page.locator(QUESTION_BOX).wait_for(timeout=30_000)
    ask(page, "What does a dental hygienist do?", "Sources (")
    assert page.get_by_text("Dental hygienist", exact=False).count() > 0
    page.get_by_text("Sources (").last.click()
    page.get_by_text("[1] Dental hygienist: Job Description").wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"), full_page=True)

    page.get_by_role("button", name="Like").last.click()
    store = FeedbackStore(real_service.settings.feedback_db, 30)
    deadline = time.monotonic() + 15
    while not store.rows() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = store.rows()
    assert rows, "the thumbs up did not reach the feedback database"
    assert rows[-1].question == "What does a dental hygienist do?"
    assert rows[-1].rating == 1 and rows[-1].sources

    env = {**os.environ, "CAREERBOT_DATA_DIR": str(real_service.settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "feedback", "export"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    exported = [json.loads(line) for line in done.stdout.splitlines()]
    assert exported[-1]["question"] == "What does a dental hygienist do?"
    assert exported[-1]["rating"] == 1

    mobile = browser.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    mobile.goto(app_url)
    mobile.locator(QUESTION_BOX).wait_for(timeout=30_000)
    ask(mobile, "How do I become an electrician?", "Sources (")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 380  # no sideways scrolling
    mobile.screenshot(path=str(ARTIFACTS / "chat-375px.png"), full_page=True)


def test_widget_on_another_origin_opens_and_answers(browser: object, app_url: str, tmp_path: Path) -> None:
    httpd, host_url = serve_host_page(tmp_path / "host", "127.0.0.1", app_url)
    try:
        for name, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("375px", {"width": 375, "height": 740}),
        ):
            page = browser.new_page(viewport=viewport)  # type: ignore[attr-defined]
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.goto(host_url)
            page.get_by_role("button", name="Open Career advisor").click()
            frame = page.frame_locator("iframe[title='Career advisor']")
            frame.locator(QUESTION_BOX).wait_for(timeout=30_000)
            ask(frame, "What does a dental hygienist do?", "Sources (")
            page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))
            hosts = {r.split("/")[2] for r in requests if r.startswith("http")}
            assert hosts <= {host_url.split("/")[2], app_url.split("/")[2]}, hosts  # no CDN, no third party
            page.keyboard.press("Escape")
    finally:
        httpd.shutdown()


def test_markup_in_messages_never_becomes_live(browser: object, app_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    page.locator(QUESTION_BOX).wait_for(timeout=30_000)
    ask(page, "<img src=x onerror=alert(1)>", "I can only help with questions about careers")
    ask(page, "[x](javascript:alert(1)) what does a chef do?", "Sources (")
    page.wait_for_timeout(1000)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert (
        page.evaluate(
            "[...document.querySelectorAll('a')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href') || '')).length"
        )
        == 0
    )


def test_site_outside_the_allow_list_is_refused(browser: object, app_url: str, tmp_path: Path) -> None:
    httpd, host_url = serve_host_page(tmp_path / "evil", "127.0.0.2", app_url)
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(host_url)
        page.get_by_role("button", name="Open Career advisor").click()
        page.get_by_text("not allowed to embed").wait_for(timeout=15_000)
        assert page.locator("iframe").count() == 0
        status = page.evaluate(
            """async (url) => { try { const r = await fetch(url + '/api/chat', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify({message: 'hi'})});
                return r.status; } catch (e) { return 'blocked'; } }""",
            app_url,
        )
        assert status == "blocked"
        # framing the page directly is refused too (CSP frame-ancestors)
        page.set_content(f"<iframe id=f src='{app_url}/?embed=1' width=400 height=400></iframe>")
        page.wait_for_timeout(3000)
        frame = page.frame_locator("#f")
        assert frame.locator(QUESTION_BOX).count() == 0
    finally:
        httpd.shutdown()


def test_widget_works_from_the_keyboard(browser: object, app_url: str, tmp_path: Path) -> None:
    httpd, host_url = serve_host_page(tmp_path / "kbd", "127.0.0.1", app_url)
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(host_url)
        opener = page.get_by_role("button", name="Open Career advisor")
        opener.wait_for()
        page.keyboard.press("Tab")
        assert opener.evaluate("b => b.getRootNode().activeElement === b")
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Career advisor")
        dialog.wait_for(state="visible")
        assert opener.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        assert opener.evaluate("b => b.getRootNode().activeElement === b")  # focus returns to the button
    finally:
        httpd.shutdown()
