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

# The usual minimum education to enter a career, lowest first, so "no 4-year college"
# is a comparison of ranks. Front matter: "degree: <one of these>".
DEGREES: tuple[str, ...] = (
    "none",  # high school, then learning on the job or in a paid apprenticeship
    "certificate",  # a certificate, license or credential course of weeks to about two years
    "associate",  # a two-year college degree
    "bachelor",  # a four-year college degree
    "graduate",  # a master's, doctorate or professional degree (JD, MD, DDS, PharmD ...)
)

# Tags for interest matching and constraints ("no blood", "good with my hands").
# Front matter: "traits: tag, tag". Kept small so each tag means one thing to a student.
TRAITS: dict[str, str] = {
    "hands-on": "works with tools, equipment or materials, not only at a desk",
    "outdoors": "a good share of the work happens outside or on sites",
    "blood": "sees blood, wounds, injuries, surgery or bodily fluids",
    "patient-care": "examines, treats or cares for patients directly",
    "creative": "makes original designs, art, media or stories",
    "computers": "most of the work is done on computers or with software",
    "math": "uses math, statistics or calculation every day",
    "science": "applies biology, chemistry, physics or another natural science",
    "people": "spends most of the day dealing with clients, the public or a team",
    "helping": "the point of the job is helping people with their lives or health",
    "physical": "physically demanding: on your feet, lifting, climbing",
    "travel": "travels regularly for work",
    "writing": "writing is a core part of the job",
    "business": "sales, money, marketing or running a business",
    "animals": "works with animals",
    "law": "works with laws, courts or law enforcement",
}


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
    degree: str | None = None  # one of DEGREES, from the front matter or the .meta sidecar
    traits: tuple[str, ...] = ()  # tags from TRAITS, in the order written

    def section(self, name: str) -> Section | None:
        """The section with this canonical name, if present."""
        return next((s for s in self.sections if s.name == name), None)

    @property
    def plan_b(self) -> tuple[str, ...]:
        """The Plan B entries as written."""
        section = self.section("Plan B")
        return tuple(i.text for i in section.items) if section else ()
