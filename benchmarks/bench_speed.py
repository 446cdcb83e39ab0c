"""Issue 13's figures for this tree and an earlier commit, measured in the same run, side by side.

    .venv/bin/python benchmarks/bench_speed.py --before 78e6e96      # about 10 minutes on 2 cores

Each tree runs in its own processes with ``PYTHONPATH=<tree>/src`` (the earlier commit is checked out
in a temporary git worktree), on the full corpus, in a temporary data dir. Whole-process figures are
wall time, CPU time (user + sys, from wait4, so they hold up on a busy machine) and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_serve import _load
from common import (
    CORPUS,
    NO_RATE_LIMIT,
    PYTHON,
    QUESTIONS,
    REPO,
    Workspace,
    child_env,
    free_port,
    log,
    proc_status,
    question_stream,
    stop,
    wait_http,
)

from careerbot.eval.metrics import percentile

QUESTION = "How do I become a welder?"
MIB = 1024 * 1024

# Full ingest in process, as bench_ingest measures it: model loaded and warm, then what
# `careerbot ingest --rebuild` does after start-up.
INGEST_IN_PROCESS = """
import inspect, json, sys, time
from careerbot.embeddings import build_embeddings
from careerbot.indexing import sync_index
from careerbot.service import load_chunks, open_store
from careerbot.settings import make_settings
settings = make_settings()
extra = {"cache_dir": settings.data_dir} if "cache_dir" in inspect.signature(build_embeddings).parameters else {}
embeddings = build_embeddings(**extra)
embeddings.embed_query("warm-up")
started = time.perf_counter()
profiles, chunks, _ = load_chunks(settings)
store = open_store(settings, embeddings, rebuild=True)
sync_index(store, embeddings, chunks, progress=False)
print(json.dumps({"seconds": time.perf_counter() - started, "chunks": len(chunks)}))
"""

# Answer latency in process: the service built over the existing index, 3 warm-ups, unique questions.
ANSWERS_IN_PROCESS = """
import json, sys, time
from careerbot import build_service
service = build_service()
questions = json.loads(sys.stdin.read())
for q in questions[:3]:
    service.ask(q)
seconds = []
for q in questions[3:]:
    started = time.perf_counter()
    service.ask(q)
    seconds.append(time.perf_counter() - started)
