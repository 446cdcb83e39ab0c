"""ChatService: the one entry point the UI, HTTP API, CLI and evaluation call."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from careerbot import replies
from careerbot.answer import policy
from careerbot.answer.engines import AnswerEngine, build_engine
from careerbot.chunking import Chunk, chunk_profiles, corpus_fingerprint
from careerbot.corpus import Profile, load_corpus
from careerbot.embeddings import NamedEmbeddings, build_embeddings
from careerbot.errors import CorpusError, EmptyCorpusError, StoreUnavailableError
from careerbot.indexing import IngestStats, sync_index
from careerbot.retrieval.careers import CareerMatcher
from careerbot.retrieval.hybrid import HybridRetriever, Retrieval
from careerbot.retrieval.keyword import KeywordIndex
from careerbot.retrieval.query import QueryAnalysis, analyse
from careerbot.schema import Answer, Message, Source
from careerbot.settings import Settings, get_settings
from careerbot.store import VectorStore, open_client

log = logging.getLogger(__name__)

MAX_HISTORY_ITEMS = 20  # the most recent messages kept from a conversation; older ones are dropped
STORE_DOWN_NOTE = "The vector store could not be reached, so this answer used keyword search only."


@dataclass
class ServiceInfo:
    """What the service was built from (for /healthz and `careerbot doctor`)."""

    profiles: int
    chunks: int
    store: str
    embedding_model: str
    engine: str
    corpus_errors: tuple[CorpusError, ...] = ()
    ingest: IngestStats | None = None
    started: float = field(default_factory=time.time)


class ChatService:
    """Answers career questions with grounded, cited text."""

    def __init__(
        self,
        settings: Settings,
        profiles: Sequence[Profile],
        retriever: HybridRetriever,
        engine: AnswerEngine,
        info: ServiceInfo,
    ) -> None:
        from langchain_core.runnables import RunnableLambda

        self.settings = settings
        self.profiles = tuple(profiles)
        self.retriever = retriever
        self.engine = engine
        self.info = info
        self.matcher = CareerMatcher(profiles)
        # retriever -> relevance gate -> answer engine, as LangChain Runnables, so another
        # engine (a generative one) plugs into the same chain.
        # (A plain sequence: RunnablePassthrough.assign would run each step on a thread pool.)
        self.chain = RunnableLambda(self._retrieve_step) | RunnableLambda(self._answer_step)

    # -- public API -------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        career: str | None = None,
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one message in the context of the conversation so far (``career``: ask one career only).

        ``on_text`` receives the sentences of a streaming engine as they are checked.
        """
        text = policy.clean_message(question)
        history = self._clean_history(history)
        distress = policy.shows_distress(text)  # before the length check: long venting messages count
        problem = policy.input_problem(text, self.settings.max_question_chars)
        if problem:
            return Answer(f"{policy.CRISIS_MESSAGE}\n\n{problem}" if distress else problem, "invalid_input")
        answer = self._answer_message(text, history, self._known_career(career), on_text)
        if distress:
            body = answer.text if answer.status == "answered" else ""
            text_out = policy.CRISIS_MESSAGE + (f"\n\n{body}" if body else "")
            return Answer(text_out, "answered", answer.sources if body else (), answer.notes)
        return answer

    def stream(
        self, question: str, history: Sequence[Message] | None = None, career: str | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer (the extractive engine is instant, so deltas are words).

        A streaming engine (a language model) runs in a worker thread and its guard-checked
        sentences are passed on as they come.
        """
        if hasattr(self.engine, "stream"):
            yield from _streamed(lambda emit: self.ask(question, history, career, on_text=emit))
            return
        answer = self.ask(question, history, career)
        words = answer.text.split(" ")
        for start in range(0, len(words), 8):
            piece = " ".join(words[start : start + 8])
            yield piece if start == 0 else " " + piece
        yield answer

    def retrieve(
        self, question: str, history: Sequence[Message] | None = None, k: int = 5, career: str | None = None
    ) -> list[Source]:
        """The ``k`` best profile chunks for the question, best first."""
        text = policy.clean_message(question)
        if not text:
            return []
        history = self._clean_history(history)
        analysis = analyse(
            text, history, self.matcher, self.settings.max_history_turns, self._known_career(career)
        )
        return list(self._search(analysis, k).sources)

    def _clean_history(self, history: Sequence[Message] | None) -> list[dict[str, str]]:
        """History normalised like a message, at most MAX_HISTORY_ITEMS items of the message limit each."""
        return policy.clean_history(history or [], MAX_HISTORY_ITEMS, self.settings.max_question_chars)

    def _known_career(self, career: str | None) -> str | None:
        """The picked career if it exists (an unknown slug is ignored, never an error for a user)."""
        return career if career in self.matcher.titles else None

    @property
    def careers(self) -> list[tuple[str, str, str]]:
        """(slug, title, cluster) of every career, by title."""
        return sorted(((p.slug, p.title, p.cluster) for p in self.profiles), key=lambda t: t[1])

    # -- steps ------------------------------------------------------------------------------

    def _answer_message(
        self,
        text: str,
        history: Sequence[Message] | None,
        career: str | None,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        talk = policy.small_talk(text)
        if talk == "list_careers":
            return Answer(replies.careers_list(self.profiles), "answered")
        if talk is not None:
            reply = {"greeting": replies.GREETING, "thanks": replies.THANKS}.get(talk, replies.CAPABILITIES)
            return Answer(reply, "answered")
        analysis = analyse(text, history, self.matcher, self.settings.max_history_turns, career)
        # Scope is judged on this message alone: a career carried over from earlier turns (or picked
        # in the page) must not make "tell me a joke" answerable.
        if (
            not analysis.named_here
            and policy.is_off_topic_request(text)
            and not policy.has_career_words(text)
        ):
            return Answer(replies.OUT_OF_SCOPE, "out_of_scope")
        result: Answer = self.chain.invoke({"analysis": analysis, "history": history, "on_text": on_text})
        return result

    def _search(self, analysis: QueryAnalysis, k: int) -> Retrieval:
        try:
            return self.retriever.retrieve(analysis, k)
        except StoreUnavailableError as exc:
            log.warning("%s", exc)
            return self.retriever.retrieve_keyword_only(analysis, k)

    def _retrieve_step(self, state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "retrieval": self._search(state["analysis"], self.settings.top_k)}

    def _answer_step(self, state: dict[str, Any]) -> Answer:
        analysis: QueryAnalysis = state["analysis"]
        retrieval: Retrieval = state["retrieval"]
        notes = (STORE_DOWN_NOTE,) if retrieval.degraded else ()
        suggestions = list(dict.fromkeys(s.title for s in retrieval.sources))[:3]
        if not analysis.named_here:
            role = policy.unknown_role(analysis.question)
            if role and not self.matcher.find(role) and not self.retriever.knows_role(role):
                return Answer(replies.no_info(suggestions, role), "no_info", retrieval.sources, notes)
        weak = not retrieval.degraded and retrieval.top_similarity < self.settings.min_relevance
        if weak and not analysis.names_a_career:
            if not policy.has_career_words(analysis.question):
                return Answer(replies.OUT_OF_SCOPE, "out_of_scope")
            return Answer(replies.no_info(suggestions), "no_info", retrieval.sources, notes)
        if not retrieval.sources:
            return Answer(replies.no_info(suggestions), "no_info", retrieval.sources, notes)
        answer = self._engine_answer(state, retrieval.sources)
        if notes:
            answer = Answer(f"{answer.text}\n\n_{notes[0]}_", answer.status, answer.sources, notes)
        return answer

    def _engine_answer(self, state: dict[str, Any], sources: Sequence[Source]) -> Answer:
        """The engine's answer; a streaming engine's sentences go to ``state["on_text"]`` meanwhile."""
        stream = getattr(self.engine, "stream", None)
        if stream is None:
            return self.engine.answer(state["analysis"], sources)
        on_text = state.get("on_text") or (lambda _: None)
        for part in stream(state["analysis"], sources, state.get("history") or ()):
            if isinstance(part, Answer):
                return part
            on_text(part)
        raise RuntimeError("a streaming engine ended without an Answer")


def _streamed(run: Callable[[Callable[[str], None]], Answer]) -> Iterator[str | Answer]:
    """Run ``run(emit)`` in a thread; yield what it emits as it comes, then its Answer."""
    parts: queue.Queue[str | Answer | BaseException] = queue.Queue()

    def work() -> None:
        try:
            parts.put(run(parts.put))
        except BaseException as exc:  # re-raised in the caller's thread
            parts.put(exc)

    threading.Thread(target=work, name="careerbot-stream", daemon=True).start()
    while True:
        part = parts.get()
        if isinstance(part, BaseException):
            raise part
        yield part
        if isinstance(part, Answer):
            return


def load_chunks(settings: Settings) -> tuple[list[Profile], list[Chunk], tuple[CorpusError, ...]]:
    """Parse the corpus; bad files are logged and skipped, an empty corpus is an error."""
    corpus = load_corpus(settings.corpus_dir)
    for error in corpus.errors:
        log.warning("skipping profile %s", error)
    if not corpus.profiles:
        raise EmptyCorpusError(
            f"no usable profile in {settings.corpus_dir}; add <career>.txt files in the profile format"
        )
    return list(corpus.profiles), chunk_profiles(corpus.profiles), corpus.errors


def open_store(settings: Settings, embeddings: NamedEmbeddings, rebuild: bool = False) -> VectorStore:
    """The configured collection; ``rebuild`` drops it first."""
    client = open_client(settings)
    if rebuild:
        VectorStore.drop(client, settings.collection)
    location = settings.chroma_url or str(settings.chroma_path)
    return VectorStore.open(client, settings.collection, embeddings.model_id, location)


def build_service(
    settings: Settings | None = None,
    *,
    embeddings: NamedEmbeddings | None = None,
    progress: bool | None = None,
) -> ChatService:
    """Load the corpus, open (and if needed build or refresh) the index, and return the service."""
    settings = settings or get_settings()
    profiles, chunks, errors = load_chunks(settings)
    embeddings = embeddings or build_embeddings(settings.embedding_model_path, settings.embedding_batch_size)
    store = open_store(settings, embeddings)
    stats = None
    if store.fingerprint != corpus_fingerprint(chunks):
        log.info("index missing or stale: ingesting %d chunks", len(chunks))
        stats = sync_index(
            store, embeddings, chunks, batch_size=settings.embedding_batch_size, progress=progress
        )
    return assemble_service(settings, profiles, chunks, store, embeddings, errors=errors, stats=stats)


def assemble_service(
    settings: Settings,
    profiles: Sequence[Profile],
    chunks: Sequence[Chunk],
    store: VectorStore,
    embeddings: NamedEmbeddings,
    *,
    keyword: KeywordIndex | None = None,
    errors: tuple[CorpusError, ...] = (),
    stats: IngestStats | None = None,
) -> ChatService:
    """Wire a ChatService over an index that is already in the store (benchmarks build their own)."""
    by_id = {c.id: c for c in chunks}
    keyword = keyword or KeywordIndex(list(by_id), [c.embed_text for c in chunks])
    retriever = HybridRetriever(store, embeddings, keyword, by_id, settings.candidates)
    engine = build_engine(settings, profiles, embeddings)
    info = ServiceInfo(
        profiles=len(profiles),
        chunks=len(chunks),
        store=store.location,
        embedding_model=embeddings.model_id,
        engine=engine.name,
        corpus_errors=errors,
        ingest=stats,
    )
    return ChatService(settings, profiles, retriever, engine, info)
