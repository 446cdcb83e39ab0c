"""Query latency on the real corpus (retrieve, answer, first streamed piece) and retrieval quality."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from common import QUESTIONS, Config, forget_queries, hit_at_3, latency_summary, load_eval, log


def measure(
    questions: Sequence[str], passes: int, probes: dict[str, Callable[[str], Any]], before: Callable[[], None]
) -> dict[str, list[float]]:
    """Seconds per call of every probe; probes run interleaved per question so load noise hits all."""
    samples: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(passes):
        for question in questions:
            for name, probe in probes.items():
                before()
                started = time.perf_counter()
                probe(question)
                samples[name].append(time.perf_counter() - started)
    return samples


class FirstPiece:
    """Probe for the time to the first streamed piece; the rest is drained later, untimed."""

    def __init__(self, stream: Callable[[str], Iterable[Any]]) -> None:
        self.stream = stream
        self.pending: list[Iterator[Any]] = []

    def __call__(self, question: str) -> Any:
        iterator = iter(self.stream(question))
        first = next(iterator)
        self.pending.append(iterator)
        return first

    def drain(self) -> None:
        for iterator in self.pending:
            for _rest in iterator:
                pass
        self.pending.clear()


def run(cfg: Config, service: Any, rag: Any) -> dict[str, Any]:
    questions = QUESTIONS[: cfg.questions]
    embeddings = service.retriever.embeddings
    for question in questions[:3]:  # warm-up: first calls pay for lazy initialisation
        service.ask(question)
        rag.answer(question)
    statuses = Counter(service.ask(q).status for q in questions)

    ours_stream, base_stream = FirstPiece(service.stream), FirstPiece(rag.stream)

    def drain() -> None:
        ours_stream.drain()
        base_stream.drain()
        forget_queries(embeddings)

    log(f"query: {len(questions)} questions x {cfg.passes} passes")
    samples = measure(
        questions,
        cfg.passes,
        {
            "ours.retrieve": service.retrieve,
            "baseline.retrieve": rag.retrieve,
            "ours.answer": service.ask,
            "baseline.answer": rag.answer,
            "ours.first_piece": ours_stream,
            "baseline.first_piece": base_stream,
        },
        drain,
    )
    drain()
    result: dict[str, Any] = {"ours": {}, "baseline": {}, "questions": len(questions), "passes": cfg.passes}
    for name, seconds in samples.items():
        system, metric = name.split(".")
        result[system][metric] = latency_summary(seconds)
    result["ours"]["answer_statuses"] = dict(statuses)
    return result


def quality(cfg: Config, service: Any, rag: Any) -> dict[str, Any]:
    """hit@3 on the real questions: an expected career among the first 3 distinct retrieved careers."""
    items = load_eval(cfg.eval_items)
    log(f"quality: hit@3 on {len(items)} real questions")
    k = service.settings.top_k
    ours_hits = ours_k4_hits = base_hits = base_joined_hits = 0
    misses: dict[str, list[str]] = {"ours": [], "baseline": []}
    for item in items:
        history = [{"role": "user", "content": turn} for turn in item["history"]]
        sources = service.retrieve(item["question"], history, k=k)
        careers = [s.career for s in sources]
        ours_hit = hit_at_3(careers, item["expected"])
        ours_hits += ours_hit
        ours_k4_hits += hit_at_3(careers[:4], item["expected"])
        base_hit = hit_at_3(rag.careers(item["question"]), item["expected"])
        base_hits += base_hit
        joined = " ".join([*item["history"], item["question"]])
        base_joined_hits += hit_at_3(rag.careers(joined), item["expected"])
        if not ours_hit:
            misses["ours"].append(str(item["id"]))
        if not base_hit:
            misses["baseline"].append(str(item["id"]))
    n = len(items) or 1
    return {
        "items": len(items),
        "ours": {"hit_at_3": ours_hits / n, "k": k, "hit_at_3_top4": ours_k4_hits / n},
        "baseline": {"hit_at_3": base_hits / n, "k": 4, "hit_at_3_history_joined": base_joined_hits / n},
        "misses": misses,
    }
