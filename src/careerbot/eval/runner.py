"""Run a dataset through the shipped ChatService and score every case."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from careerbot.eval import metrics
from careerbot.eval.dataset import Case, Dataset
from careerbot.schema import Answer, Message
from careerbot.service import ChatService

HIT_KS = (1, 3, 5)
# Dataset parts scored by a check of their own; the metric has the part's name.
PART_METRICS = ("no_profile", "switch", "discover", "compare", "harmful", "language")
LONG_ANSWER_WORDS = 130  # answers longer than this are listed when words_p50 misses its maximum
LOWER_IS_BETTER = frozenset({"words_p50", "latency_p50_ms", "latency_p95_ms"})  # thresholds are maximums


@dataclass(frozen=True)
class CaseResult:
    """Everything measured for one case."""

    id: str
    part: str
    question: str
    status: str
    expect: str | None
    expected_careers: tuple[str, ...]
    careers: tuple[str, ...]
    hits: dict[str, bool]  # "hit@1" -> bool; empty when the case names no career
    reciprocal_rank: float | None
    section_hit: bool | None
    recall: float | None
    groundedness: float | None
    citation_validity: float | None
    latency_ms: float
    answer: str
    kind: str = "answer"
    reason: str | None = None
    words: int | None = None  # words of an answered answer's text
    first_section: bool | None = None  # the first lead point cites the case's section
    part_ok: bool | None = None  # the check of a part in PART_METRICS
    guard: dict[str, Any] | None = None  # a language model's guard report (kept/dropped sentences, speed)

    @property
    def status_ok(self) -> bool | None:
        """Whether the status is the expected one (None when no status is expected)."""
        return None if self.expect is None else self.status == self.expect

    def to_dict(self) -> dict[str, Any]:
        """One line of results.jsonl."""
        return asdict(self) | {"status_ok": self.status_ok}


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summarise(results: Iterable[CaseResult]) -> dict[str, float | int | None]:
    """Aggregate metrics; each is over the cases it applies to."""
    results = list(results)
    retrieval = [r for r in results if r.hits]
    summary: dict[str, float | int | None] = {"cases": len(results), "retrieval_cases": len(retrieval)}
    for k in HIT_KS:
        summary[f"hit@{k}"] = _mean(r.hits[f"hit@{k}"] for r in retrieval)
    summary["mrr"] = _mean(r.reciprocal_rank for r in retrieval)
    summary["section_hit"] = _mean(r.section_hit for r in results)
    summary["recall"] = _mean(r.recall for r in results)
    summary["groundedness"] = _mean(r.groundedness for r in results)
    summary["citation_validity"] = _mean(r.citation_validity for r in results)
    summary["status_accuracy"] = _mean(r.status_ok for r in results)
    for status in ("answered", "no_info", "out_of_scope", "invalid_input"):
        summary[f"status_accuracy[{status}]"] = _mean(r.status_ok for r in results if r.expect == status)
    summary["words_p50"] = metrics.percentile([r.words for r in results if r.words is not None], 50) or None
    summary["first_section"] = _mean(r.first_section for r in results)
    for part in PART_METRICS:
        summary[part] = _mean(r.part_ok for r in results if r.part == part)
    latencies = [r.latency_ms for r in results]
    summary["latency_p50_ms"] = metrics.percentile(latencies, 50)
    summary["latency_p95_ms"] = metrics.percentile(latencies, 95)
    return summary | generation_summary(r.guard for r in results)


def generation_summary(reports: Iterable[dict[str, Any] | None]) -> dict[str, float | int | None]:
    """What the grounding guard did to a language model's answers, and the model's speed."""
    used = [g for g in reports if g is not None]
    kept = sum(len(g["kept"]) for g in used)
    dropped = sum(len(g["dropped"]) for g in used)
    first_tokens = [g["first_token_s"] for g in used if g["first_token_s"] is not None]
    first_shown = [g["first_sentence_s"] for g in used if g["first_sentence_s"] is not None]
    return {
        "llm_answers": len(used) if used else None,
        "guard_dropped_share": dropped / (kept + dropped) if kept + dropped else None,
        "fallback_rate": _mean(bool(g["fallback"]) for g in used),
        "first_token_p50_s": metrics.percentile(first_tokens, 50) if first_tokens else None,
        "first_sentence_p50_s": metrics.percentile(first_shown, 50) if first_shown else None,
        "tokens_per_s": _mean(g["tokens_per_s"] for g in used),
    }


# metric name -> which cases fail it (for failure messages)
_FAILING: dict[str, Callable[[CaseResult], bool]] = {
    "hit@1": lambda r: bool(r.hits) and not r.hits["hit@1"],
    "hit@3": lambda r: bool(r.hits) and not r.hits["hit@3"],
    "hit@5": lambda r: bool(r.hits) and not r.hits["hit@5"],
    "mrr": lambda r: r.reciprocal_rank is not None and r.reciprocal_rank < 1,
    "section_hit": lambda r: r.section_hit is False,
    "recall": lambda r: r.recall is not None and r.recall < 1,
    "groundedness": lambda r: r.groundedness is not None and r.groundedness < 1,
    "citation_validity": lambda r: r.citation_validity is not None and r.citation_validity < 1,
    "status_accuracy": lambda r: r.status_ok is False,
    "first_section": lambda r: r.first_section is False,
    "words_p50": lambda r: r.words is not None and r.words > LONG_ANSWER_WORDS,
}
for _part in PART_METRICS:
    _FAILING[_part] = partial(lambda part, r: r.part == part and r.part_ok is False, _part)


def describe(result: CaseResult) -> str:
    """One line saying what a case got."""
    top = ", ".join(result.careers[:3]) or "-"
    want = ", ".join(result.expected_careers) or (result.expect or "-")
    return f"{result.id} [{result.part}] {result.question[:70]!r}: got {result.status} / {top}; wanted {want}"


@dataclass
class EvalRun:
    """The results of one dataset run."""

    dataset: Dataset
    results: list[CaseResult]

    @property
    def summary(self) -> dict[str, float | int | None]:
        """Aggregate metrics."""
        return summarise(self.results)

    def by_part(self) -> dict[str, dict[str, float | int | None]]:
        """Aggregate metrics per dataset part."""
        groups: dict[str, list[CaseResult]] = defaultdict(list)
        for r in self.results:
            groups[r.part].append(r)
        return {part: summarise(rs) for part, rs in sorted(groups.items())}

    def check(self, minimums: Mapping[str, float] | None = None) -> list[str]:
        """Messages for every threshold missed (dataset thresholds, overridden by ``minimums``)."""
        wanted = {**self.dataset.thresholds, **(minimums or {})}
        summary = self.summary
        problems = []
        for name, minimum in wanted.items():
            value = summary.get(name)
            if value is None:
                problems.append(f"{name}: no case measures it (wanted >= {minimum})")
                continue
            lower = name in LOWER_IS_BETTER
            if (value - 1e-9 > minimum) if lower else (value + 1e-9 < minimum):
                failing = [describe(r) for r in self.results if _FAILING.get(name, lambda _: False)(r)]
                lines = "\n".join(f"    {line}" for line in failing)
                sign = ">" if lower else "<"
                problems.append(
                    f"{name} = {value:.3f} {sign} {minimum} on {self.dataset.name}; failing cases:\n{lines}"
                )
        return problems

    def assert_meets(self, **minimums: float) -> None:
        """Raise AssertionError listing failing cases unless every minimum is met (hit_3=0.9 style names)."""
        named = {k.replace("hit_", "hit@"): v for k, v in minimums.items()}
        problems = self.check(named)
        if problems:
            raise AssertionError("\n".join(problems))


def _run_case(service: ChatService, case: Case) -> CaseResult:
    history: list[Message] = []
    for turn in case.turns[:-1]:
        earlier = service.ask(turn, history)
        history = [
            *history,
            {"role": "user", "content": turn},
            {"role": "assistant", "content": earlier.text},
        ]
    started = time.perf_counter()
    answer = service.ask(case.question, history)
    latency = (time.perf_counter() - started) * 1000
    careers = metrics.distinct_careers(answer)
    expected = case.expected_careers
    scored_sources = bool(expected) and case.part not in ("discover", "no_profile")
    return CaseResult(
        id=case.id,
        part=case.part,
        question=case.question,
        status=answer.status,
        expect=case.expect,
        expected_careers=expected,
        careers=tuple(careers[:5]),
        hits={f"hit@{k}": metrics.hit_at(careers, expected, k) for k in HIT_KS} if scored_sources else {},
        reciprocal_rank=metrics.reciprocal_rank(careers, expected) if scored_sources else None,
        section_hit=metrics.section_hit(answer, expected, case.section)
        if scored_sources and case.section
        else None,
        recall=metrics.key_fact_recall(case.must_include, answer.text),
        groundedness=metrics.groundedness(answer) if answer.status == "answered" else None,
        citation_validity=metrics.citation_validity(answer),
        latency_ms=latency,
        answer=answer.text,
        kind=answer.kind,
        reason=answer.reason,
        words=metrics.words(answer) if answer.status == "answered" else None,
        first_section=metrics.first_section(answer, case.section)
        if case.section and case.part != "compare" and answer.status == "answered"
        else None,
        part_ok=_part_ok(case, answer),
        guard=report.to_dict() if (report := getattr(answer, "guard", None)) is not None else None,
    )


def _part_ok(case: Case, answer: Answer) -> bool | None:
    """The part's own check (None for parts without one)."""
    expected = case.expected_careers
    checks: dict[str, Callable[[], bool]] = {
        "no_profile": lambda: metrics.no_profile_ok(answer, case.occupation),
        "switch": lambda: metrics.switch_ok(answer, case.expect, expected),
        "discover": lambda: metrics.discover_ok(answer, expected),
        "compare": lambda: metrics.compare_ok(answer, expected),
        "harmful": lambda: answer.status == "out_of_scope",
        "language": lambda: answer.status == "out_of_scope",
    }
    check = checks.get(case.part)
    return check() if check else None


def evaluate(service: ChatService, dataset: Dataset) -> EvalRun:
    """Ask every case (earlier turns first, as a conversation) and score the last answer."""
    return EvalRun(dataset, [_run_case(service, case) for case in dataset.cases])
