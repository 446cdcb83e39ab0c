"""Generative answers: prompt | chat model, streamed and parsed one guard-checked sentence at a time.

The service's verdict decides conversation state, refusals, ``no_info``, discovery, comparisons and the
relevance gate before this engine is called; the engine only words an answer to a career question from
the retrieved text. Every sentence passes the grounding
guard before anyone sees it; when too little survives, or the model fails, the extractive answer is
returned with a note saying why.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from careerbot.answer.guard import Embed, Guard, Verdict, split_citations
from careerbot.answer.prompts import build_prompt, format_excerpts, format_history
from careerbot.render import rerender
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Message, Point, Source

if TYPE_CHECKING:
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.language_models import BaseChatModel

    from careerbot.answer.engines import AnswerEngine

log = logging.getLogger(__name__)

PROMPT_SOURCES = 4  # excerpts in the prompt: more made SmolLM2 mix careers up and slowed the prompt
MAX_SENTENCES = 5
MAX_SPLIT_CHARS = 600  # a "sentence" this long without an end is cut (runaway generation)
MIN_KEPT_SHARE = 0.34  # fewer than a third of the sentences checked: the answer is not the model's
UNCHECKED_NOTE = (
    "The language model's answer could not be checked against the profiles, so this answer quotes them."
)
FAILED_NOTE = "The language model did not answer ({why}), so this answer quotes the profiles."
GENERATED_NOTE = (
    "Written by a language model from the cited profiles; sentences it could not check were left out."
)


@dataclass(frozen=True)
class GuardReport:
    """What the guard decided for one generated answer, and how fast the model was."""

    verdicts: tuple[Verdict, ...] = ()
    fallback: str = ""  # "" when the model's sentences were used; else why the extractive answer was
    first_token_s: float | None = None
    first_sentence_s: float | None = None  # time to the first sentence shown to the user
    tokens: int = 0
    generation_s: float = 0.0

    @property
    def kept(self) -> tuple[Verdict, ...]:
        """Sentences shown."""
        return tuple(v for v in self.verdicts if v.kept)

    @property
    def dropped(self) -> tuple[Verdict, ...]:
        """Sentences the guard removed."""
        return tuple(v for v in self.verdicts if not v.kept)

    @property
    def tokens_per_s(self) -> float | None:
        """Generation speed after the first token."""
        if self.first_token_s is None or self.tokens < 2:
            return None
        span = self.generation_s - self.first_token_s
        return (self.tokens - 1) / span if span > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """JSON for evaluation results."""
        return {
            "kept": [v.text for v in self.kept],
            "dropped": [{"sentence": v.sentence, "reason": v.reason} for v in self.dropped],
            "fallback": self.fallback,
            "first_token_s": self.first_token_s,
            "first_sentence_s": self.first_sentence_s,
            "tokens": self.tokens,
            "tokens_per_s": self.tokens_per_s,
        }


@dataclass(frozen=True)
class GeneratedAnswer(Answer):
    """An Answer from the generative engine, carrying the guard's verdicts for the evaluation.

    Its kept sentences are the ``lead`` points (each citing the source the guard found support in);
    ``to_dict`` adds a ``guard`` object with the kept and dropped sentences.
    """

    guard: GuardReport | None = None

    def to_dict(self) -> dict[str, Any]:
        """Schema 1 plus ``guard`` (kept and dropped sentences, fallback, speed)."""
        return {**super().to_dict(), "guard": self.guard.to_dict() if self.guard else None}


def as_point(verdict: Verdict) -> Point:
    """A kept sentence as a cited point of the structured Answer."""
    return Point(split_citations(verdict.text)[0], verdict.source or 1)


def shown_text(verdict: Verdict, first: bool) -> str:
    """A kept sentence as streamed: exactly as the final Answer's rendered lead shows it."""
    point = as_point(verdict)
    return ("" if first else " ") + f"{point.text} [{point.source}]"


