"""Ingest is idempotent: unchanged chunks are not re-embedded, changed replaced, deleted removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from careerbot.chunking import chunk_profiles
from careerbot.corpus import load_corpus
from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.errors import EmbeddingModelMismatchError
from careerbot.indexing import rebuild_index, sync_index
from careerbot.service import open_store, store_location
from careerbot.settings import Settings
from careerbot.store import active_collection, generations, open_client


class CountingEmbeddings(LexicalFakeEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return super().embed_documents(texts)


def _sync(settings: Settings, embeddings: CountingEmbeddings):  # type: ignore[no-untyped-def]
    chunks = chunk_profiles(load_corpus(settings.corpus_dir).profiles)
    store = open_store(settings, embeddings)
    return sync_index(store, embeddings, chunks, progress=False), store


def test_second_ingest_embeds_nothing(fake_settings: Settings) -> None:
    embeddings = CountingEmbeddings()
    first, store = _sync(fake_settings, embeddings)
    assert first.added == first.chunks == store.count() == embeddings.embedded
    second, _ = _sync(fake_settings, embeddings)
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, first.chunks)
    assert embeddings.embedded == first.chunks


def test_changed_profile_reembeds_only_its_changed_chunks(
    fake_settings: Settings, small_corpus: Path
) -> None:
    embeddings = CountingEmbeddings()
    first, _ = _sync(fake_settings, embeddings)
    path = small_corpus / "electrician.txt"
    path.write_text(path.read_text().replace("Plan B\n", "Plan B\n  • Welder\n", 1))
    second, store = _sync(fake_settings, embeddings)
    assert (second.added, second.updated, second.removed) == (0, 1, 0)
    assert embeddings.embedded == first.chunks + 1
    assert store.count() == first.chunks


def test_deleted_profile_is_removed(fake_settings: Settings, small_corpus: Path) -> None:
    embeddings = CountingEmbeddings()
    first, _ = _sync(fake_settings, embeddings)
    (small_corpus / "lawyer.txt").unlink()
    second, store = _sync(fake_settings, embeddings)
    assert second.removed > 0 and second.embedded == 0
    assert store.count() == first.chunks - second.removed
    assert not [i for i in store.hashes() if i.startswith("lawyer#")]


def test_collection_refuses_another_embedding_model(fake_settings: Settings) -> None:
    _sync(fake_settings, CountingEmbeddings())

    class Other(LexicalFakeEmbeddings):
        model_id = "another-model"

    with pytest.raises(EmbeddingModelMismatchError, match="ingest --rebuild"):
        open_store(fake_settings, Other())
    chunks = chunk_profiles(load_corpus(fake_settings.corpus_dir).profiles)
    client = open_client(fake_settings)
    store, _ = rebuild_index(
        client, "careers", store_location(fake_settings), Other(), chunks, progress=False
    )
    assert store.count() == len(chunks)
    assert open_store(fake_settings, Other()).name == store.name


def test_rebuild_switches_the_pointer_and_keeps_only_the_previous_collection(
    fake_settings: Settings,
) -> None:
    embeddings = CountingEmbeddings()
    _, legacy = _sync(fake_settings, embeddings)
    assert legacy.name == "careers"  # no pointer yet: the plain name, as before rebuilds existed
    chunks = chunk_profiles(load_corpus(fake_settings.corpus_dir).profiles)
    client = open_client(fake_settings)
    where = store_location(fake_settings)
    built = [
        rebuild_index(client, "careers", where, embeddings, chunks, progress=False)[0].name for _ in range(3)
    ]
    assert len(set(built)) == 3
    assert active_collection(client, "careers") == built[-1]
    names = {c.name for c in client.list_collections()}
    assert built[-2] in names and built[0] not in names and "careers" not in names  # previous kept only
    assert generations(client, "careers") == sorted(built[-2:])
    assert open_store(fake_settings, embeddings).count() == len(chunks)
