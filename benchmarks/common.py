"""Shared helpers: configuration, workspace, timing, percentiles, RSS, HTTP polling, questions."""

from __future__ import annotations

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
from dataclasses import dataclass, field
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
    mode="full",
    profiles=None,
    questions=40,
    passes=2,
    eval_items=None,
    scale_sizes=(1_000, 10_000, 100_000),
    embed_real_max=1_000,
    load_seconds=8.0,
    load_requests=400,
    quiet_wait=45.0,
    startup_runs=3,
)
SMOKE = Config(
    mode="smoke",
    profiles=("registered-nurse", "electrician", "software-developer"),
    questions=4,
    passes=1,
    eval_items=4,
    scale_sizes=(50, 150),
    embed_real_max=50,
    load_seconds=1.0,
    load_requests=8,
)


@dataclass
class Workspace:
    """Temporary folders of one run (never the repository's .careerbot)."""

    root: Path
    corpus: Path = field(init=False)
    ours_data: Path = field(init=False)
    base_data: Path = field(init=False)

    def __post_init__(self) -> None:
        self.corpus = self.root / "corpus"
        self.ours_data = self.root / "ours-data"
        self.base_data = self.root / "baseline-data"

    @classmethod
    def create(cls, cfg: Config) -> Workspace:
        ws = cls(Path(tempfile.mkdtemp(prefix="careerbot-bench-")))
        copy_corpus(ws.corpus, cfg.profiles)
        return ws

    def path(self, name: str) -> Path:
        return self.root / name

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
    """Called while this run is idle: wait (up to ``max_wait`` s) until other processes leave the
    CPUs mostly idle, so their load does not end up in our timings. Returns what it saw."""
    started = time.perf_counter()
    while True:
        busy = cpu_busy()
        waited = time.perf_counter() - started
        if busy <= threshold or waited >= max_wait:
            if busy > threshold and max_wait > 0:
                log(f"{label}: other processes still use {busy:.0%} of the CPUs; measuring anyway")
            return {"cpu_busy": round(busy, 3), "waited_s": round(waited, 1)}
        log(f"{label}: other processes use {busy:.0%} of the CPUs; waiting")
        time.sleep(4)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50) if ms else float("nan"),
        "p95_ms": percentile(ms, 95) if ms else float("nan"),
        "mean_ms": sum(ms) / len(ms) if ms else float("nan"),
        "max_ms": max(ms, default=float("nan")),
    }


def dir_bytes(path: Path) -> int:
    """Disk usage of a folder (allocated blocks, like `du`)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in bytes, from /proc/<pid>/status."""
    result: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return result
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            result[key] = int(value.split()[0]) * 1024
    return result


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child process: no CAREERBOT_* leakage, offline, plus ``extra``."""
    from careerbot.offline import OFFLINE_ENV

    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(OFFLINE_ENV)
    env.update(extra)
    return env


def run_command(cmd: Sequence[str], env: dict[str, str], timeout: float = 600) -> dict[str, Any]:
    """Run a command to completion: wall seconds and, with /usr/bin/time -v, its peak RSS."""
    full = [str(TIME_BIN), "-v", *cmd] if TIME_BIN.exists() else list(cmd)
    started = time.perf_counter()
    done = subprocess.run(full, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = None
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak = int(line.rsplit(":", 1)[1]) * 1024
    return {"seconds": seconds, "peak_rss_bytes": peak, "stderr": done.stderr}


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


def forget_queries(embeddings: Any) -> None:
    """Empty careerbot's query-embedding cache so each timed query pays for its embedding."""
    cache = getattr(embeddings, "_query", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()


def load_eval(limit: int | None) -> list[dict[str, Any]]:
    """Items of the real-questions file with expected careers: last turn, earlier turns, slugs."""
    items = []
    for line in EVAL_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        turns = [str(t) for t in row.get("turns") or []]
        expected = [str(s) for s in row.get("expected_careers") or []]
        if not turns or not expected:
            continue
        items.append(
            {"id": row.get("id"), "question": turns[-1], "history": turns[:-1], "expected": expected}
        )
    return items[:limit] if limit else items


def hit_at_3(ranked_careers: Sequence[str], expected: Sequence[str]) -> bool:
    """Any expected slug among the first three distinct careers, in rank order."""
    first = list(dict.fromkeys(ranked_careers))[:3]
    return any(slug in first for slug in expected)


# Forty varied questions, written for this benchmark (not taken from the evaluation set).
QUESTIONS: tuple[str, ...] = (
    "What does a dental hygienist do all day?",
    "How do I become an electrician?",
    "What skills does a software developer need?",
    "How much do registered nurses make?",
    "Is being a lawyer stressful?",
    "What education do I need to be a pilot?",
    "I love animals, which careers fit me?",
    "What is the job outlook for data scientists?",
    "How can I get my first job as a graphic designer?",
    "What do paralegals do in a law firm?",
    "Which careers let me work outdoors?",
    "How long does it take to become a physician?",
    "What should I do in high school if I want to be an architect?",
    "What are the downsides of being a chef?",
    "Do plumbers need a license?",
    "What kind of organizations hire accountants?",
    "I'm good at math and like computers, what could I study?",
    "What's a typical day for a firefighter?",
    "How do I break into game development?",
    "What certifications help a cybersecurity analyst?",
    "Is teaching a rewarding career?",
    "What trends are changing journalism?",
    "What does a UX designer actually deliver?",
    "How physically demanding is welding?",
    "Can I become a pharmacist with a biology degree?",
    "What is the roadmap for a project manager?",
    "What's it like working as a paramedic on night shifts?",
    "Which jobs help people with their mental health?",
    "How do social media specialists measure success?",
    "What does an environmental scientist study in the field?",
    "What training does a police officer get?",
    "What should I do if I don't get into medical school?",
    "How competitive is it to become a musician?",
    "How does a real estate agent get paid?",
    "How do I start my own business?",
    "What do HVAC technicians repair?",
    "Which health care careers don't need a four-year degree?",
    "What does a librarian do besides lending books?",
    "How long is vet school and how do I become a veterinarian?",
    "I'm 30 and want to switch into web development, where do I start?",
)

_TEMPLATES = (
    "What does a {t} do?",
    "How do I become a {t}?",
    "What skills does a {t} need?",
    "How much does a {t} earn?",
    "What is a typical day for a {t}?",
    "What education does a {t} need?",
    "How do I land my first job as a {t}?",
    "What are the hard parts of being a {t}?",
    "What trends affect a {t} today?",
    "What should I do in high school to become a {t}?",
    "Where does a {t} usually work?",
    "What is plan B if being a {t} does not work out?",
)
_OPENERS = ("", "Quick question: ", "Hi! ", "Honestly, ", "I'm curious. ")


def question_stream(titles: Sequence[str]) -> Iterator[str]:
    """Unique questions for the HTTP load (no query-cache hits): templates x careers x openers."""
    combos = itertools.product(_OPENERS, _TEMPLATES, sorted(titles))
    for opener, template, title in combos:
        yield opener + template.format(t=title.lower())
    for n in itertools.count(1):  # only reached by very long runs
        yield f"Question {n}: what does a {sorted(titles)[n % len(titles)].lower()} do?"
