"""The HTTP API, the widget script and the embedding rules, over the shipped app factory."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.feedback import FeedbackStore
from careerbot.render import safe_markdown
from careerbot.schema import Answer, Source
from careerbot.service import build_service
from careerbot.settings import Settings
from careerbot.web.app import create_app


@pytest.fixture
def client(fake_settings: Settings) -> TestClient:
    settings = fake_settings.model_copy(
        update={
            "allowed_origins": ["https://school.example"],
            "rate_limit_per_minute": 5,
            "log_conversations": True,
        }
    )
    app = create_app(build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False))
    return TestClient(app, base_url="http://localhost")  # the trusted-host check refuses "testserver"


def test_chat_returns_the_cli_json_shape(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "What does a paralegal do?", "history": []})
    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == 1 and {"answer", "status", "reason", "kind", "lead", "sources"} <= set(body)
    assert body["lead"] and body["lead"][0]["source"] >= 1
    assert body["status"] == "answered"
    assert body["sources"][0]["career"] == "paralegal"


def test_history_and_career_filter_are_honoured(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "Tell me about electricians"},
        {"role": "assistant", "content": "..."},
    ]
    body = client.post("/api/chat", json={"message": "what about the education?", "history": history}).json()
    assert body["sources"][0]["career"] == "electrician"
    only = client.post("/api/chat", json={"message": "What skills are needed?", "career": "lawyer"}).json()
    assert {s["career"] for s in only["sources"]} == {"lawyer"}


def test_over_long_message_gets_413_with_a_clear_message(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "x" * 2001})
    assert response.status_code == 413
    assert response.json()["detail"] == "Your message is 2,001 characters long; the limit is 2,000."


def test_malformed_body_gets_422(client: TestClient) -> None:
    assert client.post("/api/chat", json={"history": []}).status_code == 422
    assert (
        client.post(
            "/api/chat", json={"message": "hi", "history": [{"role": "system", "content": "x"}]}
        ).status_code
        == 422
    )


def test_stream_sends_deltas_then_one_final_event(client: TestClient) -> None:
    response = client.post("/api/chat/stream", json={"message": "What does an electrician do?"})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block]
    assert events[-1].startswith("event: done\n")
    final = json.loads(events[-1].split("data: ", 1)[1])
    deltas = "".join(json.loads(e.split("data: ", 1)[1])["text"] for e in events[:-1])
    assert deltas == final["answer"] and final["status"] == "answered"


def test_allowed_and_refused_origins(client: TestClient) -> None:
    ok = client.post("/api/chat", json={"message": "hi"}, headers={"Origin": "https://school.example"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://school.example"
    assert "access-control-allow-credentials" not in ok.headers
    local = client.get("/api/embed-check", headers={"Origin": "http://localhost:8080"})
    assert local.headers["access-control-allow-origin"] == "http://localhost:8080"
    refused = client.post("/api/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    preflight = client.options(
        "/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_pages_may_only_be_framed_by_allowed_sites(client: TestClient) -> None:
    csp = client.get("/healthz").headers["content-security-policy"]
    assert csp == "frame-ancestors 'self' http://localhost:* http://127.0.0.1:* https://school.example"


def test_rate_limit_answers_kindly(client: TestClient) -> None:
    codes = [client.post("/api/chat", json={"message": "hi"}).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5
    limited = client.post("/api/chat", json={"message": "hi"})
    assert limited.status_code == 429
    assert "wait a few seconds" in limited.json()["detail"]
    assert 1 <= int(limited.headers["retry-after"]) <= 12  # 5 a minute: a slot frees every 12 s


def test_unknown_career_filter_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "What skills?", "career": "astronaut"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Unknown career; use one of: dental-hygienist, electrician")
    assert "astronaut" not in response.text  # the input is never echoed


def test_conversation_logging_only_when_switched_on(client: TestClient, fake_settings: Settings) -> None:
    client.post("/api/chat", json={"message": "What does a lawyer do?"})
    on = FeedbackStore(fake_settings.feedback_db, 30, log_conversations=True)
    assert on.exchange_count() == 1
    off = FeedbackStore(fake_settings.feedback_db, 30)
    off.log_exchange("q", Answer("a", "answered"))
    assert off.exchange_count() == 1


def test_healthz_and_widget(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["index_loaded"] is True and health["chunks"] > 0 and health["version"]
    widget = client.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in widget.text and "innerHTML" not in widget.text


def test_feedback_is_stored_exported_and_purged(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", retention_days=30)
    source = Source("chef", "Chef", "Day in the Life", 0.1, "Cooking", cited=True)
    store.add("What does a chef do?", Answer("Cooking [1]", "answered", (source,)), liked=False)
    [row] = store.rows()
    assert (row.question, row.rating, row.sources[0]["career"]) == ("What does a chef do?", -1, "chef")
    assert store.purge() == 0
    old = FeedbackStore(tmp_path / "f.sqlite3", retention_days=0)
    time.sleep(0.01)
    assert old.purge() == 1 and old.rows() == []


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<img src=x onerror=alert(1)>", "<img"),
        ("[x](javascript:alert(1))", "](javascript"),
        ("<script>alert(1)</script>", "<script"),
        ("[a](data:text/html,hi)", "data:"),
    ],
)
def test_safe_markdown_leaves_no_markup(text: str, forbidden: str) -> None:
    rendered = safe_markdown(text)
    assert forbidden not in rendered
    assert safe_markdown(rendered) == rendered  # idempotent: re-rendered history stays the same
