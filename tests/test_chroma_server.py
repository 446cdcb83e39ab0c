"""The same code path against a real `chroma run` server, and a server that goes away."""

from __future__ import annotations

import subprocess
from pathlib import Path

from careerbot.service import build_service
from careerbot.settings import make_settings


def test_ingest_and_ask_through_a_chroma_server(
    chroma_server: tuple[subprocess.Popen[bytes], str], small_corpus: Path, tmp_path: Path, real_embeddings
) -> None:  # type: ignore[no-untyped-def]
    proc, url = chroma_server
    settings = make_settings(corpus_dir=small_corpus, data_dir=tmp_path / "data", chroma_url=url)
    service = build_service(settings, embeddings=real_embeddings, progress=False)
    assert service.info.ingest is not None and service.info.ingest.added == service.info.chunks
    assert service.info.store == url
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store

    answer = service.ask("What does an electrician do?")
    assert answer.status == "answered" and answer.sources[0].career == "electrician"

    again = build_service(settings, embeddings=real_embeddings, progress=False)
    assert again.info.ingest is None  # up to date: nothing re-ingested

    proc.terminate()
    proc.wait(timeout=10)
    degraded = service.ask("What does an electrician do?")
    assert degraded.status == "answered"
    assert "keyword search only" in degraded.text
    assert degraded.sources[0].career == "electrician"
