"""Discovery: careers ranked by fit to a description of interests, each with a quoted, cited reason.

Fit is aggregated per career over the sections that describe the work and the person it suits, not
taken from the top chunks of one search (which let a single lucky chunk decide). Constraints the person
states ("no 4-year college", "blood makes me faint") count against careers whose profile attributes
contradict them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from careerbot import replies
from careerbot.analysis.verdict import Interests
from careerbot.answer.followups import with_article
from careerbot.answer.units import split_units
from careerbot.corpus.schema import Profile
from careerbot.errors import StoreUnavailableError
from careerbot.render import compose
from careerbot.retrieval.hybrid import HybridRetriever
from careerbot.retrieval.keyword import keyword_tokens
from careerbot.schema import Answer, RelatedCareer, Source

FIT_SECTIONS = (
    "Job Description",
    "Rewarding Aspects of Career",
    "Skills Needed",
    "Day in the Life",
    "Education and Training Needed",
)
REASON_SECTIONS = ("Job Description", "Rewarding Aspects of Career", "Skills Needed", "Day in the Life")
TOP_CHUNKS = 2  # a career's fit: mean of its best chunks among FIT_SECTIONS
TRAIT_BONUS = 0.06  # per interest trait the profile carries (at most two count)
NAMED_BONUS = 0.08  # a career the person named as an interest
PENALTY = {"no_degree": 0.12, "no_blood": 0.25, "no_desk": 0.05}
MIN_CAREERS, MAX_CAREERS = 3, 5
CLOSE_FIT = 0.08  # a 4th and 5th career are listed when this close to the best
DEGREE_CONFLICT = frozenset({"bachelor", "graduate"})
DESK_TRAITS = frozenset({"computers", "writing", "business", "math"})


@dataclass(frozen=True)
class Match:
    """One career's fit and the unit that shows why."""

    slug: str
    score: float
    reason: str
    chunk_id: str


class Discoverer:
    """Ranks every career against an interest description."""

    def __init__(self, profiles: Sequence[Profile], retriever: HybridRetriever) -> None:
        self.profiles = {p.slug: p for p in profiles}
        self.retriever = retriever
        self._ids: dict[str, list[str]] = {}
        for chunk_id, chunk in retriever.chunks.items():
            if chunk.section in FIT_SECTIONS:
                self._ids.setdefault(chunk.career, []).append(chunk_id)
        self._vectors: tuple[list[str], Any] | None = None  # all fit chunks, fetched once

    def _matrix(self) -> tuple[list[str], Any]:
        import numpy as np

        if self._vectors is None:
            wanted = [i for ids in self._ids.values() for i in ids]
            ids, vectors = self.retriever.store.vectors(wanted)
            self._vectors = (ids, np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1))
        return self._vectors

    def _similarities(self, text: str) -> dict[str, list[float]]:
        """Cosine of each fit chunk with the description, by career (empty when the store is down)."""
        import numpy as np

        try:
            ids, matrix = self._matrix()
            vector = np.asarray(self.retriever.embeddings.embed_query(text), dtype=np.float32)
        except StoreUnavailableError:
            return {}
        scores = matrix @ vector if len(ids) else []
        by_career: dict[str, list[float]] = {}
        for chunk_id, score in zip(ids, scores, strict=True):
            by_career.setdefault(self.retriever.chunks[chunk_id].career, []).append(float(score))
        return by_career

    def rank(self, text: str, interests: Interests) -> list[Match]:
        """Careers best first, constraints applied, excluded careers removed."""
        sims = self._similarities(interests.likes or text)
        words = set(keyword_tokens(text)) | {t for trait in interests.traits for t in keyword_tokens(trait)}
        scored: list[tuple[float, str]] = []
        for slug, profile in self.profiles.items():
            if slug in interests.excluded:
                continue
            best = sorted(sims.get(slug, []), reverse=True)[:TOP_CHUNKS]
            score = sum(best) / len(best) if best else 0.0
            traits = set(getattr(profile, "traits", ()) or ())
            score += TRAIT_BONUS * min(2, len(traits & set(interests.traits)))
            score += NAMED_BONUS if slug in interests.named else 0.0
            if "no_degree" in interests.constraints and getattr(profile, "degree", None) in DEGREE_CONFLICT:
                score -= PENALTY["no_degree"]
            if "no_blood" in interests.constraints and "blood" in traits:
                score -= PENALTY["no_blood"]
            if "no_desk" in interests.constraints and traits & DESK_TRAITS and "hands-on" not in traits:
                score -= PENALTY["no_desk"]
            if not sims:  # store down: words alone
                score += self._overlap(slug, words)
            scored.append((score, slug))
        scored.sort(key=lambda t: (-t[0], t[1]))
        top = scored[0][0] if scored else 0.0
        chosen = [
            s
            for i, s in enumerate(scored)
            if i < MIN_CAREERS or (i < MAX_CAREERS and s[0] >= top - CLOSE_FIT)
        ]
        return [self._match(slug, score, words) for score, slug in chosen]

    def _overlap(self, slug: str, words: set[str]) -> float:
        text = " ".join(self.retriever.chunks[i].text for i in self._ids.get(slug, []))
        return 0.02 * len(words & set(keyword_tokens(text)))

    def _match(self, slug: str, score: float, words: set[str]) -> Match:
        """The unit of the career's profile that best shows why it fits (first of Job Description on ties)."""
        best = ("", "", -1.0)
        for section in REASON_SECTIONS:
            for chunk_id in self._ids.get(slug, []):
                chunk = self.retriever.chunks[chunk_id]
                if chunk.section != section:
                    continue
                for _, unit in split_units(chunk.text):
                    overlap = len(words & set(keyword_tokens(unit))) / (1 + len(unit) / 400)
                    if overlap > best[2] and len(unit) >= 25:
                        best = (unit, chunk_id, overlap)
        return Match(slug, score, best[0], best[1])

    def answer(self, text: str, interests: Interests) -> Answer:
        """An ``answered`` discovery Answer: 3-5 careers with a quoted, cited reason each."""
        matches = [m for m in self.rank(text, interests) if m.reason]
        sources: list[Source] = []
        related: list[RelatedCareer] = []
        for n, match in enumerate(matches, 1):
            chunk = self.retriever.chunks[match.chunk_id]
            sources.append(
                Source(chunk.career, chunk.title, chunk.section, match.score, chunk.text, cited=True)
            )
            related.append(RelatedCareer(match.slug, chunk.title, match.reason, n))
        follow_ups = (
            (
                *(f"What does {with_article(r.title)} do day to day?" for r in related[:2]),
                f"How do I become {with_article(related[0].title)}?",
            )
            if related
            else ()
        )
        return compose(
            status="answered",
            sources=tuple(sources),
            kind="discovery",
            intro=replies.DISCOVERY_INTRO,
            related=tuple(related),
            follow_ups=follow_ups,
        )
