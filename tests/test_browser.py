"""The chat page and the native widget in real headless Chromium, each state checked by axe-core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.feedback import FeedbackStore
from careerbot.schema import Answer
from careerbot.service import ChatService, build_service
from careerbot.settings import make_settings
from careerbot.web.app import create_app
from conftest import REPO, copy_corpus, free_port, wait_http

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's Chromium: apt-get install chromium chromium-driver (.ci/run does this)",
    ),
]
ARTIFACTS = REPO / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
QUESTION_BOX = "#question textarea"
FINAL_ANSWER = ".cb-answer:not(.cb-streaming)"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
AXE_RESULTS: dict[str, dict[str, int]] = {}


def serve(service: Any) -> tuple[Any, threading.Thread, str]:
    """The shipped web app on a free loopback port."""
    import uvicorn

    server = uvicorn.Server(
        # as `careerbot serve` builds it: the page mounted in the background once the server runs
        uvicorn.Config(
            create_app(service, page_in_background=True),
            host="127.0.0.1",
            port=free_port(),
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.config.port}"
    wait_http(f"{url}/healthz")
    while httpx.get(f"{url}/healthz", timeout=5).json()["page"] != "ready":
        assert time.monotonic() < deadline + 60, "the chat page never became ready"
        time.sleep(0.1)
    return server, thread, url


@pytest.fixture(scope="module")
def app_url(real_service: ChatService) -> Iterator[str]:
    server, thread, url = serve(real_service)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@dataclass(frozen=True)
class _Suggesting(Answer):
    follow_ups: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "follow_ups": list(self.follow_ups)}


class SuggestingService:
    """The shipped service; answers that carry no follow-up questions get one (until schema 1 lands)."""

    def __init__(self, inner: ChatService, suggestion: str) -> None:
        self._inner = inner
        self._suggestion = suggestion

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def stream(self, question: str, history: Any = None, career: str | None = None) -> Iterator[Any]:
        for part in self._inner.stream(question, history, career):
            if isinstance(part, Answer) and part.status == "answered" and not getattr(part, "follow_ups", ()):
                values = {f.name: getattr(part, f.name) for f in fields(part)}
                part = _Suggesting(**{**values, "follow_ups": (self._suggestion,)})
            yield part


@pytest.fixture(scope="module")
def small_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Lexical fake embeddings over seven profiles: the UI wiring, fast."""
    root = tmp_path_factory.mktemp("small-app")
    settings = make_settings(corpus_dir=copy_corpus(root / "corpus"), data_dir=root / "data")
    service = build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False)
    server, thread, url = serve(SuggestingService(service, "What skills does an electrician need?"))
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def limited_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One chat request per minute, so the second one gets a 429."""
    root = tmp_path_factory.mktemp("limited-app")
    settings = make_settings(
        corpus_dir=copy_corpus(root / "corpus"), data_dir=root / "data", rate_limit_per_minute=1
    )
    server, thread, url = serve(build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False))
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


@pytest.fixture
def host_url(app_url: str, tmp_path: Path) -> Iterator[str]:
    httpd, url = serve_host_page(tmp_path / "host", "127.0.0.1", app_url)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(AXE_RESULTS, indent=2))


def assert_accessible(page: Any, state: str) -> None:
    """axe-core over the whole page (shadow roots included): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + len(violation["nodes"])
    AXE_RESULTS[state] = counts
    severe = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not severe, f"{state}: {severe}"


def open_page(browser: Any, url: str, viewport: dict[str, int] = DESKTOP) -> Any:
    page = browser.new_page(viewport=viewport)
    page.goto(url)
    page.locator(QUESTION_BOX).wait_for(timeout=30_000)
    return page


def wait_answers(page: Any, count: int) -> None:
    page.locator(FINAL_ANSWER).nth(count - 1).wait_for(timeout=30_000)


# ---------------------------------------------------------------- chat page


