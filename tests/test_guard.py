"""The grounding guard on a fixed, labelled set of sentences (tests/golden/guard-sentences.jsonl)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from careerbot.answer.guard import Guard, risky_terms, split_citations, with_citations
from careerbot.schema import Source

SET = Path(__file__).parent / "golden" / "guard-sentences.jsonl"


def _load() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    passages = {r["passage"]: r for r in rows if "passage" in r}
    return passages, [r for r in rows if "sentence" in r]


PASSAGES, CASES = _load()


def _sources(case: dict[str, Any]) -> list[Source]:
    return [
        Source(p["career"], p["title"], p["section"], 1.0, p["text"])
        for p in (PASSAGES[name] for name in case["sources"])
    ]


def _rates(embed: Callable[[list[str]], list[list[float]]] | None) -> dict[str, Any]:
    false_drop, false_keep, wrong_cite = [], [], []
    for case in CASES:
        verdict = Guard(_sources(case), embed).check(case["sentence"])
        supported = case["label"] == "supported"
        if supported and not verdict.kept:
            false_drop.append(case["id"])
        if not supported and verdict.kept:
            false_keep.append(case["id"])
        if supported and verdict.kept and verdict.source != case["source"]:
            wrong_cite.append(case["id"])
    supported_n = sum(c["label"] == "supported" for c in CASES)
    return {
        "false_drop": len(false_drop) / supported_n,
        "false_keep": len(false_keep) / (len(CASES) - supported_n),
        "dropped": false_drop,
        "kept": false_keep,
        "wrong_cite": wrong_cite,
    }


def test_the_labelled_set_is_big_and_covers_every_kind() -> None:
    kinds = {c["kind"] for c in CASES}
    assert len(CASES) >= 60
    assert {"paraphrase", "salary", "degree", "duration", "tool", "wrong_citation"} <= kinds
    assert all(c["label"] in {"supported", "unsupported"} for c in CASES)
    assert all(c["source"] for c in CASES if c["label"] == "supported")


def test_lexical_guard_rates() -> None:
    """Without the embedding model: paraphrases with few shared words are dropped (the safe side)."""
    rates = _rates(None)
    print(
        f"\nguard (lexical only): false-drop {rates['false_drop']:.3f}, false-keep {rates['false_keep']:.3f}"
    )
    assert rates["false_keep"] == 0, rates["kept"]
    assert rates["false_drop"] <= 0.1, rates["dropped"]
    assert rates["wrong_cite"] == [], rates["wrong_cite"]


@pytest.mark.slow
def test_guard_rates_with_the_packaged_embedding_model(real_embeddings) -> None:  # type: ignore[no-untyped-def]
    """As shipped: lexical overlap, then all-MiniLM-L6-v2 similarity for paraphrases."""
    rates = _rates(real_embeddings.embed_documents)
    print(f"\nguard (as shipped): false-drop {rates['false_drop']:.3f}, false-keep {rates['false_keep']:.3f}")
    assert rates["false_keep"] == 0, rates["kept"]
    assert rates["false_drop"] <= 0.05, rates["dropped"]
    assert rates["wrong_cite"] == [], rates["wrong_cite"]


def test_wrong_citation_is_moved_to_the_supporting_source() -> None:
    case = next(c for c in CASES if c["kind"] == "wrong_citation" and c["label"] == "supported")
    verdict = Guard(_sources(case)).check(case["sentence"])
    assert verdict.kept
    assert verdict.removed_citations
    assert f"[{case['source']}]" in verdict.text
    assert split_citations(verdict.text)[1] == (case["source"],)


def test_citation_numbers_follow_the_prompt_numbering() -> None:
    """Sources shown to the model as [3] and [5] are cited as [3] and [5], never by list position."""
    case = next(c for c in CASES if c["id"] == "g09")  # supported by its second source
    verdict = Guard(_sources(case), numbers=[3, 5]).check(
        "Electricians read blueprints to find where panels go [3]."
    )
    assert verdict.kept
    assert verdict.source == 5
    assert verdict.text.endswith("[5].")


def test_risky_terms_find_numbers_credentials_and_names() -> None:
    terms = risky_terms("Apprentices earn $18 an hour after four years and need an OSHA card.")
    assert {"#18", "#4", "earn", "hour", "year", "osha"} <= terms
    assert "~neg" in risky_terms("You don't need a license.")


def test_citations_are_split_and_placed_before_the_full_stop() -> None:
    assert split_citations("A degree helps [2][3]. ") == ("A degree helps.", (2, 3))
    assert with_citations("A degree helps.", [2]) == "A degree helps [2]."
    assert with_citations("A degree helps", [1, 2]) == "A degree helps [1][2]"


def test_no_sources_or_no_words_keeps_nothing() -> None:
    assert not Guard([]).check("Electricians read blueprints.").kept
    case = CASES[0]
    assert not Guard(_sources(case)).check("!!! [1]").kept


def test_a_long_hostile_sentence_is_checked_quickly() -> None:
    """Bounded work on any model output: a 100k-character run-on is cut, not scanned quadratically."""
    import time

    case = CASES[0]
    started = time.perf_counter()
    verdict = Guard(_sources(case)).check("[1" + "a [" * 30_000 + " Electricians")
    assert time.perf_counter() - started < 1
    assert not verdict.kept
