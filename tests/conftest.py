"""Hermetic test setup: temp data dirs, no CAREERBOT_* leakage, no network beyond loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.offline import apply_offline_env
from careerbot.service import ChatService, build_service
from careerbot.settings import Settings, make_settings

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
REAL_QUESTIONS = SHARED / "eval" / "real-questions.jsonl"
SMALL_CORPUS = (
    "social-media-specialist",
    "dental-hygienist",
    "electrician",
    "registered-nurse",
    "software-developer",
    "lawyer",
    "paralegal",
)

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost", "0.0.0.0")):
        raise RuntimeError(f"test tried to reach {address!r}: tests must not use the network")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    apply_offline_env()
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("CAREERBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CAREERBOT_CORPUS_DIR", str(CORPUS))


def copy_corpus(target: Path, slugs: tuple[str, ...] = SMALL_CORPUS) -> Path:
    """A corpus folder holding a few real profiles."""
    target.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        shutil.copy(CORPUS / f"{slug}.txt", target / f"{slug}.txt")
        if (CORPUS / f"{slug}.meta").exists():  # the seed's attributes live in a sidecar
            shutil.copy(CORPUS / f"{slug}.meta", target / f"{slug}.meta")
    return target


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture
def fake_settings(tmp_path: Path, small_corpus: Path) -> Settings:
    return make_settings(corpus_dir=small_corpus, data_dir=tmp_path / "data")


@pytest.fixture
def fake_service(fake_settings: Settings) -> ChatService:
    """The shipped service over a small corpus with lexical fake embeddings (fast)."""
    return build_service(fake_settings, embeddings=LexicalFakeEmbeddings(), progress=False)


@pytest.fixture(scope="session")
def real_embeddings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from careerbot.embeddings import build_embeddings

    return build_embeddings(cache_dir=tmp_path_factory.mktemp("models"))  # the ONNX export goes here


@pytest.fixture(scope="session")
def real_service(tmp_path_factory: pytest.TempPathFactory, real_embeddings) -> ChatService:  # type: ignore[no-untyped-def]
    """The shipped service on the full corpus, the packaged model and embedded Chroma."""
    settings = make_settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("real-data"))
    return build_service(settings, embeddings=real_embeddings, progress=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def start_chroma(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A real `chroma run` server on a free loopback port."""
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/api/v2/heartbeat", proc=proc)
    return proc, url


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc, url = start_chroma(tmp_path / "chroma-server")
    yield proc, url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
