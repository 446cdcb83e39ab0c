"""Small error hierarchy; every message says what went wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path


class CareerbotError(Exception):
    """Base class for errors shown to users as one clear sentence."""


class CorpusError(CareerbotError):
    """A profile file that cannot be parsed; names the file and the line."""

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path.name}:{line}: {problem}")


class EmptyCorpusError(CareerbotError):
    """No usable profile was found in the corpus directory."""


class StoreUnavailableError(CareerbotError):
    """The Chroma server (or the embedded store) cannot be reached or opened."""


class EmbeddingModelMismatchError(CareerbotError):
    """The collection was built with another embedding model."""


class ModelUnavailableError(CareerbotError):
    """An embedding model or LLM cannot be loaded or reached."""


class ConfigurationError(CareerbotError):
    """A setting has a value that cannot work."""
