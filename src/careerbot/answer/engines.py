"""Answer engine seam: a registry keyed by the ``llm`` setting, each entry a ``build`` function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from careerbot.answer.extractive import ExtractiveEngine
from careerbot.corpus.schema import Profile
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Source
from careerbot.settings import EngineName, Settings


class AnswerEngine(Protocol):
    """Turns an analysed question and its ranked sources into an answered Answer."""

    name: str

    def answer(self, analysis: QueryAnalysis, sources: Sequence[Source]) -> Answer: ...


def _extractive(settings: Settings, profiles: Sequence[Profile]) -> AnswerEngine:
    return ExtractiveEngine(profiles)


ENGINES: dict[EngineName, Callable[[Settings, Sequence[Profile]], AnswerEngine]] = {
    "extractive": _extractive,
}


def build_engine(settings: Settings, profiles: Sequence[Profile]) -> AnswerEngine:
    """The engine the settings name."""
    return ENGINES[settings.llm](settings, profiles)