class SentenceSplitter:
    """Cuts streamed text into sentences as soon as each one is known to be complete."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, text: str) -> list[str]:
        """Add streamed text; return the sentences it completed."""
        self.buffer += text
        done = []
        while (cut := self._boundary()) is not None:
            done.append(self.buffer[:cut])
            self.buffer = self.buffer[cut:]
        return [s for s in (clean_markup(d) for d in done) if s]

    def flush(self) -> list[str]:
        """The unfinished rest, at the end of the stream."""
        rest, self.buffer = clean_markup(self.buffer), ""
        return [rest] if rest else []

    def _boundary(self) -> int | None:
        """Index just past the first complete sentence (its trailing [n] included), or None."""
        text = self.buffer
        for i, ch in enumerate(text):
            if ch == "\n":
                if text[:i].strip():
                    return i + 1
                continue
            if ch not in ".!?":
                continue
            last_word = text[max(0, i - 3) : i].split()[-1:] if i else []
            if last_word and last_word[0].isdigit() and (i < 3 or not text[i - 3].isalnum()):
                continue  # "1." of a numbered list

            j = i + 1
            while j < len(text) and text[j] in "\"')*":
                j += 1
            spaced = False
            while j < len(text):
                if text[j] in " \t":
                    spaced, j = True, j + 1
                elif text[j] == "[":  # a citation after the full stop still belongs to this sentence
                    close = text.find("]", j)
                    if close == -1:
                        return None
                    j = close + 1
                else:
                    break
            if j >= len(text):
                return None  # the next token decides
            if spaced or text[j] == "\n":
                return j
        return len(text) if len(text) > MAX_SPLIT_CHARS else None


def clean_markup(sentence: str) -> str:
    """A sentence without Markdown emphasis, headings or list markers."""
    text = sentence.replace("**", "").replace("__", "").strip()
    text = text.lstrip("#").strip()
    if text[:2] in {"- ", "* ", "• "}:
        text = text[2:]
    head, dot, rest = text.partition(". ")
    if dot and head.isdigit():
        text = rest
    return " ".join(text.split())


def prompt_sources(
    analysis: QueryAnalysis, sources: Sequence[Source], limit: int = PROMPT_SOURCES
) -> list[int]:
    """Citation numbers of the excerpts to show: the careers in play and asked-for sections first."""
    careers = set(analysis.careers)

    def rank(i: int) -> tuple[bool, bool, int]:
        source = sources[i]
        return (bool(careers) and source.career not in careers, source.section not in analysis.sections, i)

    return sorted(i + 1 for i in sorted(range(len(sources)), key=rank)[:limit])


def _describe(exc: BaseException) -> str:
    """A short, key-free description of a provider failure for the user-facing note."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "it took too long"
    if "Connection" in name:
        return "the server could not be reached"
    status = getattr(exc, "status_code", None)
    if status:
        return f"the server answered HTTP {status}"
    return "the server's reply was broken"


