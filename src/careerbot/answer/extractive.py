"""The default answer engine: quotes the retrieved profile text, grouped by career and section, cited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from careerbot.answer.units import select_units, split_units
from careerbot.retrieval.keyword import keyword_tokens
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Source

# Lines that frame the quotes rather than state facts (the evaluation does not count them as claims).
LEAD = "From the "
RELATED = "You can ask me about these related careers too: "
FRAMING_PREFIXES = (LEAD, RELATED)

MAX_CAREERS = 3
UNITS_PER_SECTION = 6
UNITS_ASKED_SECTION = 10  # a section the question asks for is quoted (nearly) whole
CLOSE_SCORE = 0.8  # another career is shown when its best chunk scores at least this share of the top


@dataclass(frozen=True)
class Block:
    """One quoted section of one career, with its citation number (1-based index into sources)."""

    source_index: int
    source: Source
    units: list[tuple[str, str]]


def _careers_to_show(analysis: QueryAnalysis, sources: Sequence[Source]) -> list[str]:
    present = {s.career for s in sources}
    named = [c for c in analysis.careers if c in present]
    if named:
        return named[:MAX_CAREERS]
    best: dict[str, float] = {}
    for s in sources:
        best.setdefault(s.career, s.score)
    ranked = sorted(best, key=lambda c: -best[c])
    if not ranked:
        return []
    top = best[ranked[0]]
    return [c for c in ranked if best[c] >= CLOSE_SCORE * top][:MAX_CAREERS]


def _sections_for(
    career: str, analysis: QueryAnalysis, sources: Sequence[Source], per_career: int, named: bool
) -> list[int]:
    """Indexes of the chunks to quote for one career, in rank order.

    Asked-for sections come first; a career the question did not name shows only those (or its
    single best chunk), so a comparison does not fill up with loosely related sections.
    """
    indexes = [i for i, s in enumerate(sources) if s.career == career]
    wanted = list(analysis.sections)
    if not named:
        asked = [i for i in indexes if sources[i].section in wanted]
        indexes = asked or indexes[:1]

    def order(i: int) -> tuple[int, int]:
        section = sources[i].section
        return (wanted.index(section) if section in wanted else len(wanted), i)

    chosen: list[int] = []
    seen_sections: set[str] = set()
    for i in sorted(indexes, key=order):
        if sources[i].section == "Similar Titles" and len(indexes) > 1:
            continue  # a list of job titles is rarely the answer
        if sources[i].section in seen_sections and sources[i].section not in wanted:
            continue
        chosen.append(i)
        seen_sections.add(sources[i].section)
        if len(chosen) == per_career:
            break
    return sorted(chosen)


def _render_block(block: Block, show_career: bool) -> str:
    heading = f"{block.source.title}: {block.source.section}" if show_career else block.source.section
    lines = [f"**{heading}** [{block.source_index}]"]
    paragraph: list[str] = []
    for kind, text in block.units:
        if kind == "bullet":
            if paragraph:
                lines.append(" ".join(paragraph))
                paragraph = []
            lines.append(f"- {text}")
        else:
            paragraph.append(text)
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n".join(lines)


class ExtractiveEngine:
    """Composes answers only from retrieved profile text; deterministic and grounded by construction."""

    name = "extractive"

    def __init__(
        self, related: Mapping[str, Sequence[str]] | None = None, titles: Mapping[str, str] | None = None
    ) -> None:
        self.related = related or {}
        self.titles = titles or {}

    def answer(self, analysis: QueryAnalysis, sources: Sequence[Source]) -> Answer:
        """An ``answered`` Answer quoting the best sections, with [n] citations into ``sources``."""
        careers = _careers_to_show(analysis, sources)
        per_career = 3 if len(careers) == 1 else 2
        career_words = {t for c in careers for t in keyword_tokens(self.titles.get(c, c.replace("-", " ")))}
        blocks: list[Block] = []
        named = {m.slug for m in analysis.named if m.is_strong} | set(analysis.carried)
        if len(careers) == 1:
            named |= set(careers)  # the one career answered gets the full treatment
        for career in careers:
            for i in _sections_for(career, analysis, sources, per_career, career in named):
                limit = UNITS_ASKED_SECTION if sources[i].section in analysis.sections else UNITS_PER_SECTION
                units = select_units(split_units(sources[i].text), analysis.question, limit, career_words)
                blocks.append(Block(i + 1, sources[i], units))

        show_career = len(careers) > 1
        parts: list[str] = []
        if careers:
            names = ", ".join(f"**{self.titles.get(c, c)}**" for c in careers)
            plural = "profiles" if len(careers) > 1 else "profile"
            parts.append(f"{LEAD}{names} {plural}:")
        parts += [_render_block(b, show_career) for b in blocks]
        shown_plan_b = {b.source.career for b in blocks if b.source.section == "Plan B"}
        related = [
            self.titles.get(r, r)
            for career in careers
            if career in shown_plan_b
            for r in self.related.get(career, ())
            if r not in careers
        ]
        if related:
            parts.append(f"{RELATED}{', '.join(dict.fromkeys(related))}.")
        cited = {b.source_index - 1 for b in blocks}
        marked = tuple(s.as_cited() if i in cited else s for i, s in enumerate(sources))
        return Answer("\n\n".join(parts), "answered", marked)
