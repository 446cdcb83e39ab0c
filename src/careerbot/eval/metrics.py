"""Offline answer-quality metrics: no API key, no network."""

from __future__ import annotations

import re
from collections.abc import Sequence

from careerbot.answer.extractive import FRAMING_PREFIXES
from careerbot.retrieval.keyword import keyword_tokens
from careerbot.schema import Answer

SUPPORT_SHARE = 0.8  # share of a sentence's content words that must appear in the cited text


def distinct_careers(answer: Answer) -> list[str]:
    """Career slugs of the sources, in rank order, each once."""
    return list(dict.fromkeys(s.career for s in answer.sources))


def hit_at(careers: Sequence[str], expected: Sequence[str], k: int) -> bool:
    """Any expected career among the first k distinct careers."""
    return bool(set(expected) & set(careers[:k]))


def reciprocal_rank(careers: Sequence[str], expected: Sequence[str]) -> float:
    """1 / rank of the first expected career (0 when absent)."""
    return next((1.0 / rank for rank, c in enumerate(careers, start=1) if c in expected), 0.0)


def section_hit(answer: Answer, expected: Sequence[str], section: str, k: int = 3) -> bool:
    """An expected career's named section among the first k sources."""
    wanted = {s.strip() for s in section.split("/")}
    return any(s.career in expected and s.section in wanted for s in answer.sources[:k])


def fact_recalled(fact: str, answer_text: str) -> bool:
    """All content words of the fact appear in the answer (stemmed: case and inflection tolerant)."""
    words = keyword_tokens(fact) or [fact.lower()]
    present = set(keyword_tokens(answer_text))
    return all(w in present for w in words)


def key_fact_recall(facts: Sequence[str], answer_text: str) -> float | None:
    """Share of the must-include facts the answer states (None when there are none)."""
    if not facts:
        return None
    return sum(fact_recalled(f, answer_text) for f in facts) / len(facts)


def _claims(text: str) -> list[str]:
    """Sentences and bullets that state something (headings and framing lines are not claims)."""
    claims = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        if not line or line.startswith(("**", "_")) or line.startswith(FRAMING_PREFIXES):
            continue
        claims += [s for s in re.split(r"(?<=[.!?])\s+", line) if keyword_tokens(s)]
    return claims


def groundedness(answer: Answer) -> float | None:
    """Share of the answer's claims supported by the text of the sources it cites."""
    claims = _claims(answer.text)
    if not claims or not answer.cited_sources:
        return None
    support = set(keyword_tokens(" ".join(s.text for s in answer.sources if s.cited)))
    supported = 0
    for claim in claims:
        words = keyword_tokens(claim)
        if sum(w in support for w in words) >= SUPPORT_SHARE * len(words):
            supported += 1
    return supported / len(claims)


def citation_validity(answer: Answer) -> float | None:
    """Share of [n] markers that point at a source marked cited (None when there are none)."""
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    if not numbers:
        return None
    valid = sum(1 for n in numbers if 1 <= n <= len(answer.sources) and answer.sources[n - 1].cited)
    return valid / len(numbers)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    # The smallest value with at least q% of the samples at or below it: p50 of 1..10 is 5.
    # (Integer arithmetic: round() rounds halves to even and float q/100*n drifts.)
    rank = -(-len(ordered) * q // 100)  # ceil
    return ordered[max(0, min(len(ordered), int(rank)) - 1)]
