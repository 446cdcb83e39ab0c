"""The public answer types: Answer and its structured parts, Source, Status, and chat messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Status = Literal["answered", "no_info", "out_of_scope", "invalid_input"]
STATUSES: tuple[Status, ...] = ("answered", "no_info", "out_of_scope", "invalid_input")
Reason = Literal[
    "unknown_occupation", "off_topic", "harmful", "language", "empty", "too_long",
    "no_words", "not_covered", "distress", "small_talk",
]  # fmt: skip
AnswerKind = Literal["answer", "comparison", "discovery", "no_profile", "refusal", "small_talk"]
SCHEMA_VERSION = 1  # of Answer.to_dict(); bump when a field changes meaning or goes away

Message = Mapping[str, Any]  # {"role": "user" | "assistant", "content": str}, as Gradio sends


def message_text(message: Message) -> str:
    """The text of a chat message; non-text content (files, components) counts as empty."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio may send [{"type": "text", "text": ...}]
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


@dataclass(frozen=True)
class Source:
    """One retrieved chunk of a profile, in rank order; ``cited`` when the answer uses it."""

    career: str
    title: str
    section: str
    score: float
    text: str
    cited: bool = False

    def as_cited(self) -> Source:
        """The same source marked as used by the answer."""
        return replace(self, cited=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a source in `careerbot ask --json` and the HTTP API."""
        return {
            "career": self.career,
            "title": self.title,
            "section": self.section,
            "score": round(self.score, 4),
            "cited": self.cited,
            "text": self.text,
        }


@dataclass(frozen=True)
class Point:
    """One sentence or bullet quoted from a source; ``source`` is 1-based into Answer.sources."""

    text: str
    source: int
    bullet: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"text", "source", "bullet"}``."""
        return {"text": self.text, "source": self.source, "bullet": self.bullet}


@dataclass(frozen=True)
class ComparisonRow:
    """One career's column of a comparison table."""

    career: str
    title: str
    points: tuple[Point, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"career", "title", "points"}``."""
        return {"career": self.career, "title": self.title, "points": [p.to_dict() for p in self.points]}


@dataclass(frozen=True)
class RelatedCareer:
    """A career offered instead of, or as a match for, what was asked; labelled as related, never as it."""

    career: str
    title: str
    reason: str = ""  # one line quoted from its profile ("" for a plain suggestion)
    source: int | None = None  # citation of the reason, 1-based into Answer.sources

    def to_dict(self) -> dict[str, Any]:
        """``{"career", "title", "reason", "source"}``."""
        return {"career": self.career, "title": self.title, "reason": self.reason, "source": self.source}


@dataclass(frozen=True)
class Answer:
    """What the service returns for one message: structured parts and their rendered ``text``.

    ``text`` is what a user sees by default (intro, lead, points, comparison, related careers,
    follow-ups), rendered from the parts by `careerbot.render.answer_text`; ``more`` is the rest of
    the quoted sections, shown on request. Adapters and the evaluation read the parts, never ``text``.
    """

    text: str
    status: Status
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "the vector store could not be reached"
    reason: Reason | None = None
    kind: AnswerKind = "answer"
    intro: str = ""
    lead: tuple[Point, ...] = ()
    points: tuple[Point, ...] = ()
    comparison_aspect: str = ""
    comparison: tuple[ComparisonRow, ...] = ()
    related: tuple[RelatedCareer, ...] = ()
    follow_ups: tuple[str, ...] = ()
    more: str = ""
    occupation: str = ""

    @property
    def cited_sources(self) -> tuple[Source, ...]:
        """Sources the answer cites."""
        return tuple(s for s in self.sources if s.cited)

    @property
    def quoted(self) -> tuple[Point, ...]:
        """Every quoted point: lead, supporting points, then the comparison rows'."""
        return self.lead + self.points + tuple(p for row in self.comparison for p in row.points)

    def source_of(self, point: Point) -> Source | None:
        """The source a point cites (None when its index is out of range)."""
        return self.sources[point.source - 1] if 1 <= point.source <= len(self.sources) else None

    def to_dict(self) -> dict[str, Any]:
        """One JSON object for every status (schema 1): the rendered text and every structured part."""
        comparison = (
            {"aspect": self.comparison_aspect, "rows": [r.to_dict() for r in self.comparison]}
            if self.comparison
            else None
        )
        return {
            "schema": SCHEMA_VERSION,
            "answer": self.text,
            "status": self.status,
            "reason": self.reason,
            "kind": self.kind,
            "intro": self.intro,
            "lead": [p.to_dict() for p in self.lead],
            "points": [p.to_dict() for p in self.points],
            "comparison": comparison,
            "related": [r.to_dict() for r in self.related],
            "follow_ups": list(self.follow_ups),
            "more": self.more,
            "occupation": self.occupation,
            "sources": [s.to_dict() for s in self.sources],
            "notes": list(self.notes),
        }
