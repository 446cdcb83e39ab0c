"""Serving: start-up to first answer, peak RSS, and answered requests/s over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from common import (
    BENCH_DIR,
    NO_RATE_LIMIT,
    PYTHON,
    QUESTIONS,
    REPO,
    Config,
    Workspace,
    child_env,
    free_port,
    latency_summary,
    log,
    proc_status,
    question_stream,
    stop,
    wait_http,
)

CHAT = "/api/chat"


def _launch(cmd: Sequence[str], env: dict[str, str], logfile: Path) -> tuple[subprocess.Popen[bytes], float]:
    with logfile.open("wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=REPO, env=env, stdout=sink, stderr=sink)
    return proc, started


def _ask(url: str, question: str) -> dict[str, Any] | None:
    """One chat request; None when the server has no JSON chat route."""
    import httpx

    response = httpx.post(url + CHAT, json={"message": question, "history": []}, timeout=120)
    if response.status_code != 200:
        return None
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and "answer" in payload else None


async def _load(
    url: str, questions: Iterator[str], clients: int, max_requests: int, seconds: float
) -> dict[str, Any]:
    """``clients`` concurrent loops of POST /api/chat until ``max_requests`` or ``seconds``."""
    import httpx

    counts = {"issued": 0, "ok": 0, "failed": 0, "answered": 0}
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while counts["issued"] < max_requests and time.perf_counter() < deadline:
                counts["issued"] += 1
                sent = time.perf_counter()
                try:
                    response = await client.post(CHAT, json={"message": next(questions), "history": []})
                except httpx.HTTPError:
                    counts["failed"] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code == 200:
                    counts["ok"] += 1
                    counts["answered"] += response.json().get("status") == "answered"
                else:
                    counts["failed"] += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": counts["ok"],
        "failed": counts["failed"],
        "status_answered": counts["answered"],
        "seconds": elapsed,
        "req_per_s": counts["ok"] / elapsed,
        "latency": latency_summary(latencies),
    }


def _start(
    cfg: Config, cmd: list[str], env: dict[str, str], logfile: Path
) -> tuple[subprocess.Popen[bytes], str, float, float]:
    """Launch a server; seconds until /healthz answers 200 and until a first chat answer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc, started = _launch(cmd, {**env, "CAREERBOT_PORT": str(port)}, logfile)
    try:
        wait_http(url + "/healthz", proc, cfg.startup_timeout)
        healthz_s = time.perf_counter() - started
        if _ask(url, QUESTIONS[0]) is None:
            raise RuntimeError(f"{cmd[-1]} did not answer POST {CHAT}")
    except BaseException:
        stop(proc)
        raise
    return proc, url, healthz_s, time.perf_counter() - started


def _serve(
    cfg: Config, cmd: list[str], env: dict[str, str], logfile: Path, titles: Sequence[str]
) -> dict[str, Any]:
    """Start-up (median of ``cfg.startup_runs`` launches), then load the last one and read its RSS."""
    runs = []
    for _ in range(cfg.startup_runs - 1):
        proc, _url, healthz_s, first_s = _start(cfg, cmd, env, logfile)
        stop(proc)
        runs.append((healthz_s, first_s))
    proc, url, healthz_s, first_s = _start(cfg, cmd, env, logfile)
    runs.append((healthz_s, first_s))
    result: dict[str, Any] = {
        "command": " ".join(Path(c).name for c in cmd[:2]),
        "healthz_runs_s": [h for h, _f in runs],
        "first_answer_runs_s": [f for _h, f in runs],
        "healthz_s": statistics.median(h for h, _f in runs),
        "first_answer_s": statistics.median(f for _h, f in runs),
    }
    try:
        after_start = proc_status(proc.pid)
        result["rss_after_start_bytes"] = after_start.get("VmRSS")
        result["peak_rss_after_start_bytes"] = after_start.get("VmHWM")
        for question in QUESTIONS[1:4]:  # warm-up
            _ask(url, question)
        questions = question_stream(titles)
        load = []
        for clients in cfg.concurrency:
            log(f"serve: {result['command']}, {clients} client(s)")
            load.append(asyncio.run(_load(url, questions, clients, cfg.load_requests, cfg.load_seconds)))
        result["throughput"] = {str(item["clients"]): item for item in load}
        result["peak_rss_bytes"] = proc_status(proc.pid).get("VmHWM")
    finally:
        stop(proc)
    return result


def _data_copy(ws: Workspace, source: Path, name: str) -> Path:
    data = ws.path(name)
    shutil.copytree(source, data)
    return data


def run(cfg: Config, ws: Workspace, titles: Sequence[str]) -> dict[str, Any]:
    """Ours: `python app.py` itself (the per-client rate limit lifted for the load); the baseline:
    serve_app.py."""
    log("serve: ours, `python app.py` with an existing index")
    env = child_env(
        CAREERBOT_DATA_DIR=str(_data_copy(ws, ws.ours_data, "serve-app-py")),
        CAREERBOT_CORPUS_DIR=str(ws.corpus),
        CAREERBOT_HOST="127.0.0.1",
        CAREERBOT_RATE_LIMIT_PER_MINUTE=str(NO_RATE_LIMIT),
    )
    ours = _serve(cfg, [PYTHON, str(REPO / "app.py")], env, ws.path("serve-app-py.log"), titles)
    log("serve: baseline, serve_app.py")
    data = _data_copy(ws, ws.base_data, "serve-baseline")
    cmd = [PYTHON, str(BENCH_DIR / "serve_app.py"), "--data", str(data)]
    baseline = _serve(cfg, cmd, child_env(), ws.path("serve-baseline.log"), titles)
    return {"app_py": ours, "ours": ours, "baseline": baseline}
