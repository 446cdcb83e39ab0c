"""Split profile text into answer units (bullets and sentences) and score them against a question."""

from __future__ import annotations

import re

from careerbot.retrieval.keyword import keyword_tokens

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def split_units(text: str) -> list[tuple[str, str]]:
    """(kind, text) units: each bullet whole, each paragraph cut into sentences."""
    units: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("• "):
            units.append(("bullet", line[2:].strip()))
        else:
            units.extend(("sentence", s.strip()) for s in _SENTENCE_END.split(line) if s.strip())
    return units


def overlap_score(question_tokens: set[str], unit: str) -> float:
    """Share of the question's content words found in the unit."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(keyword_tokens(unit))) / len(question_tokens)


def select_units(
    units: list[tuple[str, str]], question: str, limit: int, skip: set[str] | None = None
) -> list[tuple[str, str]]:
    """Up to ``limit`` units in profile order: the most question-like, earlier ones on ties."""
    skip = skip or set()
    q = set(keyword_tokens(question)) - skip
    if len(units) <= limit:
        return units
    ranked = sorted(range(len(units)), key=lambda i: (-overlap_score(q, units[i][1]), i))[:limit]
    return [units[i] for i in sorted(ranked)]
