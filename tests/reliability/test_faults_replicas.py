"""Two `careerbot serve` replicas sharing one `chroma run` server and one PostgreSQL, started by fixtures."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from careerbot.feedback import FeedbackStore
from careerbot.schema import Answer
from conftest import free_port, wait_http

pytestmark = pytest.mark.server


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "postgres exited during start-up"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError("postgres did not listen in time")


@pytest.fixture(scope="module")
def postgres() -> Iterator[tuple[str, Path]]:
    """A throw-away PostgreSQL cluster on a free loopback port (as the `postgres` user when run as root)."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries are missing (/usr/lib/postgresql/*/bin/initdb); "
            "`apt-get install -y postgresql` installs them (.ci/run does)"
        )
    # initdb refuses to run as root: run the server as `postgres`, in a folder it owns (not under
    # pytest's tmp dir, which is private to root).
    root = Path(tempfile.mkdtemp(prefix="careerbot-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "careerbot", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    proc = subprocess.Popen(
        [*as_user, str(bindir / "postgres"), "-D", str(data), "-k", str(root), "-p", str(port),
         "-h", "127.0.0.1", "-F"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_port(port, proc)
        yield f"postgresql+psycopg://careerbot@127.0.0.1:{port}/postgres", data
    finally:
        try:  # SIGINT = "fast" shutdown: SIGTERM would wait for pooled client connections to close
            os.kill(int((data / "postmaster.pid").read_text().split()[0]), signal.SIGINT)
        except (OSError, ValueError):
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def _serve(env: dict[str, str], port: int, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "careerbot.cli", "serve", "--port", str(port)],
        env={**env, "CAREERBOT_DATA_DIR": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _postgres_pids(data: Path) -> list[int]:
    """The postmaster and its children (backends hold pooled connections)."""
    main = int((data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == main:
            children.append(int(stat.parent.name))
    return [main, *children]


def test_a_hung_database_never_holds_an_answer(postgres: tuple[str, Path]) -> None:
    url, data = postgres
    store = FeedbackStore(url, 30, log_conversations=True)
    answer = Answer("...", "answered")
    store.log_exchange("before", answer)
    assert store.health() == ()
    pids = _postgres_pids(data)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.perf_counter()
        store.log_exchange("during", answer)  # waits at most WRITE_WAIT_S
        first = time.perf_counter() - started
        started = time.perf_counter()
        store.log_exchange("during", answer)  # dropped at once: a write is still stuck
        assert store.add("during", answer, liked=True) is None
        second = time.perf_counter() - started
        assert store.health() == ("feedback_store_unavailable",)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert first < 2.0 and second < 0.2
    resumed = time.monotonic()
    while store.add("after", answer, liked=True) is None:  # dropped while stuck, then skipped 2 s
        assert time.monotonic() - resumed < 15, "writes did not resume after SIGCONT"
        time.sleep(0.1)
    recovered = time.monotonic() - resumed
    assert store.health() == ()
    print(
        f"\nstopped PostgreSQL: first write returned in {first:.2f} s, next ones in {second * 1000:.0f} ms, "
        f"writes again {recovered:.2f} s after SIGCONT"
    )


def test_two_replicas_share_one_chroma_and_one_postgres(
    postgres: tuple[str, Path],
    chroma_server: tuple[subprocess.Popen[bytes], str],
    small_corpus: Path,
    tmp_path: Path,
) -> None:
    _, chroma_url = chroma_server
    postgres_url = postgres[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(
        CAREERBOT_CHROMA_URL=chroma_url,
        CAREERBOT_DATABASE_URL=postgres_url,
        CAREERBOT_CORPUS_DIR=str(small_corpus),
        CAREERBOT_LOG_CONVERSATIONS="true",
    )
    ports = [free_port(), free_port()]
    # Both start at once against an empty index: both ingest the same ids (idempotent upserts).
    replicas = [_serve(env, port, tmp_path / f"replica-{n}") for n, port in enumerate(ports)]
    try:
        for port, proc in zip(ports, replicas, strict=True):
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=400, proc=proc)
        shared = FeedbackStore(postgres_url, 30, log_conversations=True)
        before = shared.exchange_count()
        answers = []
        for port in ports:
            reply = httpx.post(
                f"http://127.0.0.1:{port}/api/chat", json={"message": "What does a paralegal do?"}, timeout=60
            )
            assert reply.status_code == 200, reply.text
            answers.append(reply.json())
        assert [a["status"] for a in answers] == ["answered", "answered"]
        assert answers[0]["sources"][0]["career"] == answers[1]["sources"][0]["career"] == "paralegal"
        assert answers[0]["answer"] == answers[1]["answer"]  # one index: the same answer from either
        for port in ports:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).json()
            assert health["status"] == "ok" and health["reasons"] == []
            assert "postgresql" not in str(health) and chroma_url not in str(health)

        # Both replicas logged into the one database; a rating written by one process is read by another.
        assert shared.exchange_count() == before + 2

        FeedbackStore(postgres_url, 30).add(
            "What does a paralegal do?", Answer("...", "answered"), liked=True
        )
        exported = subprocess.run(
            [sys.executable, "-m", "careerbot.cli", "feedback", "export"],
            env={**env, "CAREERBOT_DATA_DIR": str(tmp_path / "elsewhere")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert exported.returncode == 0, exported.stderr
        assert '"What does a paralegal do?"' in exported.stdout
        assert not (tmp_path / "elsewhere" / "feedback.sqlite3").exists()  # nothing went to SQLite
    finally:
        for proc in replicas:
            proc.terminate()
        for proc in replicas:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
