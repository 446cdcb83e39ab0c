"""Any OpenAI-compatible chat server by base URL: Ollama, vLLM, llama.cpp's llama-server, OpenAI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careerbot.errors import ConfigurationError

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from careerbot.settings import Settings

NO_KEY = "not-needed"  # local servers ignore the key, but the OpenAI client insists on one


def chat_openai(settings: Settings, base_url: str | None, api_key: str, model: str) -> ChatOpenAI:
    """ChatOpenAI with careerbot's limits: timeout per read, bounded retries, token streaming."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        # The OpenAI client retries 429, 5xx, timeouts and refused connections with exponential
        # backoff (0.5 s doubling, capped at 8 s): max_retries bounds the whole wait.
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_retries,
        streaming=True,
    )


def build(settings: Settings) -> ChatOpenAI:
    """A chat model on ``CAREERBOT_LLM_BASE_URL`` (OpenAI itself when only an API key is set)."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if not settings.llm_base_url and not key:
        raise ConfigurationError(
            "CAREERBOT_LLM=openai needs CAREERBOT_LLM_BASE_URL (e.g. http://localhost:11434/v1 for "
            "Ollama) or CAREERBOT_LLM_API_KEY for OpenAI"
        )
    if not settings.llm_model and not settings.llm_base_url:
        raise ConfigurationError("CAREERBOT_LLM_MODEL is required with OpenAI (e.g. gpt-4o-mini)")
    return chat_openai(settings, settings.llm_base_url, key or NO_KEY, settings.llm_model or "default")


def describe(settings: Settings) -> str:
    """Provider, model and URL for `careerbot doctor` (never the key)."""
    url = settings.llm_base_url or "OpenAI API"
    key = "set" if settings.llm_api_key else "not set"
    return f"openai-compatible server {url}, model {settings.llm_model or 'server default'}, API key {key}"
