"""Turn raw results into figures (ours, baseline, ratio), target checks and a markdown table."""

from __future__ import annotations

from typing import Any

from common import MIB

GIB = 1024 * MIB
PCTS = ("p50", "p95")
FIGURE = ("area", "figure", "unit", "ours", "baseline", "ratio", "better")
QUERIES = {"retrieve": "retrieval", "answer": "answer (end to end)", "first_piece": "first streamed piece"}


def _ok(r: dict[str, Any], name: str) -> bool:
    """The phase ran and did not fail."""
    return isinstance(r.get(name), dict) and "error" not in r[name]


def _get(values: dict[str, Any], key: str) -> Any:
    """A value at a dotted path ("retrieve.p50_ms"), None when absent."""
    for part in key.split("."):
        values = values.get(part) if isinstance(values, dict) else None  # type: ignore[assignment]
    return values


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure, ours against the baseline: (area, figure, unit, key in both systems' results)."""
    rows: list[tuple[str, str, str, dict[str, Any], str]] = []  # area, name, unit, part, key
    if _ok(r, "ingest"):
        i, o = r["ingest"], r["ingest"]["ours"]
        chunks = f"{o['profiles']} profiles; {o['chunks']} vs {i['baseline']['chunks']} chunks"
        rows += [
            ("ingest", "chunks embedded per second (full build)", "chunks/s", i, "chunks_per_s"),
            ("ingest", f"full build, real corpus ({chunks})", "s", i, "full_build_s"),
            ("ingest", "re-ingest, unchanged corpus (in-process)", "s", i, "reingest_unchanged_s"),
            ("ingest", "re-ingest, one profile changed (in-process)", "s", i, "changed_one_s"),
            ("ingest", "`ingest` command, unchanged corpus (whole process)", "s", i, "cli_unchanged_s"),
            ("memory", "`ingest` command peak RSS", "MiB", i, "cli_peak_rss_bytes"),
            ("memory", "index size on disk, real corpus", "MiB", i, "index_bytes"),
        ]
    for key, name in QUERIES.items() if _ok(r, "query") else ():
        rows += [("query", f"{name} {p}", "ms", r["query"], f"{key}.{p}_ms") for p in PCTS]
    if _ok(r, "quality"):
        name = f"hit@3, {r['quality']['items']} real questions"
        rows.append(("quality", name, "%", r["quality"], "hit_at_3"))
    for n, size in (r["scale"]["sizes"] if _ok(r, "scale") else {}).items():
        rows += [
            ("scale", f"retrieval {p} at {int(n):,} chunks", "ms", size, f"retrieve.{p}_ms") for p in PCTS
        ]
        rows.append(("scale", f"index size on disk at {int(n):,} chunks", "MiB", size, "index_bytes"))
    if _ok(r, "serve"):
        s, o = r["serve"], r["serve"]["ours"]
        label = f"(ours: `{o['command']}`, baseline: `{s['baseline']['command']}`)"
        runs = f"median of {len(o['healthz_runs_s'])} launch(es)"
        rows += [
            ("serve", f"start-up to /healthz 200 {label}, {runs}", "s", s, "healthz_s"),
            ("serve", f"start-up to first answered POST /api/chat, {runs}", "s", s, "first_answer_s"),
            ("memory", "peak RSS of the server after start-up", "MiB", s, "peak_rss_after_start_bytes"),
            ("memory", "peak RSS of the server after the load", "MiB", s, "peak_rss_bytes"),
        ]
        for clients in o.get("throughput", {}):
            key = f"throughput.{clients}.req_per_s"
            rows.append(("serve", f"answered requests/s, {clients} client(s)", "req/s", s, key))
    out = []
    for area, name, unit, part, key in rows:
        convert = {"MiB": lambda v: v / MIB, "%": lambda v: 100 * v}.get(unit, lambda v: v)
        ours, base = (_get(part[system], key) for system in ("ours", "baseline"))
        ours, base = (None if v is None else convert(v) for v in (ours, base))
        better = "higher" if unit in ("chunks/s", "%", "req/s") else "lower"
        ratio = None if ours is None or not base else ours / base
        out.append(dict(zip(FIGURE, (area, name, unit, ours, base, ratio, better), strict=True)))
    return out


def _target(
    name: str, value: float | None, limit: float, unit: str, at_least: bool = False
) -> dict[str, Any]:
    met = None if value is None else (value >= limit if at_least else value <= limit)
    return {"target": name, "value": value, "limit": limit, "unit": unit, "at_least": at_least, "met": met}


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: its value, limit (a maximum, or a minimum when ``at_least``) and whether it is met."""
    checks: list[dict[str, Any]] = []
    if _ok(r, "query"):
        p50, base_p50 = r["query"]["ours"]["retrieve"]["p50_ms"], r["query"]["baseline"]["retrieve"]["p50_ms"]
        checks += [
            _target("retrieval p50, real corpus", p50, 30, "ms"),
            _target("answer p50 (end to end), real corpus", r["query"]["ours"]["answer"]["p50_ms"], 15, "ms"),
            _target("retrieval p50 vs baseline's (ours/baseline)", p50 / base_p50, 1.5, "x"),
        ]
    sizes = r["scale"]["sizes"] if _ok(r, "scale") else {}
    if sizes:
        n = max(sizes, key=int)
        checks.append(
            _target(f"retrieval p50 at {int(n):,} chunks", sizes[n]["ours"]["retrieve"]["p50_ms"], 60, "ms")
        )
    if _ok(r, "ingest"):
        o = r["ingest"]["ours"]
        checks += [
            _target(f"ingest (full build) of {o['profiles']} profiles", o["full_build_s"], 12, "s"),
            _target("re-ingest, unchanged corpus (in-process)", o["reingest_unchanged_s"], 3, "s"),
            _target("re-ingest, one profile changed (in-process)", o["changed_one_s"], 5, "s"),
        ]
    if _ok(r, "serve"):
        o = r["serve"]["ours"]
        peaks = [p for p in (o["peak_rss_after_start_bytes"], o.get("peak_rss_bytes")) if p is not None]
        checks += [
            _target("start-up to first answer (`python app.py`, median)", o["first_answer_s"], 5, "s"),
            _target("serving peak RSS", max(peaks) / GIB if peaks else None, 500 / 1024, "GiB"),
            _target(
                "answered requests/s with 4 clients", _get(o, "throughput.4.req_per_s"), 100, "req/s", True
            ),
        ]
    if _ok(r, "quality"):
        q = r["quality"]
        points = 100 * (q["ours"]["hit_at_3"] - q["baseline"]["hit_at_3"])
        checks.append(_target("hit@3 minus baseline's (points)", points, 0, "pts", True))
    return checks


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit in ("%", "pts", "x"):
        return f"{value:.2f}" if unit == "x" else f"{value:.1f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def markdown(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    """The figures table, then the targets table."""
    lines = ["| area | figure | unit | ours | baseline | ours / baseline |", "|---|---|---|---:|---:|---:|"]
    for row in rows:
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        values = [_num(row[system], row["unit"]) for system in ("ours", "baseline")]
        lines.append("| " + " | ".join([row["area"], row["figure"], row["unit"], *values, ratio]) + " |")
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for c in checks:
        limit = f"{'≥' if c['at_least'] else '≤'} {_num(c['limit'], c['unit'])} {c['unit']}"
        met = {True: "met", False: "**missed**", None: "—"}[c["met"]]
        lines.append(f"| {c['target']} | {_num(c['value'], c['unit'])} {c['unit']} | {limit} | {met} |")
    return "\n".join(lines) + "\n"
