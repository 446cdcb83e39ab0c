"""The benchmarks keep working: `benchmarks/run_all.py --smoke` exits 0 and writes complete JSON.

Only the shape of the results is checked, never timings (those depend on the machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PHASES = ("ingest", "query", "quality", "serve", "scale")


@pytest.mark.slow
def test_smoke_run_exits_0_and_writes_its_json(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run_all.py"), "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(out.read_text(encoding="utf-8"))

    assert {"meta", *PHASES, "figures", "targets", "table"} <= set(results)
    for phase in PHASES:
        assert "error" not in results[phase], results[phase].get("traceback")
    assert results["meta"]["mode"] == "smoke"
    for phase in ("ingest", "query", "quality", "serve"):
        assert {"ours", "baseline"} <= set(results[phase])
    assert {"full_build_s", "reingest_unchanged_s", "changed_one_s", "cli_unchanged_s"} <= set(
        results["ingest"]["ours"]
    )
    assert {"retrieve", "answer", "first_piece"} <= set(results["query"]["ours"])
    assert {"p50_ms", "p95_ms"} <= set(results["query"]["baseline"]["retrieve"])
    assert results["scale"]["sizes"]
    for size in results["scale"]["sizes"].values():
        assert {"retrieve", "index_bytes"} <= set(size["ours"]) and {"retrieve", "index_bytes"} <= set(
            size["baseline"]
        )
    for system in ("ours", "baseline"):
        assert set(results["serve"][system]["throughput"]) == {"1", "4", "16"}

    assert results["figures"] and all(
        {"area", "figure", "unit", "ours", "baseline", "ratio"} <= set(row) for row in results["figures"]
    )
    assert len(results["targets"]) == 11
    assert all({"target", "value", "limit", "met"} <= set(row) for row in results["targets"])
    assert "| area | figure |" in results["table"] and "| area | figure |" in done.stdout


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [(range(1, 11), 50, 5), (range(1, 11), 95, 10), (range(1, 81), 95, 76), ([3.0], 50, 3.0), ([], 50, 0.0)],
)
def test_one_nearest_rank_percentile(values: range | list[float], q: float, expected: float) -> None:
    from careerbot.eval.metrics import percentile

    assert percentile(list(values), q) == expected
