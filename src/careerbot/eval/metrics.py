"""Offline answer-quality metrics: no API key, no network. They read an Answer's structured parts."""

from __future__ import annotations

from collections.abc import Sequence

from careerbot.answer.units import word_count
from careerbot.retrieval.text import keyword_tokens
from careerbot.schema import Answer, Point

SUPPORT_SHARE = 0.8  # share of a paraphrased point's content words that must appear in its source


def distinct_careers(answer: Answer) -> list[str]:
    """Career slugs of the sources, in rank order, each once."""
    return list(dict.fromkeys(s.career for s in answer.sources))


def hit_at(careers: Sequence[str], expected: Sequence[str], k: int) -> bool:
    """Any expected career among the first k distinct careers."""
    return bool(set(expected) & set(careers[:k]))


def reciprocal_rank(careers: Sequence[str], expected: Sequence[str]) -> float:
    """1 / rank of the first expected career (0 when absent)."""
    return next((1.0 / rank for rank, c in enumerate(careers, start=1) if c in expected), 0.0)


def section_names(section: str) -> set[str]:
    """A dataset's section field: one name, or alternatives separated by " / "."""
    return {section.strip(), *(p.strip() for p in section.split(" / "))}


def section_hit(answer: Answer, expected: Sequence[str], section: str, k: int = 3) -> bool:
    """An expected career's named section among the first k sources."""
    wanted = section_names(section)
    return any(s.career in expected and s.section in wanted for s in answer.sources[:k])


def first_section(answer: Answer, section: str) -> bool:
    """The first lead point cites the section that holds the answer."""
    source = answer.source_of(answer.lead[0]) if answer.lead else None
    return source is not None and source.section in section_names(section)


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


def words(answer: Answer) -> int:
    """Words a user reads by default (the rendered text, without citation markers)."""
    return word_count(answer.text)


def point_grounded(answer: Answer, point: Point) -> bool:
    """The point is quoted from its source (or, paraphrased, shares most of its content words)."""
    source = answer.source_of(point)
    if source is None:
        return False
    if point.text in source.text:
        return True
    tokens = keyword_tokens(point.text)
    support = set(keyword_tokens(source.text))
    return bool(tokens) and sum(t in support for t in tokens) >= SUPPORT_SHARE * len(tokens)


def groundedness(answer: Answer) -> float | None:
    """Share of quoted points (lead, points, comparison rows) supported by the source each cites."""
    quoted = answer.quoted
    if not quoted:
        return None
    return sum(point_grounded(answer, p) for p in quoted) / len(quoted)


def citation_validity(answer: Answer) -> float | None:
    """Share of citations (points and related careers) that point at a source marked cited."""
    numbers = [p.source for p in answer.quoted] + [r.source for r in answer.related if r.source is not None]
    if not numbers:
        return None
    valid = sum(1 for n in numbers if 1 <= n <= len(answer.sources) and answer.sources[n - 1].cited)
    return valid / len(numbers)


def answer_careers(answer: Answer) -> list[str]:
    """Careers an answer is about: its sources' careers, or its related careers for a discovery."""
    if answer.kind == "discovery":
        return [r.career for r in answer.related]
    return distinct_careers(answer)


def no_profile_ok(answer: Answer, occupation: str) -> bool:
    """no_info that names the occupation, offers related careers and cites nothing."""
    named = not occupation or occupation.lower() in answer.text.lower()
    return answer.status == "no_info" and named and bool(answer.related) and not answer.sources


def switch_ok(answer: Answer, expect: str | None, expected: Sequence[str]) -> bool:
    """The last turn got the expected status, and the expected careers lead its careers."""
    if expect is not None and answer.status != expect:
        return False
    if not expected:
        return True
    return set(expected) <= set(answer_careers(answer)[: len(expected)])


def discover_ok(answer: Answer, expected: Sequence[str], k: int = 3) -> bool:
    """An acceptable career among the first k related careers."""
    return bool(set(expected) & {r.career for r in answer.related[:k]})


def compare_ok(answer: Answer, expected: Sequence[str]) -> bool:
    """Both careers among the careers of the first two cited sources."""
    first_two = {s.career for s in answer.cited_sources[:2]}
    return len(expected) >= 2 and set(expected[:2]) <= first_two


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    # The smallest value with at least q% of the samples at or below it: p50 of 1..10 is 5.
    # (Integer arithmetic: round() rounds halves to even and float q/100*n drifts.)
    rank = -(-len(ordered) * q // 100)  # ceil
    return ordered[max(0, min(len(ordered), int(rank)) - 1)]