def test_page_sends_by_button_enter_and_chip_keeping_the_career(
    browser: Any, app_url: str, real_service: ChatService
) -> None:
    page = open_page(browser, app_url)
    page.locator("#career-picker input").click()
    page.get_by_role("option", name="Electrician", exact=True).click()
    page.get_by_role("button", name="How do I become an electrician?").click()
    wait_answers(page, 1)
    assert page.locator("#career-picker input").input_value() == "Electrician"  # the chip kept the career
    assert "Electrician" in (page.locator(".cb-sources").last.text_content() or "")

    page.locator(QUESTION_BOX).fill("What skills are needed?")
    page.get_by_role("button", name="Send", exact=True).click()
    wait_answers(page, 2)
    page.locator(QUESTION_BOX).fill("What is a day in the life like?")
    page.locator(QUESTION_BOX).press("Enter")
    wait_answers(page, 3)
    assert page.locator(QUESTION_BOX).input_value() == ""
    assert page.get_by_text("What is a day in the life like?").count() == 1

    # a citation opens the folded sources and shows the one it names
    cite = page.locator(FINAL_ANSWER).last.locator("a.cb-cite").first
    target = cite.get_attribute("href")
    assert target and target.startswith("#cb-src-")
    cite.click()
    source = page.locator(target)
    source.wait_for(state="visible", timeout=5_000)
    assert page.evaluate("document.activeElement.id") == target[1:]
    assert source.inner_text().startswith("[1] Electrician: ")
    assert_accessible(page, "page desktop, after three answers and a citation")
    page.screenshot(path=str(SHOTS / "chat-desktop.png"))

    page.get_by_role("button", name="Like", exact=True).last.click()
    store = FeedbackStore(real_service.settings.feedback_db, 30)
    deadline = time.monotonic() + 15
    while not store.rows() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = store.rows()
    assert rows, "the thumbs up did not reach the feedback database"
    assert rows[-1].question == "What is a day in the life like?"
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
    assert exported[-1]["question"] == "What is a day in the life like?"


def test_page_on_a_phone_scrolls_to_the_start_of_the_answer(browser: Any, small_app_url: str) -> None:
    page = open_page(browser, small_app_url, PHONE)
    page.get_by_role("button", name="What does a dental hygienist do?").click()
    wait_answers(page, 1)
    page.get_by_role("button", name="How do I become an electrician?").click()
    wait_answers(page, 2)
    page.wait_for_timeout(300)
    # the new answer's first line is inside the visible part of the chat, not scrolled past
    chat = page.locator("#chatbot").bounding_box()
    start = page.locator(FINAL_ANSWER).last.bounding_box()
    assert chat and start and chat["y"] - 1 <= start["y"] <= chat["y"] + chat["height"] - 40
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert_accessible(page, "page 375 px, after an answer")
    page.screenshot(path=str(SHOTS / "chat-375px.png"))


def test_follow_up_chip_sends_it(browser: Any, small_app_url: str) -> None:
    page = open_page(browser, small_app_url)
    page.get_by_role("button", name="What does a dental hygienist do?").click()
    wait_answers(page, 1)
    chip = page.locator(".cb-follow-up:visible").first
    question = chip.inner_text().strip()
    assert question
    chip.click()
    wait_answers(page, 2)
    assert page.get_by_text(question, exact=True).count() >= 1  # sent as the user's message
    assert_accessible(page, "page, after a follow-up chip")


def test_careers_tab_opens_a_profile_and_its_plan_b(browser: Any, app_url: str) -> None:
    page = open_page(browser, app_url)
    page.get_by_role("tab", name="Careers").click()
    page.get_by_role("button", name="Lawyer", exact=True).click()
    heading = page.locator(".cb-profile h3")
    heading.wait_for(timeout=10_000)
    assert heading.inner_text() == "Lawyer"
    assert page.locator(".cb-profile summary", has_text="Job Description").count() == 1
    page.locator(".cb-profile summary", has_text="Plan B").click()
    page.locator(".cb-planb", has_text="Paralegal").click()
    page.locator(".cb-profile h3", has_text="Paralegal").wait_for(timeout=10_000)
    assert_accessible(page, "careers tab, a profile open")


