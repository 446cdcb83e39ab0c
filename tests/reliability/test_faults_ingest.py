"""SIGKILL in the middle of `careerbot ingest` (plain and --rebuild): the next run leaves exactly the
chunks a clean build has (same ids, hashes and vectors), and readers never see a half-built index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from careerbot.chunking import chunk_profiles
from careerbot.corpus import load_corpus
from careerbot.indexing import rebuild_index
from careerbot.service import open_store
from careerbot.settings import make_settings
from careerbot.store import VectorStore, active_collection, generations, open_client
from conftest import CORPUS, copy_corpus

pytestmark = pytest.mark.server

SLUGS = tuple(sorted(p.stem for p in CORPUS.glob("*.txt")))[:6]


def _start_ingest(env: dict[str, str], *flags: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "careerbot.cli", "ingest", *flags],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when(proc: subprocess.Popen[bytes], partly_written: object, limit: float = 240) -> int:
    """SIGKILL ``proc`` as soon as ``partly_written()`` returns a chunk count above zero."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, "ingest finished before it could be killed"
        count = partly_written()  # type: ignore[operator]
        if count:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            return int(count)
        time.sleep(0.05)
    proc.kill()
    pytest.fail("ingest wrote nothing in time")


def _count(client, name: str) -> int:  # type: ignore[no-untyped-def]
    try:
        return int(client.get_collection(name, embedding_function=None).count())
    except Exception:  # not created yet
        return 0


def _assert_clean(store: VectorStore, expected: dict[str, str], clean: dict[str, np.ndarray]) -> None:
    """Same ids, same content hashes, and vectors equal to a fresh embedding of every chunk."""
    assert store.count() == len(expected)  # Chroma ids are unique: equal counts mean no duplicates
    assert store.hashes() == expected
    ids, vectors = store.vectors(list(expected))
    assert sorted(ids) == sorted(expected)
    stored = np.asarray(vectors, dtype=np.float32)
    fresh = np.stack([clean[i] for i in ids])
    assert np.abs(stored - fresh).max() < 1e-4


def test_sigkill_during_ingest_and_rebuild(
    chroma_server: tuple[subprocess.Popen[bytes], str], tmp_path: Path, real_embeddings
) -> None:  # type: ignore[no-untyped-def]
    _, url = chroma_server
    corpus = copy_corpus(tmp_path / "corpus", SLUGS)
    settings = make_settings(corpus_dir=corpus, data_dir=tmp_path / "data", chroma_url=url)
    chunks = chunk_profiles(load_corpus(corpus).profiles)
    expected = {c.id: c.content_hash for c in chunks}
    clean = dict(
        zip(
            [c.id for c in chunks],
            np.asarray(real_embeddings.embed_documents([c.embed_text for c in chunks]), dtype=np.float32),
            strict=True,
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(
        CAREERBOT_CHROMA_URL=url,
        CAREERBOT_CORPUS_DIR=str(corpus),
        CAREERBOT_DATA_DIR=str(tmp_path / "d"),
    )
    slow = {**env, "CAREERBOT_EMBEDDING_BATCH_SIZE": "4"}  # small batches: the kill lands between writes
    client = open_client(settings)

    # 1. plain ingest killed half-way, then run again to completion
    written = _kill_when(_start_ingest(slow), lambda: _count(client, "careers"))
    assert 0 < written < len(chunks)
    done = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    store = open_store(settings, real_embeddings)
    _assert_clean(store, expected, clean)

    # 2. a rebuild killed half-way: readers keep the complete index, the next rebuild drops the orphan
    def partial_generation() -> int:
        return max((_count(client, n) for n in generations(client, "careers")), default=0)

    partial = _kill_when(_start_ingest(slow, "--rebuild"), partial_generation)
    [orphan] = generations(client, "careers")
    assert active_collection(client, "careers") == "careers"
    assert 0 < partial < len(chunks)
    _assert_clean(open_store(settings, real_embeddings), expected, clean)

    rebuilt, _ = rebuild_index(client, "careers", url, real_embeddings, chunks, progress=False)
    assert active_collection(client, "careers") == rebuilt.name
    names = {c.name for c in client.list_collections()}
    assert orphan not in names
    _assert_clean(rebuilt, expected, clean)
    print(f"\nSIGKILL: ingest killed at {written}/{len(chunks)} chunks, rebuild at {partial}/{len(chunks)}")
