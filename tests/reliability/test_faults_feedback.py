"""A damaged, deleted or failing feedback store never breaks an answer, and is reported by /healthz."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.feedback import FeedbackStore
from careerbot.schema import Answer
from careerbot.service import ChatService, build_service
from careerbot.settings import Settings
from careerbot.web.app import create_app

QUESTION = {"message": "What does a paralegal do?", "history": []}


def _service(settings: Settings) -> ChatService:
    logged = settings.model_copy(update={"log_conversations": True})
    return build_service(logged, embeddings=LexicalFakeEmbeddings(), progress=False)


def _damage(path: Path) -> None:
    """Overwrite the middle of the file (header kept) as a disk fault would."""
    data = bytearray(path.read_bytes())
    data[100:] = b"\x5a" * (len(data) - 100)
    path.write_bytes(bytes(data))


def _filled_store(path: Path, rows: int = 3) -> FeedbackStore:
    store = FeedbackStore(path, 30)
    for n in range(rows):
        store.add(f"question {n}", Answer("answer " * 200, "answered"), liked=True)
    getattr(store, "close", lambda: None)()  # as a stopped process would (78e6e96 pooled nothing)
    return store


def _chat_and_stream(client: TestClient) -> None:
    reply = client.post("/api/chat", json=QUESTION)
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "answered"
    stream = client.post("/api/chat/stream", json=QUESTION)
    assert stream.status_code == 200
    assert "event: done" in stream.text


def test_corrupt_file_at_start_is_moved_aside_and_reported(fake_settings: Settings) -> None:
    path = fake_settings.feedback_db
    _filled_store(path, rows=50)
    _damage(path)
    client = TestClient(create_app(_service(fake_settings)), base_url="http://localhost")
    _chat_and_stream(client)  # the issue: every /api/chat was a 500 and streams ended without `done`
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and "feedback_store_corrupt" in health["reasons"]
    assert str(path.parent) not in json.dumps(health)  # no paths in /healthz
    moved = sorted(path.parent.glob("feedback.sqlite3.corrupt-*"))
    assert moved and moved[0].stat().st_size > 0  # kept for an operator, never silently deleted
    assert FeedbackStore(path, 30, log_conversations=True).exchange_count() == 2  # a new, working file


def test_file_damaged_while_serving_still_answers(fake_settings: Settings) -> None:
    path = fake_settings.feedback_db
    client = TestClient(create_app(_service(fake_settings)), base_url="http://localhost")
    _chat_and_stream(client)
    _damage(path)
    for _ in range(3):
        _chat_and_stream(client)
    assert client.get("/healthz").status_code == 200  # answers are whole: the index is fine


def test_deleted_file_is_reported_not_silently_recreated(fake_settings: Settings) -> None:
    path = fake_settings.feedback_db
    _filled_store(path)
    path.unlink()
    client = TestClient(create_app(_service(fake_settings)), base_url="http://localhost")
    _chat_and_stream(client)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and "feedback_store_missing" in health["reasons"]


def test_truncated_file_is_reported(fake_settings: Settings) -> None:
    path = fake_settings.feedback_db
    _filled_store(path)
    path.write_bytes(b"")
    store = FeedbackStore(path, 30)
    assert store.rows() == []
    assert store.health() == ("feedback_store_missing",)


def test_file_deleted_while_in_use_is_noticed_and_new_writes_are_kept(fake_settings: Settings) -> None:
    path = fake_settings.feedback_db
    service = _service(fake_settings)
    client = TestClient(create_app(service), base_url="http://localhost")
    _chat_and_stream(client)
    path.unlink()
    _chat_and_stream(client)
    assert "feedback_store_missing" in client.get("/healthz").json()["reasons"]
    # the new exchanges went to a new file, not to the deleted inode
    assert FeedbackStore(path, 30, log_conversations=True).exchange_count() == 2


def test_failing_writes_are_logged_and_never_raise(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the data dir should be")
    store = FeedbackStore(blocked / "feedback.sqlite3", 30, log_conversations=True)
    with caplog.at_level(logging.ERROR, logger="careerbot.feedback"):
        assert store.add("my private question", Answer("a", "answered"), liked=True) is None
        store.log_exchange("my private question", Answer("a", "answered"))
        store.record_gap("scuba diver")
    assert store.health() == ("feedback_store_unavailable",)
    assert "feedback store" in caplog.text and "private" not in caplog.text


def test_row_cap_drops_the_oldest(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", 30, max_rows=10)
    for n in range(25):
        store.add(f"question {n}", Answer("a", "answered"), liked=n % 2 == 0)
    rows = store.rows()
    assert len(rows) == 10 and rows[0].question == "question 15" and rows[-1].question == "question 24"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("f.sqlite3*") if not p.name.endswith(".created"))


def test_purge_gives_the_space_back(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", 30)
    for n in range(2000):  # ~4 KB answers: the size that made 10,000 rows 41 MB
        store.add(f"question {n}", Answer("word " * 800, "answered"), liked=True)
    full = _size(tmp_path)
    assert full > 5_000_000
    assert store.purge(everything=True) == 2000
    assert _size(tmp_path) < 200_000, f"{full:,} -> {_size(tmp_path):,} bytes"


def test_gaps_are_counted_and_listed_by_the_cli(fake_settings: Settings) -> None:
    store = FeedbackStore.from_settings(fake_settings)
    for occupation in ("Scuba Diver", "scuba  diver", "Sommelier", "scuba diver", "x" * 500):
        store.record_gap(occupation)
    assert store.gaps()[0] == ("scuba diver", 3)
    env = {**os.environ, "CAREERBOT_DATA_DIR": str(fake_settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "gaps", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed[0] == {"occupation": "scuba diver", "count": 3}
    assert {"occupation": "sommelier", "count": 1} in listed
    assert max(len(g["occupation"]) for g in listed) <= 80
    text = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "gaps"], env=env, capture_output=True, text=True, timeout=120
    )
    assert text.stdout.splitlines()[0].split() == ["3", "scuba", "diver"]


def test_stores_opening_one_new_file_at_the_same_moment_all_work(tmp_path: Path) -> None:
    """A server and a CLI (or two replicas) starting together: none sees "table already exists"."""
    import threading

    for round_ in range(30):
        path = tmp_path / f"round-{round_}" / "feedback.sqlite3"
        stores = [FeedbackStore(path, 30) for _ in range(6)]
        start = threading.Barrier(len(stores))
        stored: list[int | None] = []

        def rate(store: FeedbackStore, start: threading.Barrier, stored: list[int | None]) -> None:
            start.wait()
            stored.append(store.add("question", Answer("answer", "answered"), liked=True))

        threads = [threading.Thread(target=rate, args=(store, start, stored)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert None not in stored, f"round {round_}: a rating was lost"
        assert len(stores[0].rows()) == len(stores)
        for store in stores:
            store.close()
