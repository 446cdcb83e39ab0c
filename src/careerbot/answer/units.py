"""Answer units (bullets and sentences of profile text) and how well each answers a question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from careerbot.retrieval.text import keyword_tokens, words

# Anchored on one punctuation character and a lookahead: linear on any input.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")

Focus = Literal["pay", "duration", "tools"]

# What a question asks for beyond a section: a figure, a duration, a list of tools.
_PAY_WORDS = frozenset(
    [
        "pay",
        "paid",
        "pays",
        "salary",
        "salaries",
        "earn",
        "earns",
        "earning",
        "earnings",
        "wage",
        "wages",
        "income",
        "money",
    ]
)
_TOOL_WORDS = frozenset(
    [
        "software",
        "tool",
        "tools",
        "program",
        "programs",
        "app",
        "apps",
        "application",
        "applications",
        "equipment",
        "platform",
        "platforms",
        "technology",
        "technologies",
    ]
)
_TIME_UNITS = frozenset(["year", "years", "month", "months", "week", "weeks", "semester", "semesters"])
_RATE_WORDS = frozenset(["a", "an", "per", "each", "every"])
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "eighteen",
        "twenty",
        "few",
        "several",
    ]
)
# Unit-side words: a tool named in a profile often comes with one of these.
_UNIT_TOOL_WORDS = _TOOL_WORDS | frozenset(["apps", "software", "suite"])
FOCUS_WEIGHT = 2.0  # a unit that has the asked-for figure outranks any word overlap (max 1.0)
SPECIFIC_WEIGHT = 0.5  # named things break ties between units that share few words with the question
OPENING_WEIGHT = 0.4  # a section's opening sentence usually states its gist


@dataclass(frozen=True)
class Unit:
    """One bullet or sentence, quoted verbatim from a source's text."""

    text: str
    bullet: bool
    index: int  # position in its source, for profile order


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


def units_of(text: str) -> list[Unit]:
    """The units of a source's text, in order."""
    return [Unit(t, kind == "bullet", i) for i, (kind, t) in enumerate(split_units(text)) if t]


def question_focus(question: str) -> Focus | None:
    """What the question asks for beyond a section: pay, a duration, or tools (token rules, linear)."""
    tokens = words(question)
    pairs = set(pairwise(tokens))
    makes = {"make", "makes", "making", "get"}
    if (
        _PAY_WORDS & set(tokens)
        or (("how", "much") in pairs and makes & set(tokens))
        or (tokens[:1] == ["what"] and tokens[-1] in makes)  # "what does a welder make?"
    ):
        return "pay"
    if (
        ("how", "long") in pairs
        or "longer" in tokens
        or "quicker" in tokens
        or any(a in ("how", "many") and b in _TIME_UNITS for a, b in pairs)
    ):
        return "duration"
    if _TOOL_WORDS & set(tokens):
        return "tools"
    return None


def has_pay(text: str) -> bool:
    """True when the unit states a pay figure."""
    if "$" in text:
        return True
    tokens = set(words(text))
    return "median" in tokens and bool(tokens & _PAY_WORDS)


def has_duration(text: str) -> bool:
    """True when the unit states a length of time ("two to three years", "12 to 18 months")."""
    tokens = words(text)
    for i, token in enumerate(tokens):
        if token not in _TIME_UNITS or (i and tokens[i - 1] in _RATE_WORDS):
            continue  # "$60,970 a year", "per month": a rate, not a length of time
        if any(t.isdigit() or t in _NUMBER_WORDS for t in tokens[max(0, i - 4) : i]):
            return True
    return False


def tool_score(text: str) -> float:
    """How much the unit names tools: a tool word, plus capitalised product names after the first word."""
    tokens = set(words(text))
    names = sum(1 for w in text.split()[1:] if w[:1].isupper() and not w.isupper())
    return (0.6 if tokens & _UNIT_TOOL_WORDS else 0.0) + 0.2 * min(names, 2)


def focus_score(focus: Focus | None, text: str) -> float:
    """0..1: how well the unit gives what the focus asks for."""
    if focus == "pay":
        return 1.0 if has_pay(text) else 0.0
    if focus == "duration":
        return 1.0 if has_duration(text) else 0.0
    if focus == "tools":
        return min(1.0, tool_score(text))
    return 0.0


def overlap_score(question_tokens: set[str], unit: str) -> float:
    """Share of the question's content words found in the unit."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(keyword_tokens(unit))) / len(question_tokens)


def specificity(unit: str) -> float:
    """0..1: how many named things (credentials, products, figures) the unit states.

    Key facts are mostly names and numbers ("NCLEX-RN", "EPA Section 608", "Figma"); a unit with
    none ("There are two main paths.") says less in the same words.
    """
    named = sum(1 for w in unit.split()[1:] if w[:1].isupper() or w[:1].isdigit() or w[:1] == "$")
    return min(named, 4) / 4


def unit_score(question_tokens: set[str], focus: Focus | None, unit: Unit) -> float:
    """Word overlap with the question, the focus bonus, a little for named things and for opening."""
    return (
        overlap_score(question_tokens, unit.text)
        + FOCUS_WEIGHT * focus_score(focus, unit.text)
        + SPECIFIC_WEIGHT * specificity(unit.text)
        + (OPENING_WEIGHT if unit.index == 0 and not unit.bullet else 0.0)
    )


_CITATION = re.compile(r"\[\d+\]")


@lru_cache(maxsize=8192)
def word_count(text: str) -> int:
    """Words as a reader counts them (citation markers and list dashes are not words).

    Remembered: answers count the same profile sentences again and again.
    """
    return sum(1 for w in text.split() if any(c.isalnum() for c in w) and not _CITATION.fullmatch(w))


def select_units(
    units: list[tuple[str, str]], question: str, limit: int, skip: set[str] | None = None
) -> list[tuple[str, str]]:
    """Up to ``limit`` units in profile order: the most question-like, earlier ones on ties."""
    q = set(keyword_tokens(question)) - (skip or set())
    if len(units) <= limit:
        return units
    ranked = sorted(range(len(units)), key=lambda i: (-overlap_score(q, units[i][1]), i))[:limit]
    return [units[i] for i in sorted(ranked)]
