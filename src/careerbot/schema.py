"""The public answer types: Answer, Source, Status, and chat messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Status = Literal["answered", "no_info", "out_of_scope", "invalid_input"]
Reason = Literal[
    "unknown_occupation",
    "off_topic",
    "harmful",
    "language",
    "empty",
    "too_long",
    "no_words",
    "not_covered",
    "distress",
    "small_talk",
]
AnswerKind = Literal["answer", "comparison", "discovery", "no_profile", "refusal", "small_talk"]
STATUSES: tuple[Status, ...] = ("answered", "no_info", "out_of_scope", "invalid_input")

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
    chunk_id: str = ""
    similarity: float = 0.0

    def as_cited(self) -> Source:
        """The same source marked as used by the answer."""
        return replace(self, cited=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `careerbot ask --json` and the HTTP API."""
        return {
            "career": self.career,
            "title": self.title,
            "section": self.section,
            "score": round(self.score, 4),
            "cited": self.cited,
        }


@dataclass(frozen=True)
class RelatedCareer:
    """A career offered instead of, or as a match for, what was asked; never presented as it."""

    career: str
    title: str
    reason: str = ""  # one line quoted from its profile ("" for a plain suggestion)
    source: int | None = None  # 1-based index into Answer.sources of the reason's source


@dataclass(frozen=True)
class Answer:
    """What the service returns for one question."""

    text: str
    status: Status
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. "the language model was unreachable"
    reason: Reason | None = None
    kind: AnswerKind = "answer"
    intro: str = ""
    related: tuple[RelatedCareer, ...] = ()
    follow_ups: tuple[str, ...] = ()
    occupation: str = ""

    @property
    def cited_sources(self) -> tuple[Source, ...]:
        """Sources the answer cites."""
        return tuple(s for s in self.sources if s.cited)

    def to_dict(self) -> dict[str, Any]:
        """``{"answer", "status", "sources"}``: one JSON object for every status."""
        return {
            "answer": self.text,
            "status": self.status,
            "sources": [s.to_dict() for s in self.sources],
        }
