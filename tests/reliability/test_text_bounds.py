"""Every function that reads user text runs in bounded time on any input up to the message limit.

A backtracking regex once took 26 s on one 300-character message ("How do I become a aaa...#"), and
hours at the 2,000-character limit: one request froze the whole server. These properties guard it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerbot.analysis.language import foreign_language
from careerbot.analysis.phrases import tokens
from careerbot.analysis.verdict import (
    Analyst,
    has_career_words,
    is_off_topic,
    shows_distress,
    small_talk_kind,
)
from careerbot.answer import policy
from careerbot.answer.units import select_units, split_units
from careerbot.corpus import load_corpus
from careerbot.retrieval.careers import CareerMatcher
from careerbot.retrieval.intent import section_intents
from careerbot.retrieval.keyword import keyword_tokens
from careerbot.service import ChatService

LIMIT = 2000
BOUND_S = 1.0  # generous: the bug this guards took 26 s at 300 characters
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _matcher() -> CareerMatcher:
    return CareerMatcher(load_corpus(CORPUS).profiles)


MATCHER = _matcher()
ANALYST = Analyst(MATCHER)

ANALYSERS: dict[str, Callable[[str], object]] = {
    "clean_message": policy.clean_message,
    "input_problem": lambda t: policy.input_problem(t, LIMIT),
    "small_talk": lambda t: small_talk_kind(tokens(t)),
    "shows_distress": shows_distress,
    "is_off_topic": lambda t: is_off_topic(tokens(t), t),
    "has_career_words": lambda t: has_career_words(tokens(t)),
    "foreign_language": foreign_language,
    "unknown_role": policy.unknown_role,
    "verdict": lambda t: ANALYST.judge(t, [{"role": "user", "content": t}]),
    "section_intents": section_intents,
    "career_matcher": MATCHER.find,
    "keyword_tokens": keyword_tokens,
    "answer_units": lambda t: select_units(split_units(t), t, 6),
}

# Shapes that make backtracking engines blow up, each at the message limit.
ADVERSARIAL = {
    "redos_role": "How do I become a " + "a" * (LIMIT - 19) + "#",
    "one_letter": "a" * LIMIT,
    "one_word": ("nurse " * LIMIT)[:LIMIT],
    "typo_words": ("nurce " * LIMIT)[:LIMIT],
    "glued_words": ("electricianplumber" * LIMIT)[:LIMIT],
    "what_does": ("what does a " * LIMIT)[:LIMIT],
    "become_a": ("become a " * LIMIT)[:LIMIT],
    "is_a_job": ("is a real " * LIMIT)[:LIMIT],
    "make_a_year": ("make " * LIMIT)[: LIMIT - 10] + " a year",
    "where_work": ("where do " * LIMIT)[: LIMIT - 5] + " work",
    "apostrophes": "a'" * (LIMIT // 2),
    "hyphens": "a-" * (LIMIT // 2),
    "dots": "a. " * (LIMIT // 3),
    "spaces": " " * LIMIT,
    "digits": "1" * LIMIT,
    "mixed_scripts": ("become a 看護師 медсестра ممرضة " * LIMIT)[:LIMIT],
    "surrogates": "\ud800a\udfff" * (LIMIT // 3),
    "controls": "\x00\x1b[31m\u200b\u202e" * (LIMIT // 8),
    "bullets": ("• a\n" * LIMIT)[:LIMIT],
}


def _timed(fn: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
@pytest.mark.parametrize("name", sorted(ANALYSERS))
def test_adversarial_messages_at_the_limit_are_analysed_quickly(name: str, shape: str) -> None:
    elapsed = _timed(ANALYSERS[name], ADVERSARIAL[shape])
    assert elapsed < BOUND_S, f"{name} took {elapsed:.2f} s on {shape}"


def test_the_reported_redos_message_still_finds_a_role_quickly() -> None:
    for n in (100, 300, 1000, LIMIT - 30):
        text = "How do I become a " + "a" * n + "#"
        assert _timed(policy.unknown_role, text) < 0.05
    assert policy.unknown_role("How do I become a scuba diver?") == "scuba diver"
    assert policy.unknown_role("what does an astronaut do all day") == "astronaut"
    assert policy.unknown_role("is lighthouse keeper still a real job") == "lighthouse keeper"
    assert policy.unknown_role("how do taxidermists learn the job") == "taxidermists"
    assert policy.unknown_role("I want to be a better person") is None


_WORDS = st.sampled_from(
    [
        "become",
        "a",
        "an",
        "the",
        "nurse",
        "what",
        "does",
        "do",
        "is",
        "job",
        "real",
        "how",
        "make",
        "a year",
        "work",
        "where",
        "and",
        "#",
        ".",
        "?",
        "'",
        "-",
        "aaaa",
        "é",
        "看",
        "\u200b",
        "\n",
        "• ",
    ]
)
TEXT = st.one_of(
    st.text(max_size=LIMIT),
    st.lists(_WORDS, max_size=400).map(" ".join),
    st.lists(_WORDS, max_size=400).map("".join),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(0, LIMIT)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_every_analyser_is_fast_on_any_text(text: str) -> None:
    text = text[:LIMIT]
    for name, fn in ANALYSERS.items():
        elapsed = _timed(fn, text)
        assert elapsed < BOUND_S, f"{name} took {elapsed:.2f} s on {text[:80]!r}..."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, history_text=st.text(max_size=300))
def test_the_service_gives_a_valid_status_for_any_text(
    fake_service: ChatService, text: str, history_text: str
) -> None:
    history = [{"role": "user", "content": history_text}, {"role": "assistant", "content": text}]
    start = time.perf_counter()
    answer = fake_service.ask(text, history)
    assert time.perf_counter() - start < BOUND_S * 2
    assert answer.status in ("answered", "no_info", "out_of_scope", "invalid_input")
    answer.text.encode("utf-8")  # no lone surrogate survives into a reply


def test_messages_are_normalised_once_at_the_edge() -> None:
    assert policy.clean_message("nur\u200bse\ud800 \x00ﬁrefighter ") == "nurse firefighter"
    history = [{"role": "user", "content": "x" * 5000}] * 100 + [{"role": "system", "content": "hi"}]
    cleaned = policy.clean_history(history, 20, LIMIT)
    assert len(cleaned) == 19 and all(len(m["content"]) == LIMIT for m in cleaned)
