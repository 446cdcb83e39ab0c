"""`careerbot ingest --rebuild` in another process while a server answers: no failed or keyword-only gap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from careerbot.chunking import chunk_profiles, corpus_fingerprint
from careerbot.corpus import load_corpus
from careerbot.service import build_service
from careerbot.settings import make_settings
from careerbot.web.app import create_app
from conftest import copy_corpus

pytestmark = pytest.mark.server

QUESTIONS = {
    "What does an electrician do?": "electrician",
    "How do I become a dental hygienist?": "dental-hygienist",
    "What skills does a paralegal need?": "paralegal",
}


def _rebuild(env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "ingest", "--rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def test_rebuild_under_a_running_server(
    chroma_server: tuple[subprocess.Popen[bytes], str], tmp_path: Path, real_embeddings
) -> None:  # type: ignore[no-untyped-def]
    _, url = chroma_server
    small_corpus = copy_corpus(tmp_path / "three", tuple(QUESTIONS.values()))
    settings = make_settings(
        corpus_dir=small_corpus, data_dir=tmp_path / "data", chroma_url=url, index_check_s=0.5
    )
    service = build_service(settings, embeddings=real_embeddings, progress=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(
        CAREERBOT_CHROMA_URL=url,
        CAREERBOT_CORPUS_DIR=str(small_corpus),
        CAREERBOT_DATA_DIR=str(tmp_path / "d"),
    )

    log: list[tuple[float, str, bool, bool]] = []  # time, status, keyword-only, right career first
    stop = threading.Event()

    def ask_forever() -> None:
        while not stop.is_set():
            for question, career in QUESTIONS.items():
                answer = service.ask(question)
                first = answer.sources[0].career if answer.sources else ""
                log.append((time.monotonic(), answer.status, bool(answer.notes), first == career))
                time.sleep(0.02)  # leave CPU to the rebuild (2 cores)

    asker = threading.Thread(target=ask_forever, daemon=True)
    asker.start()
    try:
        first_s = _rebuild(env)  # careers -> careers-<time>; "careers" is kept as the previous one
        # The corpus changes, then a second rebuild drops "careers": the server must follow both.
        path = small_corpus / "electrician.txt"
        path.write_text(path.read_text().replace("Plan B\n", "Plan B\n  • Lineworker apprentice\n", 1))
        second_s = _rebuild(env)
        time.sleep(1.5)  # a few pointer checks after the switch
    finally:
        stop.set()
        asker.join(60)

    assert len(log) > 20
    assert all(status == "answered" for _, status, _, _ in log), [s for _, s, _, _ in log if s != "answered"]
    assert all(right for *_, right in log)
    longest, run_start = 0.0, None
    for at, _, keyword_only, _ in log:
        if keyword_only:
            run_start = at if run_start is None else run_start
            longest = max(longest, at - run_start)
        else:
            run_start = None
    assert longest < 3.0, f"keyword-only for {longest:.1f} s"
    keyword_answers = sum(1 for _, _, k, _ in log if k)
    print(
        f"\nrebuild under load: {len(log)} answers during {first_s:.1f} s + {second_s:.1f} s of rebuilds, "
        f"{keyword_answers} keyword-only (longest run {longest:.2f} s)"
    )

    from careerbot.store import active_collection, open_client  # (after the checks main can run)

    client = open_client(settings)
    active = active_collection(client, "careers")
    assert service.retriever.store.name == active
    assert "careers" not in {c.name for c in client.list_collections()}
    assert service.info.fingerprint == corpus_fingerprint(chunk_profiles(load_corpus(small_corpus).profiles))
    assert any("Lineworker apprentice" in c.text for c in service.retriever.chunks.values())  # BM25 follows

    health = TestClient(create_app(service), base_url="http://localhost").get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "careers-" not in json.dumps(health.json()) and url not in health.text
