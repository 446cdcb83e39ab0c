"""Query latency on the real corpus (retrieve, answer, first streamed piece) and retrieval quality."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from common import EVAL_PATH, QUESTIONS, Config, forget_queries, latency_summary, log

from careerbot.eval.dataset import load_dataset
from careerbot.eval.metrics import hit_at


def measure(
    questions: Sequence[str], passes: int, probes: dict[str, Callable[[str], Any]], before: Callable[[], None]
) -> dict[str, dict[str, float]]:
    """Latency summary per probe; probes run interleaved per question so load noise hits all."""
    samples: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(passes):
        for question in questions:
            for name, probe in probes.items():
                before()
                started = time.perf_counter()
                probe(question)
                samples[name].append(time.perf_counter() - started)
    return {name: latency_summary(seconds) for name, seconds in samples.items()}


def first_piece(stream: Callable[[str], Iterable[Any]], pending: list[Iterator[Any]]) -> Callable[[str], Any]:
    """Probe for the time to the first streamed piece; the rest is left in ``pending``, drained untimed."""

    def probe(question: str) -> Any:
        pending.append(iter(stream(question)))
        return next(pending[-1])

    return probe


def run(cfg: Config, service: Any, rag: Any) -> dict[str, Any]:
    questions = QUESTIONS[: cfg.questions]
    for question in questions[:3]:  # warm-up: first calls pay for lazy initialisation
        service.ask(question)
        rag.answer(question)
    statuses = Counter(service.ask(q).status for q in questions)
    pending: list[Iterator[Any]] = []

    def drain() -> None:
        for iterator in pending:
            for _rest in iterator:
                pass
        pending.clear()
        forget_queries(service.retriever.embeddings)

    log(f"query: {len(questions)} questions x {cfg.passes} passes")
    probes = {
        "ours.retrieve": service.retrieve,
        "baseline.retrieve": rag.retrieve,
        "ours.answer": service.ask,
        "baseline.answer": rag.answer,
        "ours.first_piece": first_piece(service.stream, pending),
        "baseline.first_piece": first_piece(rag.stream, pending),
    }
    summaries = measure(questions, cfg.passes, probes, drain)
    drain()
    result: dict[str, Any] = {"ours": {}, "baseline": {}, "questions": len(questions), "passes": cfg.passes}
    for name, summary in summaries.items():
        system, metric = name.split(".")
        result[system][metric] = summary
    result["ours"]["answer_statuses"] = dict(statuses)
    return result


def quality(cfg: Config, service: Any, rag: Any) -> dict[str, Any]:
    """hit@3 on the real questions: an expected career among the first 3 distinct retrieved careers."""
    items = [c for c in load_dataset(EVAL_PATH).cases if c.turns and c.expected_careers][: cfg.eval_items]
    log(f"quality: hit@3 on {len(items)} real questions")
    k = service.settings.top_k

    def hit(careers: Sequence[str], item: Any) -> bool:
        return hit_at(list(dict.fromkeys(careers)), item.expected_careers, 3)

    hits: Counter[str] = Counter()
    misses: dict[str, list[str]] = {"ours": [], "baseline": []}
    for item in items:
        history = [{"role": "user", "content": turn} for turn in item.turns[:-1]]
        careers = [s.career for s in service.retrieve(item.question, history, k=k)]
        found = {"ours": hit(careers, item), "baseline": hit(rag.careers(item.question), item)}
        hits.update(
            found, ours_top4=hit(careers[:4], item), joined=hit(rag.careers(" ".join(item.turns)), item)
        )
        for system in (s for s, ok in found.items() if not ok):
            misses[system].append(item.id)
    n = len(items) or 1
    return {
        "items": len(items),
        "ours": {"hit_at_3": hits["ours"] / n, "k": k, "hit_at_3_top4": hits["ours_top4"] / n},
        "baseline": {"hit_at_3": hits["baseline"] / n, "k": 4, "hit_at_3_history_joined": hits["joined"] / n},
        "misses": misses,
    }
