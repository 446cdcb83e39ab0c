"""Choosing what to quote: the section that answers, and the units of it that answer best."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from careerbot.answer.units import Focus, Unit, focus_score, unit_score, units_of, word_count
from careerbot.chunking import Chunk
from careerbot.schema import Point, Source

FOCUS_FOUND = 0.6  # a chunk "has" the asked-for figure when one of its units scores at least this


@dataclass(frozen=True)
class Candidate:
    """A chunk of one career that could be quoted: retrieved (``rank`` >= 0) or taken from its profile."""

    source: Source
    rank: int  # position in the retrieved sources; -1 when not retrieved

    @property
    def retrieved(self) -> bool:
        """True when retrieval returned this chunk."""
        return self.rank >= 0


class SourceList:
    """The retrieved sources plus chunks the engine adds from a profile; records which are cited."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.items = list(sources)
        self.cited: list[int] = []  # 0-based, in order of first citation

    def index(self, source: Source) -> int:
        """0-based position of the source, appending it when it was not retrieved."""
        for i, s in enumerate(self.items):
            if (s.career, s.section, s.text) == (source.career, source.section, source.text):
                return i
        self.items.append(source)
        return len(self.items) - 1

    def cite(self, source: Source) -> int:
        """Mark a source as cited; its 1-based citation number."""
        i = self.index(source)
        if i not in self.cited:
            self.cited.append(i)
        return i + 1

    def final(self) -> tuple[Source, ...]:
        """The sources with the cited ones marked."""
        cited = set(self.cited)
        return tuple(s.as_cited() if i in cited else s for i, s in enumerate(self.items))


def candidates(career: str, sources: Sequence[Source], chunks: Iterable[Chunk]) -> list[Candidate]:
    """The career's retrieved sources in rank order, then its other chunks in profile order."""
    found = [Candidate(s, rank) for rank, s in enumerate(sources) if s.career == career]
    seen = {(c.source.section, c.source.text) for c in found}
    for chunk in chunks:
        if (chunk.section, chunk.text) not in seen:
            found.append(Candidate(Source(career, chunk.title, chunk.section, 0.0, chunk.text), -1))
    return found


def best_focus(candidate: Candidate, focus: Focus | None) -> float:
    """The best focus score among the candidate's units."""
    return max((focus_score(focus, u.text) for u in units_of(candidate.source.text)), default=0.0)


def choose_sections(
    pool: Sequence[Candidate], asked: Sequence[str], focus: Focus | None, exclude: Iterable[str] = ()
) -> list[Candidate]:
    """Candidates in the order they should be quoted.

    Chunks holding the asked-for figure come first (pay, duration, tools; asked sections first among
    them); then the sections the question asks about, in intent order; then the rest as retrieved. Chunks that were not retrieved
    only qualify when they hold the figure or an asked section.
    """
    skip = set(exclude)
    wanted = list(asked)

    def intent(c: Candidate) -> int:
        return wanted.index(c.source.section) if c.source.section in wanted else len(wanted)

    def rank(c: Candidate) -> int:
        return c.rank if c.retrieved else 10_000

    usable = [c for c in pool if c.source.section not in skip]
    scored = {id(c): best_focus(c, focus) if focus else 0.0 for c in usable}
    with_focus = [c for c in usable if scored[id(c)] >= FOCUS_FOUND]
    asked_here = [c for c in usable if c not in with_focus and intent(c) < len(wanted)]
    if focus == "tools":  # tools are named all over a profile: the asked section (Skills) comes first
        with_focus, asked_here = [], with_focus + asked_here
    with_focus.sort(key=lambda c: (intent(c), -round(scored[id(c)], 1), rank(c)))
    asked_here.sort(key=lambda c: (intent(c), -round(scored[id(c)], 1), rank(c)))
    rest = [
        c
        for c in usable
        if c.retrieved
        and c not in with_focus
        and c not in asked_here
        and c.source.section != "Similar Titles"
    ]
    ordered = with_focus + asked_here + rest
    return ordered or [c for c in usable if c.retrieved]


def ranked_units(units: Sequence[Unit], question_tokens: set[str], focus: Focus | None) -> list[Unit]:
    """Units best first: focus and word overlap, earlier ones on ties."""
    return sorted(units, key=lambda u: (-unit_score(question_tokens, focus, u), u.index))


def take(units: Sequence[Unit], budget: int, most: int, at_least_one: bool) -> list[Unit]:
    """Units in the given order while they fit ``budget`` words (up to ``most``)."""
    chosen: list[Unit] = []
    used = 0
    for unit in units:
        if len(chosen) == most:
            break
        words = word_count(unit.text)
        if used + words <= budget or (at_least_one and not chosen):
            chosen.append(unit)
            used += words
    return chosen


def points(units: Iterable[Unit], number: int) -> tuple[Point, ...]:
    """Units as points citing source ``number``."""
    return tuple(Point(u.text, number, u.bullet) for u in units)


def words_of(units: Iterable[Unit]) -> int:
    """Words in the units."""
    return sum(word_count(u.text) for u in units)


def block_markdown(title: str, source: Source, number: int, units: Sequence[Unit]) -> str:
    """A quoted section for "more from the profile": heading with its citation, then its units."""
    lines = [f"**{title}: {source.section}** [{number}]"]
    paragraph: list[str] = []
    for unit in units:
        if unit.bullet:
            if paragraph:
                lines.append(" ".join(paragraph))
                paragraph = []
            lines.append(f"- {unit.text}")
        else:
            paragraph.append(unit.text)
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n".join(lines)
