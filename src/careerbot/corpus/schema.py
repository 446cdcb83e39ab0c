"""The shape of a parsed career profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Heading lines of the user's seed profile, in order. "Source" is written as
# "Source: ..." on one line; the last two may have no body.
KNOWN_SECTIONS: tuple[str, ...] = (
    "Similar Titles",
    "Job Description",
    "Rewarding Aspects of Career",
    "The Inside Scoop",
    "Day in the Life",
    "Skills Needed",
    "Different Types of Organizations",
    "Current Industry Trends",
    "Education and Training Needed",
    "Things to do during high school/college",
    "Typical Roadmap",
    "How to land your 1st job",
    "What it really takes to make it and succeed",
    "Plan B",
    "Jobs by",
    "Source",
    "Online Courses and Tools",
)

# Sections that carry no advice of their own and are never chunked.
UNINDEXED_SECTIONS: frozenset[str] = frozenset({"Source", "Jobs by", "Online Courses and Tools"})

DEFAULT_CLUSTER = "General"


@dataclass(frozen=True)
class Item:
    """One bullet or one paragraph of a section, as written in the profile."""

    kind: Literal["bullet", "paragraph"]
    text: str


@dataclass(frozen=True)
class Section:
    """A heading and its body."""

    name: str
    line: int
    items: tuple[Item, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the heading has no body (allowed, e.g. the seed's "Jobs by")."""
        return not self.items

    def render(self) -> str:
        """The section body as plain text, bullets kept as "• " lines."""
        return "\n".join(f"• {i.text}" if i.kind == "bullet" else i.text for i in self.items)


@dataclass(frozen=True)
class Profile:
    """A parsed career profile."""

    slug: str
    title: str
    cluster: str
    similar_titles: tuple[str, ...]
    sections: tuple[Section, ...]
    source: str = ""
    related: tuple[str, ...] = field(default=())  # Plan B careers that exist in the corpus

    def section(self, name: str) -> Section | None:
        """The section with this canonical name, if present."""
        return next((s for s in self.sections if s.name == name), None)

    @property
    def plan_b(self) -> tuple[str, ...]:
        """The Plan B entries as written."""
        section = self.section("Plan B")
        return tuple(i.text for i in section.items) if section else ()
