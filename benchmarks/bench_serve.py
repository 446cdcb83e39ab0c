"""Serving: start-up to first answer, peak RSS, and answered requests/s over HTTP on 127.0.0.1."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common
from common import Config, Workspace


def _serve(
    cfg: Config, cmd: list[str], env: dict[str, str], logfile: Path, titles: Sequence[str]
) -> dict[str, Any]:
    """Start-up (median of ``cfg.startup_runs`` launches), then load the last one and read its RSS."""
    runs = []
    for n in range(cfg.startup_runs):
        question = common.QUESTIONS[0]
        runs.append(common.launch(cmd, env, logfile, cfg.startup_timeout, question, answered=False))
        if n < cfg.startup_runs - 1:
            common.stop(runs[-1]["proc"])
    proc, url = runs[-1]["proc"], runs[-1]["url"]
    result: dict[str, Any] = {"command": " ".join(Path(c).name for c in cmd[:2])}
    for key in ("healthz", "first_answer"):
        result[f"{key}_runs_s"] = [r[f"{key}_s"] for r in runs]
        result[f"{key}_s"] = statistics.median(result[f"{key}_runs_s"])
    try:
        after_start = common.proc_status(proc.pid)
        result["rss_after_start_bytes"] = after_start.get("VmRSS")
        result["peak_rss_after_start_bytes"] = after_start.get("VmHWM")
        for question in common.QUESTIONS[1:4]:  # warm-up
            common.ask_http(url, question)
        questions, result["throughput"] = common.question_stream(titles), {}
        for clients in cfg.concurrency:
            common.log(f"serve: {result['command']}, {clients} client(s)")
            level = common.load(url, questions, clients, cfg.load_requests, cfg.load_seconds)
            result["throughput"][str(clients)] = level
        result["peak_rss_bytes"] = common.proc_status(proc.pid).get("VmHWM")
    finally:
        common.stop(proc)
    return result


def run(cfg: Config, ws: Workspace, titles: Sequence[str]) -> dict[str, Any]:
    """Ours: `python app.py` (per-client rate limit lifted for the load); baseline: `baseline.py serve`."""
    common.log("serve: ours, `python app.py` with an existing index")
    data = ws.copy(ws.ours_data, "serve-app-py")
    env = common.child_env(
        CAREERBOT_DATA_DIR=str(data), CAREERBOT_CORPUS_DIR=str(ws.corpus), CAREERBOT_HOST="127.0.0.1"
    )
    env["CAREERBOT_RATE_LIMIT_PER_MINUTE"] = str(common.NO_RATE_LIMIT)
    ours = _serve(cfg, [common.PYTHON, str(common.REPO / "app.py")], env, ws.path("serve-app-py.log"), titles)
    common.log("serve: baseline, `python baseline.py serve`")
    cmd = [common.PYTHON, str(common.BENCH_DIR / "baseline.py"), "serve", "--data"]
    cmd.append(str(ws.copy(ws.base_data, "serve-baseline")))
    base = _serve(cfg, cmd, common.child_env(), ws.path("serve-baseline.log"), titles)
    return {"app_py": ours, "ours": ours, "baseline": base}
