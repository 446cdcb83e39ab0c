"""Shared helpers: configuration, workspace, timing, processes, HTTP servers and load, questions."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careerbot.eval.metrics import percentile  # the one percentile: the eval report's

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CORPUS = REPO / "corpus"
RESULTS_DIR = BENCH_DIR / "results"
EVAL_PATH = REPO.parent / "shared" / "eval" / "real-questions.jsonl"
PYTHON = sys.executable
TIME_BIN = Path("/usr/bin/time")
NO_RATE_LIMIT = 1_000_000_000  # per-client chat limit for the load test (all clients are 127.0.0.1)
MIB = 1024 * 1024
_STARTED = time.perf_counter()


@dataclass(frozen=True)
class Config:
    """Sizes of one run: ``full`` (the README's table) or ``smoke`` (CI keeps the scripts working)."""

    mode: str
    profiles: tuple[str, ...] | None  # None = the whole corpus
    questions: int  # how many of QUESTIONS
    passes: int  # timed passes over them
    eval_items: int | None  # None = every item of the eval file
    scale_sizes: tuple[int, ...]
    embed_real_max: int  # synthetic sizes up to this are embedded for real, larger ones perturbed
    load_seconds: float  # per concurrency level
    load_requests: int  # per concurrency level
    concurrency: tuple[int, ...] = (1, 4, 16)
    startup_timeout: float = 180.0
    startup_runs: int = 1  # launches per server; the start-up figure is their median
    quiet_wait: float = 0.0  # before a timed phase, wait up to this long for other processes to calm down


FULL = Config(
    "full", None, 40, 2, None, (1_000, 10_000, 100_000), 1_000, 8.0, 400, quiet_wait=45, startup_runs=3
)
SMOKE = Config(
    "smoke", ("registered-nurse", "electrician", "software-developer"), 4, 1, 4, (50, 150), 50, 1.0, 8
)


@dataclass
class Workspace:
    """Temporary folders of one run (never the repository's .careerbot)."""

    root: Path

    @classmethod
    def create(cls, cfg: Config | None = None) -> Workspace:
        ws = cls(Path(tempfile.mkdtemp(prefix="careerbot-bench-")))
        if cfg:
            copy_corpus(ws.corpus, cfg.profiles)
        return ws

    corpus = property(lambda self: self.root / "corpus")
    ours_data = property(lambda self: self.root / "ours-data")
    base_data = property(lambda self: self.root / "baseline-data")

    def path(self, name: str) -> Path:
        return self.root / name

    def copy(self, source: Path, name: str) -> Path:
        """A copy of a data folder (a second process must not rebuild a store this one has open)."""
        return Path(shutil.copytree(source, self.root / name, dirs_exist_ok=True))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def copy_corpus(target: Path, profiles: Sequence[str] | None) -> Path:
    """A copy of the real corpus (or of some profiles of it) that the benchmark may edit."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS.glob("*.txt")):
        if profiles is None or path.stem in profiles:
            shutil.copy(path, target / path.name)
    return target


def log(message: str) -> None:
    """Progress on stderr, with the seconds since the run started."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over a short window, from /proc/stat (idle and iowait count as idle)."""

    def snapshot() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return sum(values), values[3] + values[4]

    total1, idle1 = snapshot()
    time.sleep(seconds)
    total2, idle2 = snapshot()
    return 1.0 - (idle2 - idle1) / max(1, total2 - total1)


def wait_for_quiet(label: str, max_wait: float, threshold: float = 0.25) -> dict[str, float]:
    """Wait up to ``max_wait`` s for other processes to leave the CPUs mostly idle; what it saw."""
    started = time.perf_counter()
    while True:
        busy, waited = cpu_busy(), time.perf_counter() - started
        if busy <= threshold or waited >= max_wait:
            if busy > threshold and max_wait > 0:
                log(f"{label}: other processes still use {busy:.0%} of the CPUs; measuring anyway")
            return {"cpu_busy": round(busy, 3), "waited_s": round(waited, 1)}
        log(f"{label}: other processes use {busy:.0%} of the CPUs; waiting")
        time.sleep(4)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    nan = float("nan")
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50) if ms else nan,
        "p95_ms": percentile(ms, 95) if ms else nan,
        "mean_ms": sum(ms) / len(ms) if ms else nan,
        "max_ms": max(ms, default=nan),
    }


