"""Issue 13's figures for this tree and an earlier commit, measured in the same run, side by side.

Usage: ``bench_speed.py --before 78e6e96`` (about 10 minutes on 2 cores). Each tree runs in its own
processes with PYTHONPATH=<tree>/src (the earlier commit in a temporary git worktree); method: README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import common

QUESTION = "How do I become a welder?"

# Full ingest in process, as bench_ingest measures it: model loaded and warm, then what
# `careerbot ingest` does after start-up into an empty store.
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
settings = make_settings(data_dir=settings.data_dir / "full-ingest")
started = time.perf_counter()
profiles, chunks, _ = load_chunks(settings)
store = open_store(settings, embeddings)
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

# figure -> label, target (limit, unit, higher is better), the tutorial RAG setup (benchmarks/baseline.py)
# from the recorded full run in README.md
ROWS: dict[str, tuple[str, tuple[float, str, bool] | None, float | None]] = {
    "ask_wall_s": ("`careerbot ask` whole process, wall (median of 3)", (2.5, "s", False), None),
    "ask_cpu_s": ("`careerbot ask` whole process, CPU", None, None),
    "ask_peak_rss_mib": ("`careerbot ask` peak RSS", None, None),
    "ingest_unchanged_wall_s": ("unchanged `careerbot ingest`, wall (median of 3)", (2.0, "s", False), 26.0),
    "ingest_unchanged_cpu_s": ("unchanged `careerbot ingest`, CPU", None, None),
    "first_ingest_wall_s": (
        "first `careerbot ingest` (new: incl. the one-time ONNX export), wall",
        None,
        None,
    ),
    "full_ingest_s": ("full ingest of the corpus, in process (model loaded)", (12.0, "s", False), 16.4),
    "serve_first_answer_s": (
        "serve: launch to first /api/chat answer (`serve`, page on)",
        (5.0, "s", False),
        10.1,
    ),
    "serve_page_ready_s": ("serve: launch to the page (GET / 200)", (7.0, "s", False), None),
    "serve_api_first_answer_s": ("serve --no-page: launch to first /api/chat answer", None, None),
    "answers_per_s_4_clients": ("answers/s at 4 clients (`serve`)", (100.0, "req/s", True), 50.2),
    "serve_p50_ms_4_clients": ("HTTP latency p50 at 4 clients", None, None),
    "serve_peak_rss_mib": ("serving peak RSS after the load (`serve`)", (500.0, "MiB", False), 778.0),
    "serve_api_peak_rss_mib": ("serving peak RSS after the load (`serve --no-page`)", None, None),
    "answer_p50_ms": ("answer p50 in process", (15.0, "ms", False), 15.7),
    "answer_p95_ms": ("answer p95 in process", None, 26.6),
}


def serve(
    env: dict[str, str], extra: list[str], logfile: Path, load_s: float, titles: list[str], answered: bool
) -> dict[str, float]:
    """Launch `careerbot serve` (``extra``: `--no-page` or nothing), time the first answer (and the page),
    then 4 clients for ``load_s``; figures named "serve_..." ("serve_api_..." without the page)."""
    import httpx

    cmd, name = [common.PYTHON, "-m", "careerbot.cli", "serve", *extra], "serve_api" if extra else "serve"
    server = common.launch(cmd, env, logfile, 300, QUESTION, answered=answered)
    fig = {f"{name}_first_answer_s": server["first_answer_s"]}
    try:
        while not extra and httpx.get(server["url"] + "/", timeout=60).status_code != 200:
            time.sleep(0.02)
        if not extra:
            fig["serve_page_ready_s"] = time.perf_counter() - server["started"]
        got = common.load(server["url"], common.question_stream(titles), 4, 100_000, load_s)
        if not extra:
            fig |= {
                "answers_per_s_4_clients": got["req_per_s"],
                "serve_p50_ms_4_clients": got["latency"]["p50_ms"],
            }
        fig[f"{name}_peak_rss_mib"] = common.proc_status(server["proc"].pid).get("VmHWM", 0) / common.MIB
    finally:
        common.stop(server["proc"])
    return fig


def measure(label: str, src: Path, ws: common.Workspace, load_s: float) -> dict[str, float]:
    """Every figure for one source tree."""
    from careerbot.corpus import load_corpus

    data, limit = str(ws.path(f"{label}-data")), str(common.NO_RATE_LIMIT)
    env = common.child_env(
        PYTHONPATH=str(src), CAREERBOT_DATA_DIR=data, CAREERBOT_CORPUS_DIR=str(common.CORPUS)
    )
    env["CAREERBOT_RATE_LIMIT_PER_MINUTE"] = limit
    cli = [common.PYTHON, "-m", "careerbot.cli"]
    common.log(f"{label}: first ingest")
    fig = {"first_ingest_wall_s": common.run_timed([*cli, "ingest"], env)["seconds"]}
    common.log(f"{label}: unchanged ingest x3, ask x3")
    for name, args in (("ingest_unchanged", ["ingest"]), ("ask", ["ask", QUESTION])):
        runs = [common.run_timed([*cli, *args], env) for _ in range(3)]
        fig[f"{name}_wall_s"] = statistics.median(r["seconds"] for r in runs)
        fig[f"{name}_cpu_s"] = statistics.median(r["cpu_s"] for r in runs)
    fig["ask_peak_rss_mib"] = max(r["peak_rss_bytes"] for r in runs) / common.MIB  # runs: the ask runs
    common.log(f"{label}: answers in process")
    titles = [p.title for p in load_corpus(common.CORPUS).profiles]
    stream = common.question_stream(titles)
    questions = [*common.QUESTIONS[:3], *(next(stream) for _ in range(200))]
    out = common.run_timed([common.PYTHON, "-c", ANSWERS_IN_PROCESS], env, json.dumps(questions))["out"]
    ms = [s * 1000 for s in json.loads(out.strip().splitlines()[-1])]
    fig |= {"answer_p50_ms": common.percentile(ms, 50), "answer_p95_ms": common.percentile(ms, 95)}
    common.log(f"{label}: serve (page on)")
    # the earlier tree never got an "answered" reply to QUESTION from today's corpus: any first reply counts there
    now = label == "now"
    fig |= serve(env, [], ws.path(f"{label}-serve.log"), load_s, titles, answered=now)
    if (src / "careerbot" / "onnx_embed.py").exists():  # --no-page exists from this issue on
        common.log(f"{label}: serve --no-page")
        fig |= serve(env, ["--no-page"], ws.path(f"{label}-serve-api.log"), load_s, titles, answered=now)
    common.log(f"{label}: full ingest in process")
    out = common.run_timed([common.PYTHON, "-c", INGEST_IN_PROCESS], env)["out"]
    fig["full_ingest_s"] = json.loads(out.strip().splitlines()[-1])["seconds"]
    return fig


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}" if value < 100 else f"{value:.0f}"


def table(before: dict[str, float] | None, after: dict[str, float], ref: str) -> str:
    """Markdown: figure, before, after, tutorial baseline, target, met."""
    lines = [
        f"| figure | before ({ref}) | now | tutorial baseline (recorded) | target | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, (label, target, tutorial) in ROWS.items():
        if key not in after:
            continue
        limit = met = ""
        if target:
            value, (bound, unit, at_least) = after[key], target
            limit = f"{'≥' if at_least else '≤'} {bound:g} {unit}"
            met = "met" if (value >= bound if at_least else value <= bound) else "**not met**"
        cells = [label, _fmt((before or {}).get(key)), _fmt(after[key]), _fmt(tutorial), limit, met]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a commit to measure in the same run (e.g. 78e6e96)")
    # 8 s windows moved by 10-20 % from run to run; 20 s ones are steadier.
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "speed-latest.json")
    args = parser.parse_args(argv)
    ws = common.Workspace.create()
    try:
        before: dict[str, Any] | None = None
        if args.before:
            tree, git = ws.path("before-tree"), ["git", "-C", str(common.REPO), "worktree"]
            subprocess.run([*git, "add", "--detach", "-q", str(tree), args.before], check=True)
            try:
                before = measure("before", tree / "src", ws, args.load_seconds)
            finally:
                subprocess.run([*git, "remove", "--force", str(tree)], check=False)
        after = measure("now", common.REPO / "src", ws, args.load_seconds)
    finally:
        ws.remove()
    common.write_json(args.out, {"before": before, "now": after, "ref": args.before})
    print(table(before, after, args.before or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
