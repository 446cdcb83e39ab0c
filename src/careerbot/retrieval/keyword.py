"""BM25 keyword index over chunk texts (bm25s: sparse matrices, fast at 100k chunks)."""

from __future__ import annotations

from collections.abc import Sequence

from careerbot.retrieval.text import stems

_STOP = frozenset(
    stems(
        """a an and are as at be but by for if in into is it no not of on or such that the their then
        there these they this to was will with i me my you your we our what how do does can could should
        would am about so just get like want really any some who which when where why he she him her
        them its was were been being have has had did doing from up down out over again more most very
        much many also only own same than too s t don now"""
    )
)


def keyword_tokens(text: str) -> list[str]:
    """Stemmed words without stop words."""
    return [t for t in stems(text) if t not in _STOP]


class KeywordIndex:
    """BM25 over the same chunk ids as the vector store."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s

        self.ids = list(ids)
        self._bm25 = bm25s.BM25()
        corpus = [keyword_tokens(t) or [""] for t in texts]
        self._bm25.index(corpus, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Best ``k`` chunk ids with BM25 scores (empty when no query word is indexed)."""
        tokens = [t for t in keyword_tokens(query) if t in self._vocab]
        if not tokens or not self.ids:
            return []
        docs, scores = self._bm25.retrieve([tokens], k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
