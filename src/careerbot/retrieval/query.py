"""Understand a question in its conversation: careers in play and sections asked about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from careerbot.retrieval.careers import CareerMatcher, CareerMention
from careerbot.retrieval.intent import section_intents
from careerbot.retrieval.text import words
from careerbot.schema import Message, message_text

MAX_MATCH_CHARS = 2000  # earlier messages are searched for career names up to this length


@dataclass(frozen=True)
class QueryAnalysis:
    """What retrieval needs to know about a question."""

    question: str
    named: tuple[CareerMention, ...]  # careers named in this message
    carried: tuple[str, ...] = ()  # careers carried over from earlier turns
    sections: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    only: str | None = None  # the user picked one career: retrieve from it alone
    compare: bool = False  # two careers are in play and the question compares them

    @property
    def careers(self) -> tuple[str, ...]:
        """Careers in play, strongest first."""
        return tuple(m.slug for m in self.named) or self.carried

    @property
    def named_here(self) -> bool:
        """True when this message itself names a career by a whole title (not the page's picker)."""
        return any(m.is_strong for m in self.named if m.slug != self.only)

    @property
    def names_a_career(self) -> bool:
        """True when the conversation is about a career named by a whole title."""
        return any(m.is_strong for m in self.named) or bool(self.carried)

    @property
    def search_text(self) -> str:
        """The text to search with: a follow-up gets its career's title in front."""
        if self.named or not self.carried:
            return self.question
        names = ", ".join(self.titles.get(slug, slug) for slug in self.carried)
        return f"{names}: {self.question}"


# "nurse vs dental hygienist", "compare X and Y", "difference between", "which one needs more school?"
_COMPARE_WORDS = frozenset({"vs", "versus", "compare", "compared", "comparing", "comparison", "or"})
_COMPARE_PAIRS = frozenset({("difference", "between"), ("differences", "between"), ("which", "one")})
_WHICH_MORE = frozenset({"more", "less", "longer", "shorter", "better", "harder", "easier", "higher"})


def is_comparison(question: str) -> bool:
    """True when the question's words ask to compare (one pass over its tokens, linear time)."""
    tokens = words(question)
    if _COMPARE_WORDS.intersection(tokens):
        return True
    pairs = pairwise(tokens)
    if any(pair in _COMPARE_PAIRS for pair in pairs):
        return True
    return "which" in tokens and bool(_WHICH_MORE.intersection(tokens))


def _compares(question: str, named: Sequence[CareerMention], carried: Sequence[str]) -> bool:
    strong = {m.slug for m in named if m.is_strong}
    two = len(strong) >= 2 or (not named and len(set(carried)) >= 2)
    return two and is_comparison(question)


def analyse(
    question: str,
    history: Sequence[Message] | None,
    matcher: CareerMatcher,
    max_turns: int = 6,
    only: str | None = None,
) -> QueryAnalysis:
    """Careers named (or carried over from the latest turn that named one) and section intents."""
    if only in matcher.titles:
        title = matcher.titles[only]
        return QueryAnalysis(
            question,
            (CareerMention(only, 3.0, title),),
            (),
            tuple(section_intents(question)),
            matcher.titles,
            only,
        )
    named = tuple(matcher.find(question))
    carried: tuple[str, ...] = ()
    if not named and history:
        recent = list(history)[-max_turns:] if max_turns else []
        # The user's own words first; our answers name careers too, as a fallback.
        for role in ("user", "assistant"):
            for message in reversed(recent):
                if not isinstance(message, Mapping) or message.get("role") != role:
                    continue
                mentions = matcher.find(message_text(message)[:MAX_MATCH_CHARS])
                if mentions:
                    top = mentions[0].strength
                    carried = tuple(m.slug for m in mentions if m.strength >= top)[:2]
                    break
            if carried:
                break
    return QueryAnalysis(
        question=question,
        named=named,
        carried=carried,
        sections=tuple(section_intents(question)),
        titles=matcher.titles,
        compare=_compares(question, named, carried),
    )
