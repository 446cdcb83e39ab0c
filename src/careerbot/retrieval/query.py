"""Understand a question in its conversation: careers in play and sections asked about."""

from __future__ import annotations

from dataclasses import dataclass, field

from careerbot.retrieval.careers import CareerMention


@dataclass(frozen=True)
class QueryAnalysis:
    """What retrieval needs to know about a question."""

    question: str
    named: tuple[CareerMention, ...]  # careers named in this message
    carried: tuple[str, ...] = ()  # careers carried over from earlier turns
    sections: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    only: str | None = None  # the user picked one career: retrieve from it alone
    compare: bool = False  # answer side by side for the careers named

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
