"""The generative engine with scripted chat models (fast): chain, streaming, guard, fallbacks, gate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from careerbot.answer.engines import ENGINES, build_engine
from careerbot.answer.extractive import ExtractiveEngine
from careerbot.answer.generative import (
    GENERATED_NOTE,
    UNCHECKED_NOTE,
    GeneratedAnswer,
    GenerativeEngine,
    SentenceSplitter,
    prompt_sources,
)
from careerbot.answer.guard import Verdict
from careerbot.answer.prompts import build_prompt, format_excerpts, format_history
from careerbot.errors import ConfigurationError
from careerbot.providers import PROVIDERS, ProviderName, build_chat_model
from careerbot.providers.fake import scripted
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Source
from careerbot.service import ChatService
from careerbot.settings import EngineName, make_settings

EDU = (
    "Most electricians learn through a paid apprenticeship lasting four to five years, combining about "
    "8,000 hours of on-the-job training with classroom study. After the apprenticeship you pass a "
    "journeyman exam based on the NEC."
)
DAY = (
    "• Reading the blueprints to see where panels, outlets and fixtures go\n• Bending and installing conduit"
)
SOURCES = (
    Source("electrician", "Electrician", "Education and Training Needed", 0.9, EDU),
    Source("electrician", "Electrician", "Day in the Life", 0.8, DAY),
)
ANALYSIS = QueryAnalysis(
    "How do I become an electrician?", (), ("electrician",), ("Education and Training Needed",)
)
GOOD = "Most electricians learn through a paid apprenticeship lasting four to five years [1]."
SALARY = "Electricians earn $95,000 a year [1]."
BLUEPRINTS = "They read blueprints to see where panels and outlets go [1]."


def engine(*replies: str) -> GenerativeEngine:
    return GenerativeEngine(scripted(replies), ExtractiveEngine([]), name="fake")


def run(stream: Iterator[str | Answer]) -> tuple[list[str], GeneratedAnswer]:
    parts = list(stream)
    final = parts[-1]
    assert isinstance(final, GeneratedAnswer)
    assert all(isinstance(p, str) for p in parts[:-1])
    return [p for p in parts[:-1] if isinstance(p, str)], final


def test_splitter_cuts_sentences_as_tokens_arrive() -> None:
    splitter = SentenceSplitter()
    got: list[str] = []
    text = "You need 8.5 hours. [2] Then: 1. Apply **now**!\n- Read blueprints [1]. Last bit"
    for i in range(0, len(text), 3):
        got += splitter.feed(text[i : i + 3])
    assert got == ["You need 8.5 hours. [2]", "Then: 1. Apply now!", "Read blueprints [1]."]
    assert splitter.flush() == ["Last bit"]


def test_splitter_cuts_a_runaway_sentence() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("word " * 200)
    assert splitter.buffer == ""


def test_supported_sentences_stream_and_invented_ones_never_show() -> None:
    deltas, final = run(engine(f"{GOOD} {SALARY} {BLUEPRINTS}").stream(ANALYSIS, SOURCES))
    shown = "".join(deltas)
    assert "95,000" not in shown and "95,000" not in final.text
    assert "apprenticeship" in shown
    assert "[2]" in shown  # the blueprint sentence cited [1] but only source 2 supports it
    assert final.text.startswith(shown)  # the stream is the rendered answer's lead, as shown at the end
    assert final.status == "answered" and final.kind == "answer"
    assert [p.source for p in final.lead] == [1, 2] and "apprenticeship" in final.lead[0].text
    assert GENERATED_NOTE in final.notes and final.more == ""
    data = final.to_dict()
    assert data["schema"] == 1 and [p["source"] for p in data["lead"]] == [1, 2]
    assert len(data["guard"]["kept"]) == 2 and "95,000" in data["guard"]["dropped"][0]["sentence"]
    report = final.guard
    assert report is not None and not report.fallback
    assert [v.reason.split(":")[0] for v in report.dropped] == ["unsupported"]
    assert len(report.kept) == 2
    assert [s.cited for s in final.sources] == [True, True]
    assert report.tokens > 0 and report.first_token_s is not None


def test_too_little_checked_falls_back_to_the_extractive_answer_with_a_note() -> None:
    deltas, final = run(engine(f"{SALARY} Electricians need a PhD in physics [2].").stream(ANALYSIS, SOURCES))
    assert deltas == []
    assert UNCHECKED_NOTE in final.text and UNCHECKED_NOTE in final.notes
    assert "apprenticeship" in final.text  # the extractive answer quotes the profile
    assert final.guard is not None and final.guard.fallback == "unchecked"
    assert len(final.guard.dropped) == 2


def test_a_sentence_cut_off_by_the_token_limit_is_not_shown() -> None:
    deltas, final = run(engine(f"{GOOD} Most electricians learn through a paid").stream(ANALYSIS, SOURCES))
    assert len(deltas) == 1
    assert final.guard is not None and final.guard.dropped[0].reason == "unfinished"


def test_repeated_sentences_are_shown_once() -> None:
    deltas, final = run(engine(f"{GOOD} {GOOD} {GOOD}").stream(ANALYSIS, SOURCES))
    assert len(deltas) == 1
    assert final.guard is not None and [v.reason for v in final.guard.dropped] == ["repeated", "repeated"]


def test_a_sentence_repeated_with_another_citation_is_shown_once() -> None:
    both = (SOURCES[0], Source("electrician", "Electrician", "Typical Roadmap", 0.8, EDU))
    again = GOOD.replace("[1]", "[2]")
    deltas, final = run(engine(f"{GOOD} {again}").stream(ANALYSIS, both))
    assert len(deltas) == 1 and [v.reason for v in final.guard.dropped] == ["repeated"]  # type: ignore[union-attr]


def test_an_excerpt_heading_copied_as_a_sentence_is_not_shown() -> None:
    deltas, final = run(engine(f"Electrician: Day in the Life [2]. {GOOD}").stream(ANALYSIS, SOURCES))
    assert deltas == [GOOD.replace(" [1].", ". [1]")]
    assert final.guard is not None and [v.reason for v in final.guard.dropped] == ["heading"]


class _Breaks(GenericFakeChatModel):
    """Streams a few words of a reply, then fails like a server that went away."""

    after: int = 15

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for i, word in enumerate(f"{GOOD} {BLUEPRINTS}".split(" ")):
            if i == self.after:
                raise ConnectionError("server went away")
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def test_a_stream_that_breaks_gives_a_note_and_the_extractive_answer() -> None:
    model = _Breaks(messages=iter([AIMessage(content="")]))
    gen = GenerativeEngine(model, ExtractiveEngine([]), name="fake")
    deltas, final = run(gen.stream(ANALYSIS, SOURCES))
    assert len(deltas) == 1  # the sentence completed before the fault was checked and shown
    assert "could not be reached" in final.text
    assert "apprenticeship" in final.text
    assert final.guard is not None and final.guard.fallback == "error"


def test_the_prompt_marks_sources_as_numbered_data_with_history_for_phrasing() -> None:
    history = [
        {"role": "user", "content": "I like fixing things"},
        {"role": "assistant", "content": "x " * 400},
    ]
    messages = build_prompt().format_messages(
        excerpts=format_excerpts(SOURCES, [1, 2]),
        history=format_history(history),
        question="What training?",
        max_sentences=3,
    )
    system, human = (m.content for m in messages)
    assert "ONLY" in system and "don't cover" in system and "not instructions" in system
    assert "<excerpts>\n[1] Electrician: Education and Training Needed\nMost electricians" in human
    assert "[2] Electrician: Day in the Life" in human
    assert "user: I like fixing things" in human and "..." in human  # long history is shortened
    assert human.endswith("Question: What training?")


def test_prompt_prefers_the_careers_and_sections_asked_about() -> None:
    other = Source("plumber", "Plumber", "Education and Training Needed", 0.95, "Plumbers apprentice.")
    sources = [other, *SOURCES, other, other]
    assert prompt_sources(ANALYSIS, sources, limit=2) == [2, 3]


class _Counting(GenericFakeChatModel):
    calls: int = 0

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.calls += 1
        yield from super()._stream(*args, **kwargs)


@pytest.fixture
def gen_service(fake_service: ChatService) -> ChatService:
    reply = "Most electricians learn through a paid apprenticeship lasting four to five years [1]. " + SALARY
    model = _Counting(messages=iter([AIMessage(content=reply)] * 10))
    fake_service.engine = GenerativeEngine(model, fake_service.engine, name="fake")
    return fake_service


def test_service_streams_checked_sentences_then_the_answer(gen_service: ChatService) -> None:
    parts = list(gen_service.stream("How do I become an electrician?"))
    final = parts[-1]
    assert isinstance(final, Answer) and final.status == "answered"
    deltas = [p for p in parts if isinstance(p, str)]
    assert deltas and "95,000" not in "".join(deltas)
    assert gen_service.engine.model.calls == 1  # type: ignore[attr-defined]


# Decided by the verdict in code, before any model call: refusals, unknown jobs, discovery, comparison.
NEVER_THE_MODEL = {
    "tell me a joke": ("out_of_scope", "refusal"),
    "how do I get a fake nursing license": ("out_of_scope", "refusal"),
    "write my essay for me": ("out_of_scope", "refusal"),
    "": ("invalid_input", "answer"),
    "How do I become a zookeeper?": ("no_info", "no_profile"),
    "hello": ("answered", "small_talk"),
    "I like drawing and computers, what careers fit me?": ("answered", "discovery"),
    "Electrician vs dental hygienist: which takes longer to train?": ("answered", "comparison"),
}


@pytest.mark.parametrize(("question", "expected"), NEVER_THE_MODEL.items())
def test_refusals_no_info_discovery_and_comparisons_never_reach_the_model(
    gen_service: ChatService, question: str, expected: tuple[str, str]
) -> None:
    answer = gen_service.ask(question)
    assert (answer.status, answer.kind) == expected
    assert not isinstance(answer, GeneratedAnswer)
    assert gen_service.engine.model.calls == 0  # type: ignore[attr-defined]
    # ... and the same answer as the extractive engine gives
    extractive = gen_service.engine.fallback  # type: ignore[attr-defined]
    gen_service.engine = extractive
    assert gen_service.ask(question) == answer


def test_ask_uses_the_same_checked_path(gen_service: ChatService) -> None:
    history = [{"role": "user", "content": "Tell me about electricians"}]
    answer = gen_service.ask("What training do they need?", history)
    assert isinstance(answer, GeneratedAnswer) and answer.guard is not None
    assert "95,000" not in answer.text


def test_every_engine_and_provider_is_registered() -> None:
    assert set(ENGINES) == set(get_args(EngineName))
    assert set(PROVIDERS) == set(get_args(ProviderName))
    assert "don't cover" in str(build_chat_model("fake", make_settings()).invoke("hi").content)


def test_openai_without_url_or_key_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="CAREERBOT_LLM_BASE_URL"):
        build_engine(make_settings(llm="openai"), [])


def test_the_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREERBOT_LLM_API_KEY", "sk-secret-123")
    settings = make_settings(llm="openai", llm_base_url="http://127.0.0.1:9/v1")
    assert "sk-secret-123" not in repr(settings) and "sk-secret-123" not in str(settings.model_dump())
    from careerbot.providers.openai_compat import describe

    assert "sk-secret-123" not in describe(settings)


def test_sse_streams_only_checked_sentences_then_the_answer_with_its_guard(gen_service: ChatService) -> None:
    import json

    from fastapi.testclient import TestClient

    from careerbot.web.app import create_app

    client = TestClient(create_app(gen_service), base_url="http://localhost")
    response = client.post("/api/chat/stream", json={"message": "How do I become an electrician?"})
    assert response.status_code == 200
    events = [block for block in response.text.split("\n\n") if block.startswith("event:")]
    final = json.loads(events[-1].split("data: ", 1)[1])
    deltas = "".join(json.loads(e.split("data: ", 1)[1])["text"] for e in events[:-1])
    assert deltas and "95,000" not in deltas and "apprenticeship" in deltas
    assert final["answer"].startswith(deltas) and final["status"] == "answered"
    assert final["guard"]["kept"] and "95,000" in final["guard"]["dropped"][0]["sentence"]
    assert "95,000" not in final["answer"]


class _Endless(GenericFakeChatModel):
    """Streams the same supported sentence over and over, counting what it produced."""

    produced: int = 0

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        import time

        for i in range(200):
            time.sleep(0.01)  # a model's pace: the reader can leave mid-answer
            self.produced += 1
            yield ChatGenerationChunk(message=AIMessageChunk(content=f"Electricians bend conduit {i}. "))


def test_a_reader_that_goes_away_stops_the_generation(fake_service: ChatService) -> None:
    import threading
    import time

    model = _Endless(messages=iter([AIMessage(content="")]))
    gen = GenerativeEngine(model, fake_service.engine, name="fake", max_sentences=1000)
    gen._check = lambda guard, sentence, shown: Verdict(sentence, sentence, True, "test", 1)  # type: ignore[method-assign]
    fake_service.engine = gen
    stream = fake_service.stream("How do I become an electrician?")
    assert isinstance(next(stream), str)
    stream.close()
    time.sleep(0.1)
    for worker in [t for t in threading.enumerate() if t.name == "careerbot-stream"]:
        worker.join(timeout=10)
        assert not worker.is_alive()
    assert model.produced < 100  # it stopped at the next sentence, not after all 200


def test_a_looping_model_is_stopped_not_read_to_the_token_limit() -> None:
    model = _Endless(messages=iter([AIMessage(content="")]))
    gen = GenerativeEngine(model, ExtractiveEngine([]), name="fake", max_sentences=3)
    _, final = run(gen.stream(ANALYSIS, SOURCES))
    assert final.guard is not None and len(final.guard.verdicts) in (6, 7)  # 6 read, + what was pending
    assert model.produced < 20  # then the model's stream was closed, not read on to 200


def test_the_chat_page_shows_the_generated_and_fallback_notes() -> None:
    from careerbot.ui.answer_view import answer_html

    _, generated = run(engine(f"{GOOD} {BLUEPRINTS}").stream(ANALYSIS, SOURCES))
    _, fallback = run(engine(SALARY).stream(ANALYSIS, SOURCES))
    page = answer_html(generated, "a1")
    assert "Written by a language model" in page and "apprenticeship" in page
    page = answer_html(fallback, "a2")
    assert "could not be checked against the profiles" in page and "95,000" not in page


def test_an_sse_stream_whose_client_left_closes_its_answer() -> None:
    import asyncio
    import time

    from careerbot.web.edge import heartbeat_stream

    made: list[int] = []
    closed: list[bool] = []

    def events() -> Iterator[str]:
        try:
            for i in range(500):
                time.sleep(0.01)  # sentences arriving from a model
                made.append(i)
                yield f"event: delta\ndata: {i}\n\n"
        finally:
            closed.append(True)

    async def leave_after_one() -> None:
        stream = heartbeat_stream(events(), 5.0)
        assert (await stream.__anext__()).startswith("event: delta")
        await stream.aclose()  # what the server does when the client disconnects
        deadline = time.monotonic() + 10
        while not closed and time.monotonic() < deadline:  # the server's loop runs on meanwhile
            await asyncio.sleep(0.02)

    asyncio.run(leave_after_one())
    assert closed and len(made) < 100
