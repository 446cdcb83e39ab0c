"""Two careers side by side for the aspect asked (default: Job Description and Education)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from careerbot.answer.select import Candidate, SourceList, block_markdown, choose_sections, ranked_units, take
from careerbot.answer.units import question_focus, units_of
from careerbot.render import compose
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, ComparisonRow, Point, Source

if TYPE_CHECKING:
    from careerbot.answer.extractive import ExtractiveEngine

DEFAULT_ASPECTS = ("Job Description", "Education and Training Needed")
ROW_WORDS = 45  # words per career for one aspect (two units at most)
CELL_WORDS = 30  # words per career and aspect when two aspects are compared


def _chosen(
    engine: ExtractiveEngine, analysis: QueryAnalysis, career: str, sources: Sequence[Source]
) -> list[Candidate]:
    """The career's chunk for each aspect compared."""
    pool = engine.pool(career, sources)
    focus = question_focus(analysis.question)
    if analysis.sections or focus:
        order = choose_sections(pool, analysis.sections, focus)
        return order[:1]
    by_section = {c.source.section: c for c in reversed(pool)}  # the best-ranked chunk of each section
    return [by_section[s] for s in DEFAULT_ASPECTS if s in by_section]


def compare(
    engine: ExtractiveEngine, analysis: QueryAnalysis, pair: Sequence[str], sources: Sequence[Source]
) -> Answer:
    """A comparison answer: one row per career, both cited, the first two citations one of each."""
    focus = question_focus(analysis.question)
    q = engine.question_tokens(analysis, pair)
    chosen = {career: _chosen(engine, analysis, career, sources) for career in pair}
    # The compared chunks lead the sources, alternating careers, so [1] and [2] are one of each.
    depth = max(len(c) for c in chosen.values())
    front = [chosen[c][i].source for i in range(depth) for c in pair if i < len(chosen[c])]
    keys = {(s.career, s.section, s.text) for s in front}
    listed = SourceList(front + [s for s in sources if (s.career, s.section, s.text) not in keys])
    two_aspects = depth > 1
    rows: list[ComparisonRow] = []
    shown: dict[str, list[str]] = {}
    more: list[str] = []
    for career in pair:
        row: list[Point] = []
        for candidate in chosen[career]:
            units = units_of(candidate.source.text)
            budget = CELL_WORDS if two_aspects else ROW_WORDS
            picked = take(ranked_units(units, q, focus), budget, 1 if two_aspects else 2, at_least_one=True)
            number = listed.cite(candidate.source)
            row += [Point(u.text, number, u.bullet) for u in sorted(picked, key=lambda u: u.index)]
            rest = [u for u in units if u not in picked]
            if rest:
                more.append(block_markdown(engine.title(career), candidate.source, number, rest))
        rows.append(ComparisonRow(career, engine.title(career), tuple(row)))
        shown[career] = [c.source.section for c in chosen[career]]
    aspects = list(dict.fromkeys(c.source.section for cs in chosen.values() for c in cs))
    asks = [engine.follow_ups.for_answer(c, shown[c], limit=2) for c in pair]
    follow_ups = tuple(q for pair_qs in zip(*asks, strict=False) for q in pair_qs)[:3]
    return compose(
        status="answered",
        kind="comparison",
        comparison_aspect="; ".join(aspects),
        comparison=tuple(rows),
        follow_ups=follow_ups,
        more="\n\n".join(more),
        sources=listed.final(),
    )
