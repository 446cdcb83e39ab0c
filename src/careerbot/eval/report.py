"""Write results.jsonl, report.md and PNG plots; compare with an earlier results.jsonl."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from careerbot.eval.runner import PART_METRICS, EvalRun

SUMMARY_KEYS = (
    "hit@1", "hit@3", "hit@5", "mrr", "section_hit", "first_section", "recall", "words_p50",
    "groundedness", "citation_validity", "status_accuracy", "status_accuracy[answered]",
    "status_accuracy[no_info]", "status_accuracy[out_of_scope]", "status_accuracy[invalid_input]",
    *PART_METRICS, "latency_p50_ms", "latency_p95_ms",
    "llm_answers", "guard_dropped_share", "fallback_rate", "first_token_p50_s", "first_sentence_p50_s",
    "tokens_per_s",
)  # fmt: skip


def fmt(value: Any) -> str:
    """A metric for a table."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if value > 1.5 else f"{value:.3f}"
    return str(value)


def summary_table(run: EvalRun) -> str:
    """Markdown table: overall and per part."""
    parts = run.by_part()
    header = "| metric | all | " + " | ".join(parts) + " |"
    lines = [header, "|" + "---|" * (len(parts) + 2)]
    overall = run.summary
    for key in ("cases", *SUMMARY_KEYS):
        lines.append(
            f"| {key} | {fmt(overall.get(key))} | "
            + " | ".join(fmt(p.get(key)) for p in parts.values())
            + " |"
        )
    return "\n".join(lines)


def compare_table(runs: Mapping[str, EvalRun]) -> str:
    """Markdown table: one column per answer engine, same dataset."""
    summaries = {name: run.summary for name, run in runs.items()}
    lines = ["| metric | " + " | ".join(summaries) + " |", "|" + "---|" * (len(summaries) + 1)]
    for key in ("cases", *SUMMARY_KEYS):
        lines.append(f"| {key} | " + " | ".join(fmt(s.get(key)) for s in summaries.values()) + " |")
    return "\n".join(lines)


def write_comparison(runs: Mapping[str, EvalRun], folder: Path, problems: list[str]) -> Path:
    """compare.md beside one report folder per engine."""
    folder.mkdir(parents=True, exist_ok=True)
    first = next(iter(runs.values()))
    lines = [f"# Answer engines compared: {first.dataset.name}", "", compare_table(runs), ""]
    lines += [f"- [{name}]({name}/report.md)" for name in runs]
    lines += ["", "## Thresholds", ""] + (
        [f"- MISSED {p.splitlines()[0]}" for p in problems] or ["- all met"]
    )
    path = folder / "compare.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """An earlier results.jsonl, by case id."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {row["id"]: row for row in rows}


def regressions(run: EvalRun, baseline: dict[str, dict[str, Any]]) -> list[str]:
    """Cases that got worse than in the baseline: a lost hit, a wrong status, lower recall."""
    worse = []
    for result in run.results:
        before = baseline.get(result.id)
        if before is None:
            continue
        reasons = []
        for key, now in result.hits.items():
            if before.get("hits", {}).get(key) and not now:
                reasons.append(f"lost {key}")
        if before.get("status_ok") and result.status_ok is False:
            reasons.append(f"status {before.get('status')} -> {result.status}")
        if (before.get("recall") or 0) > (result.recall or 0):
            reasons.append(f"recall {before.get('recall'):.2f} -> {result.recall or 0:.2f}")
        if reasons:
            worse.append(f"{result.id} {result.question[:70]!r}: {', '.join(reasons)}")
    return worse


def _plots(run: EvalRun, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    parts = {p: s for p, s in run.by_part().items() if s.get("hit@1") is not None}
    if parts:
        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.25
        for i, k in enumerate((1, 3, 5)):
            ax.bar(
                [x + i * width for x in range(len(parts))],
                [s[f"hit@{k}"] or 0 for s in parts.values()],
                width,
                label=f"hit@{k}",
            )
        ax.set_xticks([x + width for x in range(len(parts))], list(parts), rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"hit@k by part: {run.dataset.name}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(folder / "hit_at_k_by_part.png", dpi=110)
        plt.close(fig)
        written.append("hit_at_k_by_part.png")
    per_career: dict[str, list[bool]] = {}
    for r in run.results:
        for career in r.expected_careers[:1]:
            per_career.setdefault(career, []).append(r.hits.get("hit@3", False))
    if per_career:
        names = sorted(per_career)
        fig, ax = plt.subplots(figsize=(7, max(3, 0.22 * len(names))))
        ax.barh(names, [sum(v) / len(v) for v in (per_career[n] for n in names)])
        ax.set_xlim(0, 1.05)
        ax.set_title("hit@3 per expected career")
        ax.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        fig.savefig(folder / "hit_at_3_per_career.png", dpi=110)
        plt.close(fig)
        written.append("hit_at_3_per_career.png")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist([r.latency_ms for r in run.results], bins=30)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("answer latency")
    fig.tight_layout()
    fig.savefig(folder / "latency_histogram.png", dpi=110)
    plt.close(fig)
    written.append("latency_histogram.png")
    return written


def write_report(run: EvalRun, folder: Path, problems: list[str], worse: list[str] | None = None) -> Path:
    """results.jsonl, report.md and plots, directly in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
        for result in run.results:
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    plots = _plots(run, folder)
    lines = [f"# Evaluation: {run.dataset.name}", "", summary_table(run), ""]
    lines += (
        ["## Thresholds", ""] + ([f"- MISSED {p.splitlines()[0]}" for p in problems] or ["- all met"]) + [""]
    )
    if worse is not None:
        lines += ["## Worse than the baseline", ""] + ([f"- {w}" for w in worse] or ["- none"]) + [""]
    misses = [r for r in run.results if r.status_ok is False or (r.hits and not r.hits["hit@3"])]
    lines += ["## Cases that missed", ""]
    from careerbot.eval.runner import describe

    lines += [f"- {describe(r)}" for r in misses] or ["- none"]
    lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    report = folder / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
