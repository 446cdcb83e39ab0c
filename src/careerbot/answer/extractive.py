"""The default answer engine: short, direct answers quoted from the profiles, every point cited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from careerbot.answer.compare import compare
from careerbot.answer.followups import PAY, FollowUps
from careerbot.answer.select import (
    Candidate,
    SourceList,
    block_markdown,
    candidates,
    choose_sections,
    points,
    ranked_units,
    take,
    words_of,
)
from careerbot.answer.units import Focus, Unit, has_pay, question_focus, units_of, word_count
from careerbot.chunking import Chunk, chunk_profiles
from careerbot.corpus.schema import Profile
from careerbot.render import compose
from careerbot.retrieval.query import QueryAnalysis
from careerbot.retrieval.text import keyword_tokens, words
from careerbot.schema import Answer, RelatedCareer, Source

# Words of the rendered text (intro, quotes, follow-ups); the quotes get what the rest leaves.
# 145 keeps the golden-set median under 130 (measured with `careerbot eval`).
TEXT_WORDS = 145
FOLLOW_UPS_HEADING_WORDS = 4
LEAD_WORDS = 60  # the lead stops growing past this (its first unit is always kept)
LEAD_UNITS = 3
MIN_BLOCK_WORDS = 12  # a supporting block shorter than this is not worth a second citation
MAX_CAREERS = 3
BECOME = frozenset({"become", "becoming"})
MORE_SECTIONS = 3  # sections of the answered career quoted in "more from the profile"
CLOSE_SCORE = 0.8  # another career goes into "more" when its best chunk scores this share of the top


def implied(analysis: QueryAnalysis) -> tuple[str, ...]:
    """Sections a question with no section intent still implies: "become" asks about education."""
    return ("Education and Training Needed",) if BECOME & set(words(analysis.question)) else ()


def in_question_order(analysis: QueryAnalysis, careers: list[str]) -> list[str]:
    """Careers in the order the question names them ("nurse vs dental hygienist": nurse first)."""
    text = analysis.question.lower()
    where = {m.slug: text.find(m.alias.lower()) for m in analysis.named}
    return sorted(careers, key=lambda c: where.get(c, len(text)) % (len(text) + 1))


def careers_to_show(analysis: QueryAnalysis, sources: Sequence[Source]) -> list[str]:
    """Careers the answer is about: those named (and retrieved), else the close best-scoring ones."""
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


# The sections where each focus lives: a focus word counts only when the question's main section is
# one of them ("a backup plan if music doesn't pay the bills" asks for Plan B, not the pay figure).
FOCUS_SECTIONS: dict[str, frozenset[str]] = {
    "pay": frozenset({"The Inside Scoop"}),
    "duration": frozenset({"Education and Training Needed", "Typical Roadmap"}),
    "tools": frozenset({"Skills Needed", "Job Description", "Day in the Life"}),
}


def asked_focus(analysis: QueryAnalysis) -> Focus | None:
    """The figure the question asks for (pay, duration, tools), unless it mainly asks for another section."""
    focus = question_focus(analysis.question)
    if focus and analysis.sections and analysis.sections[0] not in FOCUS_SECTIONS[focus]:
        return None
    return focus


class ExtractiveEngine:
    """Composes answers only from profile text; deterministic and grounded by construction."""

    name = "extractive"

    def __init__(self, profiles: Sequence[Profile], text_words: int = TEXT_WORDS) -> None:
        self.titles = {p.slug: p.title for p in profiles}
        self.related = {p.slug: p.related for p in profiles}
        self.chunks: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in chunk_profiles(profiles):
            self.chunks[chunk.career].append(chunk)
        self.follow_ups = FollowUps(profiles)  # precomputed once, never per request
        self.text_words = text_words

    def answer(self, analysis: QueryAnalysis, sources: Sequence[Source]) -> Answer:
        """An ``answered`` Answer: a cited lead, one supporting block, follow-ups, and "more"."""
        if analysis.compare and len(analysis.careers) >= 2:
            pair = in_question_order(analysis, [c for c in analysis.careers if c in self.titles][:2])
            if len(pair) == 2:
                return compare(self, analysis, pair, sources)
        careers = careers_to_show(analysis, sources)
        if not careers:
            return compose(
                status="no_info", reason="not_covered", intro="I found nothing on that in my profiles."
            )
        return self._single(analysis, careers, sources)

    def title(self, career: str) -> str:
        """The career's display title."""
        return self.titles.get(career, career)

    def pool(self, career: str, sources: Sequence[Source]) -> list[Candidate]:
        """What can be quoted for a career: retrieved chunks first, then the rest of its profile."""
        return candidates(career, sources, self.chunks.get(career, ()))

    def question_tokens(self, analysis: QueryAnalysis, careers: Sequence[str]) -> set[str]:
        """The question's content words, without the careers' own names."""
        names = {t for c in careers for t in keyword_tokens(self.title(c))}
        return set(keyword_tokens(analysis.question)) - names

    def _single(self, analysis: QueryAnalysis, careers: list[str], sources: Sequence[Source]) -> Answer:
        career = careers[0]
        title = self.title(career)
        focus = asked_focus(analysis)
        intro = f"From the {title} profile:"
        if focus == "pay" and not self.follow_ups.has_pay(career):
            intro = f"The {title} profile gives no pay figure. Here is what it does say:"
            focus = None
        q = self.question_tokens(analysis, careers)
        listed = SourceList(sources)
        order = choose_sections(self.pool(career, sources), analysis.sections or implied(analysis), focus)
        if not order:
            return compose(
                status="no_info", reason="not_covered", intro="I found nothing on that in my profiles."
            )

        primary = order[0]
        lead_units, overhead = self._lead(primary, q, focus, career, intro)
        budget = self.text_words - overhead - words_of(lead_units)
        support_source, support_units = self._support(primary, lead_units, order, q, focus, budget)
        support_units = sorted(support_units, key=lambda u: u.index)  # read in profile order
        lead = points(lead_units, listed.cite(primary.source))
        support_points = points(support_units, listed.cite(support_source.source) if support_units else 0)

        shown_sections = [primary.source.section]
        if support_units:
            shown_sections.append(support_source.source.section)
        if any(has_pay(p.text) for p in lead + support_points):
            shown_sections.append(PAY)
        more = self._more(
            career,
            order,
            listed,
            {(primary.source.text, u.index) for u in lead_units}
            | {(support_source.source.text, u.index) for u in support_units},
        )
        more_others = [self._best_block(c, analysis, sources, listed) for c in careers[1:]]
        more = "\n\n".join(b for b in [more, *more_others] if b)
        related: tuple[RelatedCareer, ...] = ()
        if "Plan B" in shown_sections:
            related = tuple(
                RelatedCareer(r, self.title(r)) for r in self.related.get(career, ()) if r != career
            )
        return compose(
            status="answered",
            kind="answer",
            intro=intro,
            lead=lead,
            points=support_points,
            related=related,
            follow_ups=self.follow_ups.for_answer(career, shown_sections),
            more=more,
            sources=listed.final(),
        )

    def _lead(
        self, primary: Candidate, q: set[str], focus: Focus | None, career: str, intro: str
    ) -> tuple[list[Unit], int]:
        """The 1-3 best units of the primary section, and the words the rest of the text will take."""
        ranked = ranked_units(units_of(primary.source.text), q, focus)
        lead_units = take(ranked, LEAD_WORDS, LEAD_UNITS, at_least_one=True)
        planned = self.follow_ups.for_answer(career, [primary.source.section, PAY if focus == "pay" else ""])
        overhead = word_count(intro) + FOLLOW_UPS_HEADING_WORDS + sum(word_count(f) for f in planned)
        return lead_units, overhead

    def _support(
        self,
        primary: Candidate,
        lead_units: Sequence[Unit],
        order: Sequence[Candidate],
        q: set[str],
        focus: Focus | None,
        budget: int,
    ) -> tuple[Candidate, list[Unit]]:
        """One supporting block: more of the primary section, or when it is all shown, the next one."""
        shown = {u.index for u in lead_units}
        rest = [u for u in units_of(primary.source.text) if u.index not in shown]
        units = take(ranked_units(rest, q, focus), budget, len(rest), at_least_one=False)
        if units or budget < MIN_BLOCK_WORDS:
            return primary, units
        for other in order[1:]:
            if other.retrieved:
                units = take(
                    ranked_units(units_of(other.source.text), q, focus), budget, 4, at_least_one=False
                )
                if words_of(units) >= MIN_BLOCK_WORDS:
                    return other, units
        return primary, []

    def _more(
        self, career: str, order: Sequence[Candidate], listed: SourceList, shown: set[tuple[str, int]]
    ) -> str:
        """The chosen sections of the answered career, without the units already shown."""
        blocks: list[str] = []
        for candidate in [c for c in order if c.retrieved or c is order[0]][:MORE_SECTIONS]:
            rest = [
                u for u in units_of(candidate.source.text) if (candidate.source.text, u.index) not in shown
            ]
            if rest:
                number = listed.cite(candidate.source)
                blocks.append(block_markdown(self.title(career), candidate.source, number, rest))
        return "\n\n".join(blocks)

    def _best_block(
        self, career: str, analysis: QueryAnalysis, sources: Sequence[Source], listed: SourceList
    ) -> str:
        """Another close career's best section, whole, for "more from the profile"."""
        order = [
            c for c in choose_sections(self.pool(career, sources), analysis.sections, None) if c.retrieved
        ]
        if not order:
            return ""
        best = order[0]
        number = listed.cite(best.source)
        return block_markdown(self.title(career), best.source, number, units_of(best.source.text))