def test_markup_in_messages_never_becomes_live_on_the_page(browser: Any, app_url: str) -> None:
    page = open_page(browser, app_url)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for count, question in enumerate(
        ("<img src=x onerror=alert(1)>", "<script>alert(2)</script> what does a chef do?"), 1
    ):
        page.locator(QUESTION_BOX).fill(question)
        page.locator(QUESTION_BOX).press("Enter")
        wait_answers(page, count)
    page.get_by_text("<script>alert(2)</script> what does a chef do?").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert dialogs == []
    assert page.get_by_text("<img src=x onerror=alert(1)>").count() == 1  # shown as text
    assert page.locator("#chatbot img[src='x'], #chatbot script").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert_accessible(page, "page, after markup questions")


# ---------------------------------------------------------------- widget


def widget(page: Any) -> tuple[Any, Any]:
    """The bubble and the panel (Playwright locators pierce the open shadow root)."""
    return page.get_by_role("button", name="Open Career advisor"), page.get_by_role(
        "dialog", name="Career advisor"
    )


def send_in_widget(page: Any, box: Any, question: str) -> None:
    """Type a question into the widget, press Enter, and wait until it may send again."""
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "() => !document.querySelector('careerbot-widget').shadowRoot.querySelector('.send').disabled"
    )


