"""A scripted chat model (LangChain's GenericFakeChatModel) for fast unit tests and demos."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from careerbot.settings import Settings

DEFAULT_REPLY = "The profiles I have don't cover that."


def scripted(replies: Sequence[str]) -> GenericFakeChatModel:
    """A chat model that streams ``replies`` in turn (word by word), then starts over."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=r) for r in replies]))


def build(settings: Settings) -> GenericFakeChatModel:
    """The fake provider: always says the profiles do not cover the question."""
    return scripted([DEFAULT_REPLY])
