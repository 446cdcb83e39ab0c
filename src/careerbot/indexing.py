"""Idempotent ingest: embed only new or changed chunks, replace changed ones, delete stale ones."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from careerbot.chunking import Chunk, corpus_fingerprint
from careerbot.embeddings import NamedEmbeddings
from careerbot.store import (
    VectorStore,
    active_collection,
    generations,
    new_generation_name,
    set_active,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestStats:
    """What one ingest did."""

    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float

    @property
    def embedded(self) -> int:
        """Chunks that went through the embedding model."""
        return self.added + self.updated

    def summary(self) -> str:
        """One human line."""
        return (
            f"{self.chunks} chunks: {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged in {self.seconds:.1f} s"
        )


def sync_index(
    store: VectorStore,
    embeddings: NamedEmbeddings,
    chunks: Sequence[Chunk],
    *,
    batch_size: int = 32,
    progress: bool | None = None,
) -> IngestStats:
    """Bring the store in line with ``chunks``; ``progress=None`` shows a bar on a terminal only."""
    from tqdm import tqdm

    started = time.perf_counter()
    existing = store.hashes()
    wanted = {c.id for c in chunks}
    # Similar lengths in one batch waste less padding (measured: 400 chunks 10.4-12.5 s -> 6.6 s).
    todo = sorted(
        (c for c in chunks if existing.get(c.id) != c.content_hash), key=lambda c: len(c.embed_text)
    )
    stale = [chunk_id for chunk_id in existing if chunk_id not in wanted]
    added = sum(1 for c in todo if c.id not in existing)

    with tqdm(
        total=len(todo),
        desc="Embedding chunks",
        unit="chunk",
        disable=None if progress is None else not progress,
    ) as bar:
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            vectors = embeddings.embed_documents([c.embed_text for c in batch])
            store.upsert(
                [c.id for c in batch], vectors, [c.embed_text for c in batch], [c.metadata() for c in batch]
            )
            bar.update(len(batch))
    store.delete(stale)
    store.set_fingerprint(corpus_fingerprint(chunks))
    stats = IngestStats(
        chunks=len(chunks),
        added=added,
        updated=len(todo) - added,
        removed=len(stale),
        unchanged=len(chunks) - len(todo),
        seconds=time.perf_counter() - started,
    )
    log.info("ingest: %s", stats.summary())
    return stats


def rebuild_index(
    client: ClientAPI,
    base: str,
    location: str,
    embeddings: NamedEmbeddings,
    chunks: Sequence[Chunk],
    *,
    batch_size: int = 32,
    progress: bool | None = None,
) -> tuple[VectorStore, IngestStats]:
    """Embed everything into a new collection, switch readers to it once complete, drop old ones.

    Readers keep answering from the previous collection during the build; it is kept after the switch
    (a reader may still be using it until its next pointer check), the ones before it are dropped. A
    build killed half-way leaves an unused collection that the next rebuild drops.
    """
    store = VectorStore.open(client, new_generation_name(base), embeddings.model_id, location)
    stats = sync_index(store, embeddings, chunks, batch_size=batch_size, progress=progress)
    previous = active_collection(client, base)
    set_active(client, base, store.name)
    log.info("rebuild: switched from %s to %s", previous, store.name)
    for old in [base, *generations(client, base)]:
        if old not in (store.name, previous):
            VectorStore.drop(client, old)
    return store, stats
