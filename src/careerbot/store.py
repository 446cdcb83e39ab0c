"""Chroma vector store: embedded PersistentClient by default, HttpClient to a `chroma run` server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from careerbot.errors import EmbeddingModelMismatchError, StoreUnavailableError
from careerbot.offline import apply_offline_env

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from careerbot.settings import Settings

_PAGE = 5000


@dataclass(frozen=True)
class Hit:
    """One dense search result."""

    id: str
    similarity: float  # cosine similarity, 1 = same direction
    metadata: dict[str, Any]
    document: str


def open_client(settings: Settings) -> ClientAPI:
    """The configured Chroma client; a server that does not answer is a clear error."""
    apply_offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreUnavailableError(
            f"CAREERBOT_CHROMA_URL={settings.chroma_url!r} is not an http(s) URL like http://127.0.0.1:8000"
        )
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:  # chromadb raises several unrelated types for "no server"
        raise StoreUnavailableError(
            f"the Chroma server at {settings.chroma_url} does not answer ({type(exc).__name__}); "
            "start it with `chroma run --path DIR --host 127.0.0.1 --port 8000` "
            "or unset CAREERBOT_CHROMA_URL to use the embedded store"
        ) from exc
    return client


class VectorStore:
    """One Chroma collection of chunks; records the embedding model and the corpus fingerprint."""

    def __init__(self, collection: Collection, location: str) -> None:
        self._collection = collection
        self.location = location

    @classmethod
    def open(cls, client: ClientAPI, name: str, model_id: str, location: str) -> VectorStore:
        """Open or create the collection; refuse one built with another embedding model."""
        try:
            collection = client.get_or_create_collection(
                name,
                metadata={"embedding_model": model_id},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as exc:
            raise StoreUnavailableError(f"cannot open Chroma collection {name!r}: {exc}") from exc
        recorded = (collection.metadata or {}).get("embedding_model")
        if recorded != model_id:
            raise EmbeddingModelMismatchError(
                f"collection {name!r} was built with embedding model {recorded!r}, not {model_id!r}; "
                "run `careerbot ingest --rebuild` or choose another CAREERBOT_COLLECTION"
            )
        return cls(collection, location)

    @staticmethod
    def drop(client: ClientAPI, name: str) -> None:
        """Delete the collection if it exists."""
        try:
            client.delete_collection(name)
        except Exception:  # absent: nothing to drop (error type differs by chromadb version)
            return

    def _guard(self, action: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            raise StoreUnavailableError(
                f"the vector store at {self.location} failed while {action} ({type(exc).__name__}: {exc}); "
                "check that the Chroma server is running, then try again"
            ) from exc

    @property
    def metadata(self) -> dict[str, Any]:
        """Collection metadata (embedding model, corpus fingerprint)."""
        return dict(self._collection.metadata or {})

    @property
    def fingerprint(self) -> str | None:
        """Fingerprint of the corpus the collection was last built from."""
        value = self.metadata.get("corpus_fingerprint")
        return str(value) if value else None

    def set_fingerprint(self, fingerprint: str) -> None:
        """Record the corpus fingerprint once an ingest completed."""
        metadata = {k: v for k, v in self.metadata.items() if not k.startswith("hnsw:")}
        metadata["corpus_fingerprint"] = fingerprint
        self._guard("saving the corpus fingerprint", self._collection.modify, metadata=metadata)

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._guard("counting chunks", self._collection.count))

    def hashes(self) -> dict[str, str]:
        """Content hash of every stored chunk, by id."""
        result: dict[str, str] = {}
        offset = 0
        while True:
            page = self._guard(
                "listing chunks", self._collection.get, include=["metadatas"], limit=_PAGE, offset=offset
            )
            for chunk_id, metadata in zip(page["ids"], page["metadatas"] or [], strict=False):
                result[chunk_id] = str((metadata or {}).get("hash", ""))
            if len(page["ids"]) < _PAGE:
                return result
            offset += _PAGE

    def vectors(self, ids: Sequence[str]) -> tuple[list[str], list[list[float]]]:
        """Stored vectors of the given chunks (ids in the store's order)."""
        found = self._guard("reading vectors", self._collection.get, ids=list(ids), include=["embeddings"])
        embeddings = found.get("embeddings")
        return list(found["ids"]), [list(v) for v in (embeddings if embeddings is not None else [])]

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Insert or replace chunks."""
        self._guard(
            "writing chunks",
            self._collection.upsert,
            ids=list(ids),
            embeddings=[list(v) for v in vectors],
            documents=list(documents),
            metadatas=list(metadatas),
        )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        if ids:
            self._guard("deleting chunks", self._collection.delete, ids=list(ids))

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None, *, content: bool = True
    ) -> list[Hit]:
        """Nearest chunks by cosine similarity, best first; ``content=False``: ids and scores only."""
        # Reading metadata and documents back costs most of a query (909 chunks: 7.0 ms vs 1.3 ms).
        include = ["distances", "metadatas", "documents"] if content else ["distances"]
        result = self._guard(
            "searching",
            self._collection.query,
            query_embeddings=[list(vector)],
            n_results=k,
            where=where,
            include=include,
        )
        ids = result["ids"][0]
        blank = [None] * len(ids)  # not asked for: content=False
        return [
            Hit(chunk_id, 1.0 - float(distance), dict(metadata or {}), document or "")
            for chunk_id, distance, metadata, document in zip(
                ids,
                (result["distances"] or [[]])[0],
                (result["metadatas"] or [blank])[0],
                (result["documents"] or [blank])[0],
                strict=False,
            )
        ]
