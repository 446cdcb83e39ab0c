"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, boosted by career and section."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from careerbot.chunking import Chunk
from careerbot.embeddings import NamedEmbeddings
from careerbot.errors import StoreUnavailableError
from careerbot.retrieval.fusion import RRF_K, reciprocal_rank_fusion
from careerbot.retrieval.keyword import KeywordIndex
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Source
from careerbot.store import Hit, VectorStore

# Boosts are in RRF units: 1/(60+1) ~ 0.016 is what a first place in one list is worth.
CAREER_BOOST = 2.0 / (RRF_K + 1)
SECTION_BOOST = 0.7 / (RRF_K + 1)
# A message names a handful of careers at most (6 in every evaluation set): search the strongest few.
# A word shared by thousands of titles (synthetic 1M-chunk corpus) otherwise made each question scan
# every one of those careers' chunks.
MAX_CAREERS_SEARCHED = 8
# A job named in passing ("become a scuba diver") is covered when a chunk is at least this similar;
# measured: doctor 0.61, attorney 0.59, fullstack developer 0.42, coder 0.40 vs scuba diver 0.28,
# sommelier 0.23, mortician 0.28.
ROLE_SIMILARITY = 0.35


def _interleave(ordered: list[str], careers: list[str], chunks: Mapping[str, Chunk], k: int) -> list[str]:
    """When a question names several careers ("dentist or dental hygienist?"), the first places
    alternate between them so that each is represented; otherwise the fused order stands."""
    if len(careers) < 2:
        return ordered[:k]
    queues = {
        c: [i for i in ordered if chunks[i].career == c][: max(1, k // (2 * len(careers)))] for c in careers
    }
    head: list[str] = []
    while any(queues.values()):
        for career in careers:
            if queues[career]:
                head.append(queues[career].pop(0))
    rest = [i for i in ordered if i not in set(head)]
    return (head + rest)[:k]


@dataclass(frozen=True)
class Retrieval:
    """Ranked sources and the evidence the relevance gate needs."""

    sources: tuple[Source, ...]
    top_similarity: float  # best cosine similarity of the unfiltered dense search
    degraded: bool = False  # True when the vector store was unreachable (keyword search only)


class HybridRetriever:
    """Dense + keyword retrieval over one set of chunks."""

    def __init__(
        self,
        store: VectorStore,
        embeddings: NamedEmbeddings,
        keyword: KeywordIndex,
        chunks: Mapping[str, Chunk],
        candidates: int = 40,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.keyword = keyword
        self.chunks = chunks
        self.candidates = candidates
        self.by_career: dict[str, list[str]] = {}
        self._career_vectors: dict[str, tuple[list[str], Any]] = {}  # filled lazily
        for chunk_id, chunk in chunks.items():
            self.by_career.setdefault(chunk.career, []).append(chunk_id)

    def retrieve(self, analysis: QueryAnalysis, k: int) -> Retrieval:
        """The ``k`` best chunks for the analysed question."""
        text = analysis.search_text
        vector = self.embeddings.embed_query(text)
        if analysis.only:
            dense = self._career_search(vector, [analysis.only], self.candidates)
        else:
            dense = self.store.search(vector, self.candidates)  # texts are in self.chunks
        rankings: list[Sequence[str]] = [[h.id for h in dense], self._keyword_ids(text)]
        careers = list(analysis.careers[:MAX_CAREERS_SEARCHED])
        if careers and not analysis.only:
            named = self._career_search(vector, careers, min(self.candidates, 15 * len(careers)))
            rankings.append([h.id for h in named])
        sources = self._rank(analysis, rankings, k)
        return Retrieval(sources, max((h.similarity for h in dense), default=0.0))

    def _career_search(self, vector: Sequence[float], careers: list[str], k: int) -> list[Hit]:
        """Nearest chunks among a few careers' chunks, by exact cosine in numpy.

        Chroma's filtered query grows with the collection (about 50 ms at 100k chunks); a career has
        only a dozen or so chunks, so their vectors are fetched once and kept.
        """
        import numpy as np

        ids: list[str] = []
        rows: list[np.ndarray] = []
        for career in careers:
            if career not in self._career_vectors:
                found_ids, vectors = self.store.vectors(self.by_career.get(career, []))
                self._career_vectors[career] = (
                    found_ids,
                    np.asarray(vectors, dtype=np.float32).reshape(len(found_ids), -1),
                )
            career_ids, matrix = self._career_vectors[career]
            ids += career_ids
            rows.append(matrix)
        if not ids:
            return []
        scores = np.vstack(rows) @ np.asarray(vector, dtype=np.float32)
        best = np.argsort(-scores)[:k]
        return [Hit(ids[i], float(scores[i])) for i in best]

    def knows_role(self, role: str, threshold: float = ROLE_SIMILARITY) -> bool:
        """True when some profile is close to a job named only in passing ("surgeon" -> physician)."""
        try:
            hits = self.store.search(self.embeddings.embed_query(role), 1)
        except StoreUnavailableError:
            return True  # cannot tell: let the other gates decide
        return bool(hits) and hits[0].similarity >= threshold

    def retrieve_keyword_only(self, analysis: QueryAnalysis, k: int) -> Retrieval:
        """Fallback when the vector store is down: BM25 plus the same boosts."""
        sources = self._rank(analysis, [self._keyword_ids(analysis.search_text)], k)
        return Retrieval(sources, 0.0, degraded=True)

    def _keyword_ids(self, text: str) -> list[str]:
        return [i for i, _ in self.keyword.search(text, self.candidates)]

    def _rank(
        self,
        analysis: QueryAnalysis,
        rankings: Sequence[Sequence[str]],
        k: int,
    ) -> tuple[Source, ...]:
        fused = reciprocal_rank_fusion(rankings)
        if analysis.careers:
            # Keyword search alone may miss the named career's chunks: add them as candidates.
            for career in analysis.careers[:MAX_CAREERS_SEARCHED]:
                for chunk_id in self.by_career.get(career, ()):
                    fused.setdefault(chunk_id, 0.0)
        # A whole title counts fully; a field word ("marketing") partly.
        strengths = {m.slug: min(1.0, m.strength) for m in analysis.named} or dict.fromkeys(
            analysis.carried, 1.0
        )
        wanted_sections = set(analysis.sections)
        for chunk_id in fused:
            chunk = self.chunks.get(chunk_id)
            if chunk is None:
                continue
            if chunk.career in strengths:
                fused[chunk_id] += CAREER_BOOST * strengths[chunk.career]
            if chunk.section in wanted_sections:
                fused[chunk_id] += SECTION_BOOST
        keep = (lambda c: c.career == analysis.only) if analysis.only else (lambda c: True)
        ordered = sorted(
            (i for i in fused if i in self.chunks and keep(self.chunks[i])), key=lambda i: -fused[i]
        )
        ranked = _interleave(ordered, [m.slug for m in analysis.named if m.is_strong], self.chunks, k)
        return tuple(
            Source(
                career=self.chunks[i].career,
                title=self.chunks[i].title,
                section=self.chunks[i].section,
                score=fused[i],
                text=self.chunks[i].text,
            )
            for i in ranked
        )
