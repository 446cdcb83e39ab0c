"""Real language models: SmolLM2 in process (xllamacpp) and through a real OpenAI-compatible server.

Kept short (few tokens, short sources): SmolLM2 on 2 shared cores is slow, and the point here is the
wiring, the streaming and the faults, not the answers' quality (the evaluation measures that).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from careerbot.answer.extractive import ExtractiveEngine
from careerbot.answer.generative import GeneratedAnswer, GenerativeEngine
from careerbot.providers import build_chat_model
from careerbot.providers.local import default_gguf
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Source
from careerbot.settings import make_settings
from conftest import free_port

pytestmark = pytest.mark.llm

SOURCES = (
    Source(
        "electrician",
        "Electrician",
        "Education and Training Needed",
        0.9,
        "Most electricians learn through a paid apprenticeship lasting four to five years.",
    ),
)
ANALYSIS = QueryAnalysis(
    "How do I become an electrician?", (), ("electrician",), ("Education and Training Needed",)
)

# A real OpenAI-compatible server in its own process, so a test can freeze or kill it.
SERVER = """
import sys, time, xllamacpp
p = xllamacpp.CommonParams()
p.model.path, p.port, p.n_ctx, p.n_parallel, p.verbosity = sys.argv[1], int(sys.argv[2]), 2048, 1, 0
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = 1
server = xllamacpp.Server(p)
server.handle_chat_completions({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1})
print("READY", flush=True)
while True:
    time.sleep(60)
"""


@pytest.fixture
def openai_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(default_gguf()), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while proc.stdout.readline().strip() != b"READY":
        assert proc.poll() is None and time.monotonic() < deadline, "xllamacpp server did not start"
    yield proc, f"http://127.0.0.1:{port}/v1"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
    proc.wait(timeout=30)


def _engine(llm: str, url: str | None = None, **settings: Any) -> GenerativeEngine:
    config = make_settings(llm=llm, llm_base_url=url, llm_max_tokens=24, **settings)
    provider = "local" if llm == "local" else "openai"
    return GenerativeEngine(build_chat_model(provider, config), ExtractiveEngine([]), name=llm)


def _final(parts: list[str | Answer]) -> GeneratedAnswer:
    final = parts[-1]
    assert isinstance(final, GeneratedAnswer) and final.guard is not None
    assert all(isinstance(p, str) for p in parts[:-1])
    return final


def test_local_model_streams_tokens_through_the_chain() -> None:
    engine = _engine("local", llm_threads=1)  # robust on busy shared cores
    inputs = {
        "excerpts": "[1] Electrician\nApprenticeship.",
        "history": "(none)",
        "question": "Hi?",
        "max_sentences": 2,
    }
    chunks = [message.text for message in engine.chain.stream(inputs)]
    assert len(chunks) > 3 and "".join(chunks).strip()  # several tokens, one at a time
    final = _final(list(engine.stream(ANALYSIS, SOURCES)))
    report = final.guard
    assert report is not None and report.tokens > 3 and report.first_token_s is not None
    # Whatever SmolLM2 wrote, only checked sentences (or the quoted profile) reach the user.
    if report.fallback:
        assert "apprenticeship" in final.text
    else:
        assert all(v.source == 1 for v in report.kept)


def test_openai_provider_against_a_real_server(openai_server: tuple[subprocess.Popen[bytes], str]) -> None:
    _, url = openai_server
    final = _final(list(_engine("openai", url).stream(ANALYSIS, SOURCES)))
    assert final.guard is not None and final.guard.tokens > 3
    assert final.guard.fallback in ("", "unchecked")


class _KillOnToken(BaseCallbackHandler):
    """Kills the server after a few streamed tokens: the server stopping mid-answer."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc, self.tokens = proc, 0

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens += 1
        if self.tokens == 3:
            self.proc.kill()
            self.proc.wait(timeout=30)


def test_server_stopped_mid_stream_then_down(openai_server: tuple[subprocess.Popen[bytes], str]) -> None:
    proc, url = openai_server
    killer = _KillOnToken(proc)
    config = make_settings(llm="openai", llm_base_url=url, llm_max_tokens=64, llm_retries=1)
    engine = GenerativeEngine(
        build_chat_model("openai", config), ExtractiveEngine([]), name="openai", callbacks=[killer]
    )
    final = _final(list(engine.stream(ANALYSIS, SOURCES)))
    assert killer.tokens >= 3
    assert final.guard is not None and final.guard.fallback == "error"
    assert "did not answer" in final.text and "apprenticeship" in final.text
    # The next question of the conversation: the server is gone, the answer still comes, quickly.
    started = time.perf_counter()
    final = _final(list(engine.stream(ANALYSIS, SOURCES)))
    assert "could not be reached" in final.text and "apprenticeship" in final.text
    assert time.perf_counter() - started < 10  # one retry with backoff, not a hang


def test_a_frozen_server_times_out(openai_server: tuple[subprocess.Popen[bytes], str]) -> None:
    proc, url = openai_server
    os.kill(proc.pid, signal.SIGSTOP)  # accepts connections (kernel backlog) but never answers
    engine = _engine("openai", url, llm_timeout_s=1.0, llm_retries=0)
    started = time.perf_counter()
    final = _final(list(engine.stream(ANALYSIS, SOURCES)))
    assert time.perf_counter() - started < 10
    assert "took too long" in final.text and "apprenticeship" in final.text
