"""BM25 keyword index over chunk texts (bm25s: sparse matrices, fast at 100k chunks)."""

from __future__ import annotations

from collections.abc import Sequence

from careerbot.retrieval.text import keyword_tokens

__all__ = ["KeywordIndex", "keyword_tokens"]


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
