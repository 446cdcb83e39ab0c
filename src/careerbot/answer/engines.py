"""Answer engine seam: a registry keyed by the ``llm`` setting, each entry a ``build`` function."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from careerbot.answer.extractive import ExtractiveEngine
from careerbot.corpus.schema import Profile
from careerbot.embeddings import NamedEmbeddings
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Message, Source
from careerbot.settings import EngineName, Settings


class AnswerEngine(Protocol):
    """Turns an analysed question and its ranked sources into an answered Answer."""

    name: str

    def answer(self, analysis: QueryAnalysis, sources: Sequence[Source]) -> Answer: ...


class StreamingEngine(AnswerEngine, Protocol):
    """An engine that yields checked sentences as they are written, then the final Answer.

    ``fallback`` answers what a model is never asked (comparisons) and what it fails to answer.
    """

    fallback: AnswerEngine

    def stream(
        self, analysis: QueryAnalysis, sources: Sequence[Source], history: Sequence[Message] = ()
    ) -> Iterator[str | Answer]: ...


EngineBuilder = Callable[[Settings, Sequence[Profile], NamedEmbeddings | None], AnswerEngine]


def _extractive(
    settings: Settings, profiles: Sequence[Profile], embeddings: NamedEmbeddings | None = None
) -> ExtractiveEngine:
    return ExtractiveEngine(profiles)


def _generative(
    settings: Settings, profiles: Sequence[Profile], embeddings: NamedEmbeddings | None = None
) -> AnswerEngine:
    """A chat model from the provider the settings name, behind the grounding guard."""
    from careerbot.answer.generative import GenerativeEngine
    from careerbot.providers import ProviderName, build_chat_model

    provider: ProviderName = "local" if settings.llm == "local" else "openai"
    model = build_chat_model(provider, settings)
    embed = embeddings.embed_documents if embeddings is not None else None
    return GenerativeEngine(model, _extractive(settings, profiles), name=settings.llm, embed=embed)


ENGINES: dict[EngineName, EngineBuilder] = {
    "extractive": _extractive,
    "local": _generative,
    "openai": _generative,
}


def build_engine(
    settings: Settings, profiles: Sequence[Profile], embeddings: NamedEmbeddings | None = None
) -> AnswerEngine:
    """The engine the settings name (``embeddings``: the guard's paraphrase check)."""
    return ENGINES[settings.llm](settings, profiles, embeddings)
