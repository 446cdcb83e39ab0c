"""A hung (SIGSTOP) or killed Chroma server: answers keep coming by keyword search, then recover."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.service import ChatService, build_service
from careerbot.settings import make_settings
from careerbot.web.app import create_app
from conftest import start_chroma, wait_http

pytestmark = pytest.mark.server

TIMEOUT_S = 1.5
QUESTION = "What does an electrician do?"


def _timed(call: Callable[[], Any], limit: float) -> tuple[Any, float]:
    """Run ``call`` in a thread; fail (instead of hanging the suite) when it takes longer than ``limit``."""
    result: list[Any] = []
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(limit)
    elapsed = time.perf_counter() - started
    assert not worker.is_alive(), f"no reply within {limit} s: the call hangs"
    return result[0], elapsed


@pytest.fixture
def served(tmp_path: Path, small_corpus: Path) -> Iterator[tuple[subprocess.Popen[bytes], ChatService, Path]]:
    data = tmp_path / "chroma-server"
    proc, url = start_chroma(data)
    settings = make_settings(
        corpus_dir=small_corpus, data_dir=tmp_path / "data", chroma_url=url, chroma_timeout_s=TIMEOUT_S
    )
    service = build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False)
    yield proc, service, data
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=10)


def _until_dense(service: ChatService, limit: float) -> float:
    """Seconds until an answer no longer carries the keyword-only note."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        answer, _ = _timed(lambda: service.ask(QUESTION), TIMEOUT_S + 5)
        if not answer.notes:
            return time.perf_counter() - started
        time.sleep(0.1)
    pytest.fail(f"still keyword-only {limit} s after the server came back")


def test_hung_server_answers_by_keyword_within_the_timeout_then_recovers(
    served: tuple[subprocess.Popen[bytes], ChatService, Path],
) -> None:
    proc, service, _ = served
    client = TestClient(create_app(service), base_url="http://localhost")
    assert service.ask(QUESTION).notes == ()
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        answer, first = _timed(lambda: service.ask(QUESTION), TIMEOUT_S + 5)
        assert answer.status == "answered" and answer.sources[0].career == "electrician"
        assert "keyword search only" in answer.text
        assert first < TIMEOUT_S + 2
        answer, second = _timed(lambda: service.ask(QUESTION), 2)  # the breaker skips the dead store
        assert "keyword search only" in answer.text and second < 0.5
        reply, health_s = _timed(lambda: client.get("/healthz"), TIMEOUT_S + 5)
        assert reply.status_code == 503 and reply.json()["reasons"] == ["vector_store_unavailable"]
        assert health_s < TIMEOUT_S + 2
        chat, chat_s = _timed(lambda: client.post("/api/chat", json={"message": QUESTION}), TIMEOUT_S + 5)
        assert chat.status_code == 200 and chat.json()["status"] == "answered"
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    recovered = _until_dense(service, 15)
    assert client.get("/healthz").json()["status"] == "ok"
    print(
        f"\nhung Chroma: first answer {first:.2f} s, next {second * 1000:.0f} ms, "
        f"/healthz {health_s:.2f} s, /api/chat {chat_s:.2f} s, recovered {recovered:.2f} s after SIGCONT"
    )


def test_killed_server_answers_by_keyword_then_recovers_on_restart(
    served: tuple[subprocess.Popen[bytes], ChatService, Path],
) -> None:
    proc, service, data = served
    port = int(service.settings.chroma_url.rsplit(":", 1)[1])  # type: ignore[union-attr]
    proc.kill()
    proc.wait(timeout=10)
    answer, down_s = _timed(lambda: service.ask(QUESTION), TIMEOUT_S + 5)
    assert answer.status == "answered" and "keyword search only" in answer.text
    restarted = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        started = time.perf_counter()
        wait_http(f"{service.settings.chroma_url}/api/v2/heartbeat", proc=restarted)
        ready = time.perf_counter() - started
        recovered = _until_dense(service, 10)
        print(
            f"\nkilled Chroma: keyword answer in {down_s:.2f} s; server ready {ready:.2f} s after restart, "
            f"dense answers {recovered:.2f} s after that"
        )
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