def dir_bytes(path: Path) -> int:
    """Disk usage of a folder (allocated blocks, like `du`)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in bytes, from /proc/<pid>/status."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = (line.partition(":") for line in lines)
    return {k: int(v.split()[0]) * 1024 for k, _, v in fields if k in ("VmRSS", "VmHWM")}


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child process: no CAREERBOT_* leakage, offline, plus ``extra``."""
    from careerbot.offline import OFFLINE_ENV

    return {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")} | OFFLINE_ENV | extra


def run_timed(cmd: Sequence[str], env: dict[str, str], stdin: str = "") -> dict[str, Any]:
    """Run a command to the end: wall seconds, output, and CPU seconds and peak RSS from `time -v`."""
    # Not measured from here: a child forked from this large process keeps its RSS high-water mark.
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "time"
        full = [str(TIME_BIN), "-v", "-o", str(stats), *cmd] if TIME_BIN.exists() else list(cmd)
        started = time.perf_counter()
        done = subprocess.run(full, env=env, input=stdin, capture_output=True, text=True, cwd=REPO)
        seconds = time.perf_counter() - started
        lines = stats.read_text().splitlines() if stats.exists() else []
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    got = dict(line.strip().rsplit(": ", 1) for line in lines if ": " in line)
    cpu = float(got["User time (seconds)"]) + float(got["System time (seconds)"]) if got else None
    peak = int(got["Maximum resident set size (kbytes)"]) * 1024 if got else None
    return {"seconds": seconds, "cpu_s": cpu, "peak_rss_bytes": peak, "out": done.stdout, "err": done.stderr}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float, interval: float = 0.05) -> None:
    """Poll ``url`` until it answers 200; fail early if the process exits."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate one child process we started."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def start_server(
    cmd: Sequence[str], ready_url: str, timeout: float, output: Any = None, **popen: Any
) -> subprocess.Popen[bytes]:
    """Start a server process and wait until ``ready_url`` answers 200 (stopped again if it never does)."""
    proc = subprocess.Popen(cmd, stdout=output, stderr=output, **popen)
    try:
        wait_http(ready_url, proc, timeout, interval=0.02)
    except BaseException:
        stop(proc)
        raise
    return proc


def ask_http(url: str, question: str) -> dict[str, Any]:
    """One POST /api/chat; its JSON (an error when the server does not answer 200)."""
    import httpx

    response = httpx.post(url + "/api/chat", json={"message": question, "history": []}, timeout=120)
    response.raise_for_status()
    return dict(response.json())


def launch(
    cmd: Sequence[str], env: dict[str, str], logfile: Path, timeout: float, question: str, answered: bool
) -> dict[str, Any]:
    """Start a server on a free port: its proc, url, seconds to /healthz 200 and to a first (answered) reply."""
    port = free_port()
    url, env = f"http://127.0.0.1:{port}", {**env, "CAREERBOT_PORT": str(port)}
    with logfile.open("wb") as sink:
        started = time.perf_counter()
        proc = start_server(cmd, url + "/healthz", timeout, sink, cwd=REPO, env=env)
    healthz_s = time.perf_counter() - started
    try:  # with ``answered``, asked again like a user until the reply is "answered"
        while ask_http(url, question).get("status") != "answered" and answered:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no answered reply to {question!r} within {timeout} s")
    except BaseException:
        stop(proc)
        raise
    first_answer_s = time.perf_counter() - started
    return dict(proc=proc, url=url, started=started, healthz_s=healthz_s, first_answer_s=first_answer_s)


def load(
    url: str, questions: Iterator[str], clients: int, max_requests: int, seconds: float
) -> dict[str, Any]:
    """``clients`` concurrent loops (asyncio) of POST /api/chat until ``max_requests`` or ``seconds``."""
    import httpx

    counts = {"issued": 0, "ok": 0, "failed": 0, "answered": 0, "started": 0.0, "elapsed": 0.0}
    latencies: list[float] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while counts["issued"] < max_requests and time.perf_counter() < counts["started"] + seconds:
            counts["issued"] += 1
            sent = time.perf_counter()
            try:
                response = await client.post("/api/chat", json={"message": next(questions), "history": []})
            except httpx.HTTPError:
                counts["failed"] += 1
                continue
            latencies.append(time.perf_counter() - sent)
            ok = response.status_code == 200
            counts["ok" if ok else "failed"] += 1
            counts["answered"] += ok and response.json().get("status") == "answered"

    async def main() -> None:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            counts["started"] = time.perf_counter()
            await asyncio.gather(*(worker(client) for _ in range(clients)))
            counts["elapsed"] = time.perf_counter() - counts["started"]

    asyncio.run(main())
    ok, elapsed = counts["ok"], counts["elapsed"]
    result = dict(clients=clients, requests=ok, failed=counts["failed"], status_answered=counts["answered"])
    return result | dict(seconds=elapsed, req_per_s=ok / elapsed, latency=latency_summary(latencies))


def forget_queries(embeddings: Any) -> None:
    """Empty careerbot's query-embedding cache so each timed query pays for its embedding."""
    cache = getattr(embeddings, "_query", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()


# Written for this benchmark (not taken from the evaluation set): 40 timed questions, and templates and
# openers for the unique questions of the HTTP load.
_QUESTIONS = json.loads((BENCH_DIR / "questions.json").read_text(encoding="utf-8"))
QUESTIONS: tuple[str, ...] = tuple(_QUESTIONS["questions"])


def question_stream(titles: Sequence[str]) -> Iterator[str]:
    """Unique questions for the HTTP load (no query-cache hits): templates x careers x openers."""
    for opener, template, title in itertools.product(
        _QUESTIONS["openers"], _QUESTIONS["templates"], sorted(titles)
    ):
        yield opener + template.format(t=title.lower())
    for n in itertools.count(1):  # only reached by very long runs
        yield f"Question {n}: what does a {sorted(titles)[n % len(titles)].lower()} do?"


def write_json(path: Path, data: Any) -> str:
    """Write ``data`` as indented JSON (creating the folder); the text written."""
    text = json.dumps(data, indent=2, default=str)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text