class GenerativeEngine:
    """Words answers with a chat model, keeping only sentences the guard can check."""

    def __init__(
        self,
        model: BaseChatModel,
        fallback: AnswerEngine,
        *,
        name: str,
        embed: Embed | None = None,
        callbacks: Sequence[BaseCallbackHandler] = (),
        max_sentences: int = MAX_SENTENCES,
    ) -> None:
        self.name = name
        self.model = model
        self.fallback = fallback
        self.embed = embed
        self.callbacks = list(callbacks)
        self.max_sentences = max_sentences
        # The chain: numbered excerpts as data -> chat model (token streaming). Each chunk's text is
        # read here, not by a StrOutputParser step: langchain-core (1.8) drains a parser's input when
        # its stream is closed, so a reader that left (or a looping model cut off) kept the model
        # generating to the token limit (measured: closed after 2 of 100 chunks, all 100 generated).
        self.chain = build_prompt() | model

    def answer(
        self, analysis: QueryAnalysis, sources: Sequence[Source], history: Sequence[Message] = ()
    ) -> Answer:
        """The final Answer (the streamed sentences are discarded)."""
        final: Answer | None = None
        for part in self.stream(analysis, sources, history):
            if isinstance(part, Answer):
                final = part
        assert final is not None  # stream always ends with an Answer
        return final

    def stream(
        self, analysis: QueryAnalysis, sources: Sequence[Source], history: Sequence[Message] = ()
    ) -> Iterator[str | Answer]:
        """Checked sentences as the model completes them, then the final Answer."""
        numbers = prompt_sources(analysis, sources)
        guard = Guard([sources[n - 1] for n in numbers], self.embed, numbers)
        inputs = {
            "excerpts": format_excerpts(sources, numbers),
            "history": format_history(history),
            "question": analysis.question,
            "max_sentences": self.max_sentences,
        }
        verdicts: list[Verdict] = []
        shown: set[str] = set()
        started = time.perf_counter()
        first_token = first_sentence = None
        tokens = 0
        failure = ""
        splitter = SentenceSplitter()
        try:
            chunks = self.chain.stream(inputs, config={"callbacks": self.callbacks})
            try:
                for message in chunks:
                    chunk = message.text
                    if chunk:
                        tokens += 1
                        first_token = first_token or time.perf_counter() - started
                    for sentence in splitter.feed(chunk):
                        verdict = self._check(guard, sentence, shown)
                        verdicts.append(verdict)
                        if verdict.kept:
                            first_sentence = first_sentence or time.perf_counter() - started
                            yield shown_text(verdict, len(shown) == 1)
                    if len(verdicts) >= 2 * self.max_sentences:
                        break  # a looping model: stop reading
            finally:  # stop the model now (a looping model, a reader who left), not when collected
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
            for sentence in splitter.flush():
                if not split_citations(sentence)[0].endswith((".", "!", "?")):
                    # cut off by the token limit: half a claim is not shown
                    verdicts.append(Verdict(sentence, "", False, "unfinished"))
                    continue
                verdict = self._check(guard, sentence, shown)
                verdicts.append(verdict)
                if verdict.kept:
                    first_sentence = first_sentence or time.perf_counter() - started
                    yield shown_text(verdict, len(shown) == 1)
        except Exception as exc:  # any provider fault becomes a note, never a traceback for the user
            log.warning("language model failed: %s: %s", type(exc).__name__, exc)
            failure = FAILED_NOTE.format(why=_describe(exc))
        report = GuardReport(
            tuple(verdicts), "", first_token, first_sentence, tokens, time.perf_counter() - started
        )
        yield self._final(analysis, sources, report, failure)

    def _check(self, guard: Guard, sentence: str, shown: set[str]) -> Verdict:
        verdict = guard.check(sentence)
        # Small models repeat themselves, sometimes citing another excerpt: compare without citations.
        said = split_citations(verdict.text)[0].lower()
        if verdict.kept and said in shown:
            return dataclasses.replace(verdict, kept=False, text="", reason="repeated")
        if verdict.kept:
            shown.add(said)
        return verdict

    def _final(
        self, analysis: QueryAnalysis, sources: Sequence[Source], report: GuardReport, failure: str
    ) -> Answer:
        kept = report.kept
        enough = bool(kept) and len(kept) >= MIN_KEPT_SHARE * len(report.verdicts)
        base = self.fallback.answer(analysis, sources)
        parts = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        if failure or not enough:
            # The extractive answer, unchanged but for the visible note saying why.
            note = failure or UNCHECKED_NOTE
            report = dataclasses.replace(report, fallback="error" if failure else "unchecked")
            return rerender(GeneratedAnswer(**parts, guard=report), notes=(*base.notes, note))
        cited = {v.source for v in kept}
        marked = tuple(s.as_cited() if i + 1 in cited else s for i, s in enumerate(sources))
        # The model's checked sentences replace the quoted parts; only the follow-up questions (not
        # claims) stay the extractive engine's. Its "more" is dropped: it cites its own source list.
        parts |= {"sources": marked, "status": "answered", "kind": "answer", "intro": "", "points": ()}
        parts |= {"comparison": (), "comparison_aspect": "", "related": (), "reason": None, "more": ""}
        return rerender(
            GeneratedAnswer(**parts, guard=report),
            lead=tuple(as_point(v) for v in kept),
            notes=(*base.notes, GENERATED_NOTE),
        )