FIRST_TEXT_PROBE = """() => {
  const root = document.querySelector('careerbot-widget').shadowRoot;
  window.__cbFirst = null;
  window.__cbStart = null;
  root.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__cbStart = performance.now(); }, true);
  new MutationObserver(() => {
    const bots = root.querySelectorAll('.log .msg.bot');
    const last = bots[bots.length - 1];
    if (window.__cbStart && !window.__cbFirst && last && !last.querySelector('.typing') && last.textContent.trim())
      window.__cbFirst = performance.now();
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""


def test_widget_asks_streams_closes_with_escape_and_keeps_history(
    browser: Any, app_url: str, host_url: str, real_service: ChatService
) -> None:
    page = browser.new_page(viewport=DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(host_url)
    bubble, panel = widget(page)
    bubble.click()
    panel.wait_for(state="visible")
    assert panel.get_by_text("Ask me about any career").count() >= 1  # the welcome line is the first message
    assert_accessible(page, "widget open, welcome and prompt chips")

    page.evaluate(FIRST_TEXT_PROBE)
    box = panel.get_by_label("Your question")
    box.fill("What does a dental hygienist do?")
    box.press("Enter")
    panel.get_by_role("button", name="Helpful", exact=True).wait_for(timeout=30_000)
    first_text_ms = page.evaluate("window.__cbFirst - window.__cbStart")
    assert 0 < first_text_ms < 30_000
    (ARTIFACTS / "widget-first-text-ms.txt").write_text(f"{first_text_ms:.0f}\n")

    citation = panel.locator("button.cite").first
    citation.click()
    excerpt = panel.locator(".excerpt")
    excerpt.wait_for()
    assert "Dental hygienist" in excerpt.inner_text()
    assert citation.get_attribute("aria-expanded") == "true"
    assert_accessible(page, "widget desktop, after an answer with a source open")
    page.screenshot(path=str(SHOTS / "widget-desktop.png"))

    panel.get_by_role("button", name="Helpful", exact=True).click()
    store = FeedbackStore(real_service.settings.feedback_db, 30)
    deadline = time.monotonic() + 10
    while not any(r.question == "What does a dental hygienist do?" for r in store.rows()):
        assert time.monotonic() < deadline, "the widget's thumbs up did not reach the feedback store"
        time.sleep(0.2)

    box.focus()
    page.keyboard.press("Escape")  # from inside the text box
    panel.wait_for(state="hidden")
    assert bubble.evaluate("b => b.getRootNode().activeElement === b")  # focus returned to the bubble
    bubble.click()
    assert panel.get_by_text("What does a dental hygienist do?").count() == 1  # history kept
    page.reload()
    bubble, panel = widget(page)
    bubble.click()
    assert panel.get_by_text("What does a dental hygienist do?").count() == 1  # survives a reload too
    panel.get_by_role("button", name="Start a new conversation").click()
    assert panel.locator(".msg.user").count() == 0
    assert panel.get_by_role("group", name="Example questions").count() == 1
    hosts = {r.split("/")[2] for r in requests if r.startswith("http")}
    assert hosts <= {host_url.split("/")[2], app_url.split("/")[2]}, hosts  # no CDN, no third party


def test_widget_is_full_screen_on_a_phone_and_traps_focus(browser: Any, host_url: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(host_url)
    bubble, panel = widget(page)
    bubble.click()
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    panel.get_by_role("button", name="How do I become an electrician?").click()
    panel.get_by_role("button", name="Helpful", exact=True).wait_for(timeout=30_000)
    for _ in range(30):  # Tab never leaves the open panel
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "CAREERBOT-WIDGET"
    assert_accessible(page, "widget 375 px, after an answer")
    page.screenshot(path=str(SHOTS / "widget-375px.png"))


def test_markup_in_messages_never_becomes_live_in_the_widget(browser: Any, host_url: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(host_url)
    bubble, panel = widget(page)
    bubble.click()
    box = panel.get_by_label("Your question")
    for question in ("<img src=x onerror=alert(1)>", "<script>alert(2)</script> what does a chef do?"):
        send_in_widget(page, box, question)
        panel.get_by_text(question, exact=True).wait_for()
    page.wait_for_timeout(500)
    assert dialogs == []
    counts = page.evaluate(
        "() => { const r = document.querySelector('careerbot-widget').shadowRoot;"
        " return [r.querySelectorAll('img, script, [onerror]').length, r.querySelectorAll('.msg.user').length]; }"
    )
    assert counts == [0, 2]
    assert_accessible(page, "widget, after markup questions")


def test_widget_follow_up_chip_sends_it(browser: Any, small_app_url: str, tmp_path: Path) -> None:
    httpd, url = serve_host_page(tmp_path / "small", "127.0.0.1", small_app_url)
    try:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url)
        bubble, panel = widget(page)
        bubble.click()
        panel.get_by_role("button", name="What does a dental hygienist do?").click()
        group = panel.get_by_role("group", name="Follow-up questions")
        group.wait_for(timeout=30_000)
        chip = group.get_by_role("button").first
        question = chip.inner_text()
        chip.click()
        panel.locator(".msg.user", has_text=question).wait_for()
        assert panel.locator(".msg.user").count() == 2
    finally:
        httpd.shutdown()


def test_a_429_is_a_friendly_message_in_widget_and_page(
    browser: Any, limited_app_url: str, tmp_path: Path
) -> None:
    httpd, url = serve_host_page(tmp_path / "limited", "127.0.0.1", limited_app_url)
    try:
        page = browser.new_page(viewport=DESKTOP)
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if "/api/chat" in r.url else None)
        page.goto(url)
        bubble, panel = widget(page)
        bubble.click()
        box = panel.get_by_label("Your question")
        for question in ("What does a lawyer do?", "What does a paralegal do?"):
            send_in_widget(page, box, question)
        assert 429 in statuses
        panel.locator(".msg.notice", has_text="You're sending questions a bit fast").wait_for()
        assert_accessible(page, "widget, after a 429")

        # the limit is per conversation: the page's own second question is the one held back
        chat = open_page(browser, limited_app_url)
        chat.locator(QUESTION_BOX).fill("What does a nurse do?")
        chat.locator(QUESTION_BOX).press("Enter")
        wait_answers(chat, 1)
        chat.locator(QUESTION_BOX).fill("What does a paralegal do?")
        chat.locator(QUESTION_BOX).press("Enter")
        chat.get_by_text("faster than I can keep up").wait_for(timeout=15_000)
        assert_accessible(chat, "page, after a rate limit")
    finally:
        httpd.shutdown()


def test_site_outside_the_allow_list_is_refused(browser: Any, app_url: str, tmp_path: Path) -> None:
    httpd, host_url = serve_host_page(tmp_path / "evil", "127.0.0.2", app_url)
    try:
        page = browser.new_page()
        page.goto(host_url)
        page.get_by_role("button", name="Open Career advisor").click()
        page.get_by_text("not allowed to embed").wait_for(timeout=15_000)
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
        assert page.frame_locator("#f").locator(QUESTION_BOX).count() == 0
    finally:
        httpd.shutdown()
