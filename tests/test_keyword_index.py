"""BM25 keyword search: the best k chunks that hold a query word, best first, ties to the earlier chunk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from careerbot.retrieval.keyword import KeywordIndex
from careerbot.retrieval.text import keyword_tokens

WORDS = ["nurse", "welder", "patients", "metal", "code", "court", "teeth", "budget", "paint", "garden"]


def reference(index: KeywordIndex, query: str, k: int) -> list[tuple[str, float]]:
    """Every scored chunk sorted by (score desc, position asc), cut at k: what search must return."""
    tokens = [t for t in keyword_tokens(query) if t in index._vocab]
    if not tokens:
        return []
    scores = index._bm25.get_scores(tokens)
    ranked = sorted((i for i in range(len(index.ids)) if scores[i] > 0), key=lambda i: (-scores[i], i))
    return [(index.ids[i], float(scores[i])) for i in ranked[:k]]


def test_search_returns_chunks_holding_the_words_best_first() -> None:
    texts = ["welders join metal", "nurses care for patients", "welder welder metal", "court clerks"]
    index = KeywordIndex([f"c{i}" for i in range(len(texts))], texts)
    found = index.search("how do I become a welder?", 10)
    assert [chunk_id for chunk_id, _ in found] == ["c2", "c0"]  # c1 and c3 hold no query word
    assert found[0][1] > found[1][1] > 0
    assert index.search("weather on mars", 10) == []


def test_equal_scores_keep_corpus_order_and_k_cuts() -> None:
    texts = ["nurse shift", "garden", "nurse shift", "nurse shift", "paint"]
    index = KeywordIndex([f"c{i}" for i in range(len(texts))], texts)
    assert [chunk_id for chunk_id, _ in index.search("nurse", 2)] == ["c0", "c2"]


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=40),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    k=st.integers(min_value=1, max_value=50),
)
def test_search_matches_a_full_sort_of_every_score(docs: list[list[str]], query: list[str], k: int) -> None:
    texts = [" ".join(words) for words in docs]
    index = KeywordIndex([f"c{i}" for i in range(len(texts))], texts)
    assert index.search(" ".join(query), k) == reference(index, " ".join(query), k)
