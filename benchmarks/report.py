"""Turn raw results into figures (ours, baseline, ratio), target checks and a markdown table."""

from __future__ import annotations

from typing import Any

from common import MIB

GIB = 1024 * MIB


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
    if _ok(r, "query"):
        for key, name in (
            ("retrieve", "retrieval"),
            ("answer", "answer (end to end)"),
            ("first_piece", "first streamed piece"),
        ):
            rows += [("query", f"{name} {p}", "ms", r["query"], f"{key}.{p}_ms") for p in ("p50", "p95")]
    if _ok(r, "quality"):
        rows.append(
            ("quality", f"hit@3, {r['quality']['items']} real questions", "%", r["quality"], "hit_at_3")
        )
    for n, size in (r["scale"]["sizes"] if _ok(r, "scale") else {}).items():
        rows += [
            ("scale", f"retrieval {p} at {int(n):,} chunks", "ms", size, f"retrieve.{p}_ms")
            for p in ("p50", "p95")
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
        ours, base = (
            None if v is None else convert(v)
            for v in (_get(part[system], key) for system in ("ours", "baseline"))
        )
        better = "higher" if unit in ("chunks/s", "%", "req/s") else "lower"
        ratio = None if ours is None or not base else ours / base
        out.append(
            {
                "area": area,
                "figure": name,
                "unit": unit,
                "ours": ours,
                "baseline": base,
                "ratio": ratio,
                "better": better,
            }
        )
    return out


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: (name, value, limit, unit, at least)."""
    checks: list[tuple[str, float | None, float, str, bool]] = []
    if _ok(r, "query"):
        o, b = r["query"]["ours"], r["query"]["baseline"]
        checks += [
            ("retrieval p50, real corpus", o["retrieve"]["p50_ms"], 30, "ms", False),
            ("answer p50 (end to end), real corpus", o["answer"]["p50_ms"], 15, "ms", False),
            (
                "retrieval p50 vs baseline's (ours/baseline)",
                o["retrieve"]["p50_ms"] / b["retrieve"]["p50_ms"],
                1.5,
                "x",
                False,
            ),
        ]
    sizes = r["scale"]["sizes"] if _ok(r, "scale") else {}
    if sizes:
        n = max(sizes, key=int)
        checks.append(
            (f"retrieval p50 at {int(n):,} chunks", sizes[n]["ours"]["retrieve"]["p50_ms"], 60, "ms", False)
        )
    if _ok(r, "ingest"):
        o = r["ingest"]["ours"]
        checks += [
            (f"ingest (full build) of {o['profiles']} profiles", o["full_build_s"], 12, "s", False),
            ("re-ingest, unchanged corpus (in-process)", o["reingest_unchanged_s"], 3, "s", False),
            ("re-ingest, one profile changed (in-process)", o["changed_one_s"], 5, "s", False),
        ]
    if _ok(r, "serve"):
        o = r["serve"]["ours"]
        peaks = [p for p in (o["peak_rss_after_start_bytes"], o.get("peak_rss_bytes")) if p is not None]
        checks += [
            ("start-up to first answer (`python app.py`, median)", o["first_answer_s"], 5, "s", False),
            ("serving peak RSS", max(peaks) / GIB if peaks else None, 500 / 1024, "GiB", False),
            ("answered requests/s with 4 clients", _get(o, "throughput.4.req_per_s"), 100, "req/s", True),
        ]
    if _ok(r, "quality"):
        q = r["quality"]
        checks.append(
            (
                "hit@3 minus baseline's (points)",
                100 * (q["ours"]["hit_at_3"] - q["baseline"]["hit_at_3"]),
                0,
                "pts",
                True,
            )
        )
    return [
        {
            "target": name,
            "value": value,
            "limit": limit,
            "unit": unit,
            "at_least": at_least,
            "met": None if value is None else (value >= limit if at_least else value <= limit),
        }
        for name, value, limit, unit, at_least in checks
    ]


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
        unit = row["unit"]
        lines.append(
            f"| {row['area']} | {row['figure']} | {unit} | {_num(row['ours'], unit)} | {_num(row['baseline'], unit)} | {ratio} |"
        )
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for c in checks:
        limit = f"{'≥' if c['at_least'] else '≤'} {_num(c['limit'], c['unit'])} {c['unit']}"
        met = {True: "met", False: "**missed**", None: "—"}[c["met"]]
        lines.append(f"| {c['target']} | {_num(c['value'], c['unit'])} {c['unit']} | {limit} | {met} |")
    return "\n".join(lines) + "\n"
