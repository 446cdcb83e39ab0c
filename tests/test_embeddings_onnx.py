"""The ONNX export embeds exactly like sentence-transformers, so an index and its queries never drift."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from careerbot.embeddings import build_embeddings, build_sentence_transformer, packaged_model_path
from careerbot.onnx_embed import export_key


def varied_texts() -> list[str]:
    """200 texts: profile chunks of every length, questions, one word, punctuation, accents, over-long."""
    from careerbot.chunking import chunk_profiles
    from careerbot.corpus import load_corpus

    chunks = chunk_profiles(load_corpus(Path(__file__).resolve().parents[1] / "corpus").profiles)
    by_length = sorted((c.embed_text for c in chunks), key=len)
    step = max(1, len(by_length) // 150)
    texts = by_length[::step][:150]
    texts += [
        "How do I become a welder?",
        "nurse",
        "What's the pay like for an electrician in 2025??",
        "Qu'est-ce qu'un infirmier ? Café, naïve, résumé.",
        "ok",
        "!!!",
        "dental hygienist vs dentist: which one needs more school?",
        "I like drawing and computers, what jobs fit me",
        " ".join(["engineering"] * 400),  # longer than the 256-token limit: truncation must match
        "Tell me about being a paralegal.\nAnd a lawyer.",
    ]
    words = [
        "plan",
        "b",
        "skills",
        "salary",
        "degree",
        "apprenticeship",
        "day",
        "life",
        "trends",
        "first",
        "job",
        "school",
        "college",
    ]
    while len(texts) < 200:
        n = len(texts)
        texts.append(" ".join(words[(n + i) % len(words)] for i in range(1 + n % 9)))
    return texts


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    texts = varied_texts()
    assert len(texts) == 200
    onnx = build_embeddings(cache_dir=tmp_path)
    documents = np.asarray(onnx.embed_documents(texts))
    assert onnx.backend == "onnx", caplog.text  # the export worked: no silent fallback
    queries = np.asarray([onnx.embed_query(t) for t in texts[::10]])
    reference = build_sentence_transformer()
    expected = np.asarray(reference.embed_documents(texts))
    cosine = (documents * expected).sum(axis=1)
    assert cosine.min() >= 0.9999, [texts[i][:60] for i in np.flatnonzero(cosine < 0.9999)]
    assert ((queries * expected[::10]).sum(axis=1) >= 0.9999).all()
    assert np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    exported = list(tmp_path.glob("onnx/*/model.onnx"))
    assert len(exported) == 1  # exported once, into the data dir
    import onnx

    ops = [node.op_type for node in onnx.load(str(exported[0])).graph.node]
    # The fused graph (attention, layer norms) is what made the export faster: it must not fall back.
    assert ops.count("Attention") == 6 and "SkipLayerNormalization" in ops, sorted(set(ops))


@pytest.mark.slow
def test_failed_export_falls_back_to_sentence_transformers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(model_path: Path, target: Path) -> None:
        raise RuntimeError("no exporter here")

    monkeypatch.setattr("careerbot.onnx_embed.export_onnx", broken)
    embeddings = build_embeddings(cache_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        vector = embeddings.embed_query("How do I become a welder?")
    assert embeddings.backend == "sentence-transformers"
    assert "using sentence-transformers" in caplog.text and "no exporter here" in caplog.text
    assert len(vector) == 384 and abs(float(np.linalg.norm(vector)) - 1) < 1e-5


def test_export_key_follows_the_model_files(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    for name in ("config.json", "tokenizer.json", "modules.json"):
        (model / name).write_bytes((packaged_model_path() / name).read_bytes())
    (model / "model.safetensors").write_bytes(b"weights one")
    cache = tmp_path / "cache"
    first = export_key(model, cache)
    assert export_key(model, cache) == first  # stable (and served from the hash memo)
    (model / "model.safetensors").write_bytes(b"weights two!")
    assert export_key(model, cache) != first
