"""Run every careerbot benchmark against the tutorial baseline; write JSON, print a markdown table.

Usage: ``run_all.py [--smoke] [--out FILE] [--keep]``; what it measures and writes: README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import report
from common import FULL, RESULTS_DIR, SMOKE, Workspace, log, wait_for_quiet, write_json

PHASES = ("ingest", "query", "serve", "scale")


def run(cfg: Any, ws: Workspace, phases: set[str]) -> dict[str, Any]:
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    import baseline
    import bench_ingest
    import bench_query
    import bench_scale
    import bench_serve

    from careerbot.embeddings import build_embeddings
    from careerbot.service import build_service
    from careerbot.settings import make_settings

    log(f"{cfg.mode} run in {ws.root}")
    models, load_s = {}, {}
    for name, make in (("ours", build_embeddings), ("baseline", baseline.make_embeddings)):
        started = time.perf_counter()
        models[name] = make()
        models[name].embed_query("warm-up")
        load_s[name] = time.perf_counter() - started
    embeddings, base_embeddings = models["ours"], models["baseline"]
    quiet = {"ingest": wait_for_quiet("ingest", cfg.quiet_wait)}
    results: dict[str, Any] = {"meta": {"model_load_s": load_s, "background_cpu_before_phase": quiet}}
    results["ingest"] = bench_ingest.run(cfg, ws, embeddings, base_embeddings)  # the others need it
    settings = make_settings(corpus_dir=ws.corpus, data_dir=ws.ours_data)
    service = build_service(settings, embeddings=embeddings, progress=False)
    rag = baseline.BaselineRAG(ws.base_data, base_embeddings)
    calls = {
        "query": lambda: bench_query.run(cfg, service, rag),
        "quality": lambda: bench_query.quality(cfg, service, rag),
        "serve": lambda: bench_serve.run(cfg, ws, [p.title for p in service.profiles]),
        "scale": lambda: bench_scale.run(cfg, ws, embeddings, base_embeddings),
    }
    for name, call in calls.items():
        if name not in phases and not (name == "quality" and "query" in phases):
            continue
        if name != "scale":  # scale waits itself, once its stores are built
            quiet[name] = wait_for_quiet(name, cfg.quiet_wait)
        try:
            results[name] = call()
        except Exception as exc:  # record it, run the other phases, fail at the end
            log(f"{name} failed: {type(exc).__name__}: {exc}")
            results[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="careerbot benchmarks (ours vs the tutorial baseline)")
    parser.add_argument("--smoke", action="store_true", help="tiny, fast run (CI)")
    parser.add_argument("--out", type=Path, help="JSON results file (default: benchmarks/results/...)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    skippable = ", ".join(PHASES[1:])
    parser.add_argument(
        "--skip", default="", help=f"comma-separated phases to skip (development only): {skippable}"
    )
    args = parser.parse_args(argv)
    cfg = SMOKE if args.smoke else FULL
    phases = set(PHASES) - {p.strip() for p in args.skip.split(",")}
    started_at, started, load_before = datetime.now(UTC), time.perf_counter(), os.getloadavg()
    ws = Workspace.create(cfg)
    try:
        results = run(cfg, ws, phases)
    finally:
        if args.keep:
            log(f"kept {ws.root}")
        else:
            ws.remove()
    results["meta"].update(
        mode=cfg.mode,
        date=started_at.strftime("%Y-%m-%d"),
        started_utc=started_at.isoformat(timespec="seconds"),
        duration_s=time.perf_counter() - started,
        python=platform.python_version(),
        machine=f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        skipped=sorted(set(PHASES) - phases),
        loadavg_1_5_15_before=[round(x, 2) for x in load_before],
        loadavg_1_5_15_after=[round(x, 2) for x in os.getloadavg()],
    )
    results["figures"] = report.figures(results)
    results["targets"] = report.targets(results)
    results["table"] = report.markdown(results["figures"], results["targets"])
    failed = [name for name, part in results.items() if isinstance(part, dict) and "error" in part]
    if failed:
        results["table"] += f"\nFailed phases (no figures): {', '.join(failed)}.\n"
    out = args.out or RESULTS_DIR / f"{cfg.mode}-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    text = write_json(out, results)
    if not args.out:  # the default place also gets <mode>-latest copies
        (RESULTS_DIR / f"{cfg.mode}-latest.json").write_text(text, encoding="utf-8")
        (RESULTS_DIR / f"{cfg.mode}-latest.md").write_text(results["table"], encoding="utf-8")
    print(
        f"## careerbot benchmarks ({cfg.mode}, {results['meta']['date']}, {results['meta']['duration_s'] / 60:.1f} min)\n"
    )
    print(results["table"])
    log(f"results: {out}")
    if failed:
        log(f"failed phases: {', '.join(failed)} (see their 'error' and 'traceback' in the JSON)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
