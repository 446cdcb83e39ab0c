"""Turn raw results into figures (ours, baseline, ratio), target checks and a markdown table."""

from __future__ import annotations

from typing import Any

MIB = 1024 * 1024
GIB = 1024 * MIB


def _ratio(ours: float | None, base: float | None) -> float | None:
    if ours is None or base is None or base == 0:
        return None
    return ours / base


def _ok(r: dict[str, Any], name: str) -> bool:
    """The phase ran and did not fail."""
    return isinstance(r.get(name), dict) and "error" not in r[name]


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(area: str, name: str, unit: str, ours: Any, base: Any, better: str = "lower") -> None:
        rows.append(
            {
                "area": area,
                "figure": name,
                "unit": unit,
                "ours": ours,
                "baseline": base,
                "ratio": _ratio(ours, base),
                "better": better,
            }
        )

    def mib(value: Any) -> float | None:
        return None if value is None else value / MIB

    if _ok(r, "ingest"):
        o, b = r["ingest"]["ours"], r["ingest"]["baseline"]
        add(
            "ingest",
            "chunks embedded per second (full build)",
            "chunks/s",
            o["chunks_per_s"],
            b["chunks_per_s"],
            "higher",
        )
        label = f"full build, real corpus ({o['profiles']} profiles; {o['chunks']} vs {b['chunks']} chunks)"
        add("ingest", label, "s", o["full_build_s"], b["full_build_s"])
        add(
            "ingest",
            "re-ingest, unchanged corpus (in-process)",
            "s",
            o["reingest_unchanged_s"],
            b["reingest_unchanged_s"],
        )
        add(
            "ingest",
            "re-ingest, one profile changed (in-process)",
            "s",
            o["changed_one_s"],
            b["changed_one_s"],
        )
        add(
            "ingest",
            "`ingest` command, unchanged corpus (whole process)",
            "s",
            o["cli_unchanged_s"],
            b["cli_unchanged_s"],
        )
        add(
            "memory",
            "`ingest` command peak RSS",
            "MiB",
            mib(o["cli_peak_rss_bytes"]),
            mib(b["cli_peak_rss_bytes"]),
        )
        add("memory", "index size on disk, real corpus", "MiB", mib(o["index_bytes"]), mib(b["index_bytes"]))
    if _ok(r, "query"):
        o, b = r["query"]["ours"], r["query"]["baseline"]
        for key, name in (
            ("retrieve", "retrieval"),
            ("answer", "answer (end to end)"),
            ("first_piece", "first streamed piece"),
        ):
            for pct in ("p50", "p95"):
                add("query", f"{name} {pct}", "ms", o[key][f"{pct}_ms"], b[key][f"{pct}_ms"])
    if _ok(r, "quality"):
        q = r["quality"]
        name = f"hit@3, {q['items']} real questions"
        add("quality", name, "%", 100 * q["ours"]["hit_at_3"], 100 * q["baseline"]["hit_at_3"], "higher")
    for n, size in (r["scale"]["sizes"] if _ok(r, "scale") else {}).items():
        o, b = size["ours"], size["baseline"]
        for pct in ("p50", "p95"):
            add(
                "scale",
                f"retrieval {pct} at {int(n):,} chunks",
                "ms",
                o["retrieve"][f"{pct}_ms"],
                b["retrieve"][f"{pct}_ms"],
            )
        add(
            "scale",
            f"index size on disk at {int(n):,} chunks",
            "MiB",
            mib(o["index_bytes"]),
            mib(b["index_bytes"]),
        )
    if _ok(r, "serve"):
        s = r["serve"]
        o, b = s["ours"], s["baseline"]
        label = f"(ours: `{o['command']}`, baseline: `{b['command']}`)"
        runs = f"median of {len(o['healthz_runs_s'])} launch(es)"
        add("serve", f"start-up to /healthz 200 {label}, {runs}", "s", o["healthz_s"], b["healthz_s"])
        add(
            "serve",
            f"start-up to first answered POST /api/chat, {runs}",
            "s",
            o["first_answer_s"],
            b["first_answer_s"],
        )
        add(
            "memory",
            "peak RSS of the server after start-up",
            "MiB",
            mib(o["peak_rss_after_start_bytes"]),
            mib(b["peak_rss_after_start_bytes"]),
        )
        add(
            "memory",
            "peak RSS of the server after the load",
            "MiB",
            mib(o.get("peak_rss_bytes")),
            mib(b.get("peak_rss_bytes")),
        )
        for clients, load in o.get("throughput", {}).items():
            base = b.get("throughput", {}).get(clients, {}).get("req_per_s")
            add(
                "serve",
                f"answered requests/s, {clients} client(s)",
                "req/s",
                load["req_per_s"],
                base,
                "higher",
            )
    return rows


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def check(name: str, value: float | None, limit: float, unit: str, at_least: bool = False) -> None:
        met = None if value is None else (value >= limit if at_least else value <= limit)
        rows.append(
            {"target": name, "value": value, "limit": limit, "unit": unit, "at_least": at_least, "met": met}
        )

    q = r["query"] if _ok(r, "query") else None
    ing = r["ingest"] if _ok(r, "ingest") else None
    if q:
        check("retrieval p50, real corpus", q["ours"]["retrieve"]["p50_ms"], 30, "ms")
        check("answer p50 (end to end), real corpus", q["ours"]["answer"]["p50_ms"], 15, "ms")
        ratio = q["ours"]["retrieve"]["p50_ms"] / q["baseline"]["retrieve"]["p50_ms"]
        check("retrieval p50 vs baseline's (ours/baseline)", ratio, 1.5, "x")
    sizes = r["scale"]["sizes"] if _ok(r, "scale") else {}
    if sizes:
        largest = max(sizes, key=int)
        check(
            f"retrieval p50 at {int(largest):,} chunks",
            sizes[largest]["ours"]["retrieve"]["p50_ms"],
            60,
            "ms",
        )
    if ing:
        o = ing["ours"]
        check(f"ingest (full build) of {o['profiles']} profiles", o["full_build_s"], 12, "s")
        check("re-ingest, unchanged corpus (in-process)", o["reingest_unchanged_s"], 3, "s")
        check("re-ingest, one profile changed (in-process)", o["changed_one_s"], 5, "s")
    if _ok(r, "serve"):
        s = r["serve"]
        app = s["ours"]
        check("start-up to first answer (`python app.py`, median)", app["first_answer_s"], 5, "s")
        peaks = [
            p for p in (app["peak_rss_after_start_bytes"], s["ours"].get("peak_rss_bytes")) if p is not None
        ]
        check("serving peak RSS", max(peaks) / GIB if peaks else None, 500 / 1024, "GiB")
        four = s["ours"].get("throughput", {}).get("4", {}).get("req_per_s")
        check("answered requests/s with 4 clients", four, 100, "req/s", True)
    if _ok(r, "quality"):
        qual = r["quality"]
        diff = 100 * (qual["ours"]["hit_at_3"] - qual["baseline"]["hit_at_3"])
        check("hit@3 minus baseline's (points)", diff, 0, "pts", True)
    return rows


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit in ("%", "pts"):
        return f"{value:.1f}"
    if unit == "x":
        return f"{value:.2f}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    lines = [
        "| area | figure | unit | ours | baseline | ours / baseline |",
        "|---|---|---|---:|---:|---:|",
    ]
    for row in rows:
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        lines.append(
            f"| {row['area']} | {row['figure']} | {row['unit']} | {_num(row['ours'], row['unit'])} "
            f"| {_num(row['baseline'], row['unit'])} | {ratio} |"
        )
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for check in checks:
        limit = f"{'≥' if check['at_least'] else '≤'} {_num(check['limit'], check['unit'])} {check['unit']}"
        met = {True: "met", False: "**missed**", None: "—"}[check["met"]]
        value = f"{_num(check['value'], check['unit'])} {check['unit']}"
        lines.append(f"| {check['target']} | {value} | {limit} | {met} |")
    return "\n".join(lines) + "\n"
