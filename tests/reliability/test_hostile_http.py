"""Hostile bodies over HTTP get a clear 4xx, never a 500, a traceback or an echo of the input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.service import build_service
from careerbot.settings import Settings
from careerbot.web.app import create_app


@pytest.fixture
def client(fake_settings: Settings) -> TestClient:
    settings = fake_settings.model_copy(update={"log_conversations": True})
    app = create_app(build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False))
    return TestClient(app, base_url="http://localhost", raise_server_exceptions=False)


@pytest.mark.parametrize("route", ["/api/chat", "/api/chat/stream"])
@pytest.mark.parametrize(
    "body",
    [
        '{"message": "nurse \\ud800 pay", "history": []}',
        '{"message": "nurse pay", "history": [{"role": "user", "content": "\\udfff"}]}',
    ],
)
def test_lone_surrogates_are_dropped_and_the_question_answered(
    client: TestClient, route: str, body: str
) -> None:
    response = client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert '"status": "answered"' in response.text or response.json()["status"] == "answered"


@pytest.mark.parametrize("route", ["/api/chat", "/api/chat/stream"])
@pytest.mark.parametrize(
    "body",
    [
        '{"message": "' + "x" * 100_000 + '", "history": "not a list"}',
        '{"message": ["a"], "history": []}',
        '{"message": "nurse", "history": [{"role": "system", "content": "x"}]}',
    ],
)
def test_unreadable_bodies_get_a_clear_422_without_echo(client: TestClient, route: str, body: str) -> None:
    response = client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "message" in response.json()["detail"]
    assert len(response.content) < 500  # the input is never echoed back
