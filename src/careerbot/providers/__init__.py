"""Chat-model providers behind one seam: a registry keyed by name, each entry ``build(settings)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from careerbot.settings import Settings

ProviderName = Literal["local", "openai", "fake"]


def _local(settings: Settings) -> BaseChatModel:
    from careerbot.providers import local

    return local.build(settings)


def _openai(settings: Settings) -> BaseChatModel:
    from careerbot.providers import openai_compat

    return openai_compat.build(settings)


def _fake(settings: Settings) -> BaseChatModel:
    from careerbot.providers import fake

    return fake.build(settings)


# Imports happen inside each builder: choosing a provider never loads another one's packages.
PROVIDERS: dict[ProviderName, Callable[[Settings], BaseChatModel]] = {
    "local": _local,
    "openai": _openai,
    "fake": _fake,
}


def build_chat_model(name: ProviderName, settings: Settings) -> BaseChatModel:
    """The chat model of provider ``name``, configured from the settings."""
    return PROVIDERS[name](settings)