print(json.dumps(seconds))
"""

TARGETS = {  # figure -> (limit, unit, higher is better)
    "ask_wall_s": (2.5, "s", False),
    "ingest_unchanged_wall_s": (2.0, "s", False),
    "serve_first_answer_s": (5.0, "s", False),
    "serve_page_ready_s": (7.0, "s", False),
    "answers_per_s_4_clients": (100.0, "req/s", True),
    "answer_p50_ms": (15.0, "ms", False),
    "serve_peak_rss_mib": (500.0, "MiB", False),
    "full_ingest_s": (12.0, "s", False),
}
LABELS = {
    "ask_wall_s": "`careerbot ask` whole process, wall (median of 3)",
    "ask_cpu_s": "`careerbot ask` whole process, CPU",
    "ask_peak_rss_mib": "`careerbot ask` peak RSS",
    "ingest_unchanged_wall_s": "unchanged `careerbot ingest`, wall (median of 3)",
    "ingest_unchanged_cpu_s": "unchanged `careerbot ingest`, CPU",
    "first_ingest_wall_s": "first `careerbot ingest` (new: incl. the one-time ONNX export), wall",
    "full_ingest_s": "full ingest of the corpus, in process (model loaded)",
    "serve_first_answer_s": "serve: launch to first /api/chat answer (`serve`, page on)",
    "serve_page_ready_s": "serve: launch to the page (GET / 200)",
    "serve_api_first_answer_s": "serve --no-page: launch to first /api/chat answer",
    "answers_per_s_4_clients": "answers/s at 4 clients (`serve`)",
    "serve_p50_ms_4_clients": "HTTP latency p50 at 4 clients",
    "serve_peak_rss_mib": "serving peak RSS after the load (`serve`)",
    "serve_api_peak_rss_mib": "serving peak RSS after the load (`serve --no-page`)",
    "answer_p50_ms": "answer p50 in process",
    "answer_p95_ms": "answer p95 in process",
}
# The tutorial RAG setup (benchmarks/baseline.py), from the recorded full run in README.md.
TUTORIAL = {
    "ingest_unchanged_wall_s": 26.0,
    "full_ingest_s": 16.4,
    "serve_first_answer_s": 10.1,
    "answers_per_s_4_clients": 50.2,
    "answer_p50_ms": 15.7,
    "answer_p95_ms": 26.6,
    "serve_peak_rss_mib": 778.0,
}


def timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    """Run a process to the end; its stdout."""
    done = subprocess.run(cmd, cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {done.stderr[-2000:]}")
    return done.stdout


def _cpu(usage: Any) -> float | None:
    return None if usage is None else usage.ru_utime + usage.ru_stime


def _rss(usage: Any) -> float | None:
    return None if usage is None else usage.ru_maxrss / 1024


def timed_cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """A careerbot command: wall, CPU (user + sys) and peak RSS of that process alone (wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "-m", "careerbot.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"careerbot {' '.join(args)} exited with {proc.returncode}")
    return {"wall": time.perf_counter() - started, "cpu": _cpu(usage), "rss_mib": _rss(usage), "out": out}


def serve(
    env: dict[str, str], extra: list[str], logfile: Path, page: bool, load_s: float
) -> dict[str, float]:
    """Launch `careerbot serve`, time the first answer (and the page), then 4 clients for ``load_s``."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with logfile.open("wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [PYTHON, "-m", "careerbot.cli", "serve", "--port", str(port), *extra],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=sink,
        )
    result: dict[str, float] = {}
    try:
        wait_http(url + "/healthz", proc, 300, interval=0.02)
        while True:  # the first answered question, polled like a user retrying
            reply = httpx.post(url + "/api/chat", json={"message": QUESTION, "history": []}, timeout=120)
            if reply.status_code == 200 and reply.json().get("status") == "answered":
                break
        result["first_answer_s"] = time.perf_counter() - started
        if page:
            while httpx.get(url + "/", timeout=60).status_code != 200:
                time.sleep(0.02)
            result["page_ready_s"] = time.perf_counter() - started
        titles = [line.split(":", 1)[1].strip() for line in _titles()]
        load = asyncio.run(_load(url, question_stream(titles), 4, 100_000, load_s))
        result["answers_per_s"] = load["req_per_s"]
        result["p50_ms"] = load["latency"]["p50_ms"]
        result["failed"] = load["failed"]
        result["peak_rss_mib"] = proc_status(proc.pid).get("VmHWM", 0) / MIB
    finally:
        stop(proc)
    return result


def _titles() -> list[str]:
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines()[:5]:
            if line.startswith("title:"):
                lines.append(line)
    return lines


def measure(label: str, src: Path, ws: Workspace, load_s: float) -> dict[str, float]:
    """Every figure for one source tree."""
    data = ws.path(f"{label}-data")
    env = child_env(
        PYTHONPATH=str(src),
        CAREERBOT_DATA_DIR=str(data),
        CAREERBOT_CORPUS_DIR=str(CORPUS),
        CAREERBOT_RATE_LIMIT_PER_MINUTE=str(NO_RATE_LIMIT),
    )
    fig: dict[str, float] = {}
    log(f"{label}: first ingest")
    fig["first_ingest_wall_s"] = timed_cli(["ingest"], env)["wall"]
    runs = []
    for _ in range(3):
        runs.append(timed_cli(["ingest"], env))
    fig["ingest_unchanged_wall_s"] = statistics.median(r["wall"] for r in runs)
    fig["ingest_unchanged_cpu_s"] = statistics.median(r["cpu"] for r in runs)
    log(f"{label}: ask x3")
    runs = [timed_cli(["ask", QUESTION], env) for _ in range(3)]
    fig["ask_wall_s"] = statistics.median(r["wall"] for r in runs)
    fig["ask_cpu_s"] = statistics.median(r["cpu"] for r in runs)
    fig["ask_peak_rss_mib"] = max(r["rss_mib"] for r in runs)
    log(f"{label}: answers in process")
    titles = [line.split(":", 1)[1].strip() for line in _titles()]
    stream = question_stream(titles)
    questions = [*QUESTIONS[:3], *(next(stream) for _ in range(200))]
    out = timed([PYTHON, "-c", ANSWERS_IN_PROCESS], env, json.dumps(questions))
    ms = [s * 1000 for s in json.loads(out.strip().splitlines()[-1])]
    fig["answer_p50_ms"] = percentile(ms, 50)
    fig["answer_p95_ms"] = percentile(ms, 95)
    log(f"{label}: serve (page on)")
    served = serve(env, [], ws.path(f"{label}-serve.log"), True, load_s)
    fig["serve_first_answer_s"] = served["first_answer_s"]
    fig["serve_page_ready_s"] = served["page_ready_s"]
    fig["answers_per_s_4_clients"] = served["answers_per_s"]
    fig["serve_p50_ms_4_clients"] = served["p50_ms"]
    fig["serve_peak_rss_mib"] = served["peak_rss_mib"]
    if (src / "careerbot" / "onnx_embed.py").exists():  # --no-page exists from this issue on
        log(f"{label}: serve --no-page")
        api = serve(env, ["--no-page"], ws.path(f"{label}-serve-api.log"), False, load_s)
        fig["serve_api_first_answer_s"] = api["first_answer_s"]
        fig["serve_api_peak_rss_mib"] = api["peak_rss_mib"]
    log(f"{label}: full ingest in process")
    out = timed([PYTHON, "-c", INGEST_IN_PROCESS], env)
    fig["full_ingest_s"] = json.loads(out.strip().splitlines()[-1])["seconds"]
    return fig


def table(before: dict[str, float] | None, after: dict[str, float], ref: str) -> str:
    """Markdown: figure, before, after, tutorial baseline, target, met."""
    head = f"| figure | before ({ref}) | now | tutorial baseline (recorded) | target | met |"
    lines = [head, "|---|---:|---:|---:|---:|---|"]
    for key, label in LABELS.items():
        if key not in after:
            continue
        target = TARGETS.get(key)
        met = ""
        if target:
            limit, _unit, higher = target
            ok = after[key] >= limit if higher else after[key] <= limit
            met = "met" if ok else "**not met**"
        cells = [
            label,
            _fmt(before.get(key) if before else None),
            _fmt(after[key]),
            _fmt(TUTORIAL.get(key)),
            f"{'≥' if target and target[2] else '≤'} {target[0]:g} {target[1]}" if target else "",
            met,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a commit to measure in the same run (e.g. 78e6e96)")
    parser.add_argument("--load-seconds", type=float, default=8.0)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "speed-latest.json")
    args = parser.parse_args(argv)
    ws = Workspace(Path(tempfile.mkdtemp(prefix="careerbot-speed-")))
    try:
        before = None
        if args.before:
            tree = ws.path("before-tree")
            subprocess.run(
                ["git", "worktree", "add", "--detach", "-q", str(tree), args.before], cwd=REPO, check=True
            )
            try:
                before = measure("before", tree / "src", ws, args.load_seconds)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
        after = measure("now", REPO / "src", ws, args.load_seconds)
    finally:
        ws.remove()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"before": before, "now": after, "ref": args.before}, indent=2))
    print(table(before, after, args.before or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
