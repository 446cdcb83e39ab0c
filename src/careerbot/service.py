"""ChatService: the one entry point the UI, HTTP API, CLI and evaluation call."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from careerbot import replies
from careerbot.analysis.occupations import OccupationLexicon, career_names
from careerbot.analysis.phrases import tokens
from careerbot.analysis.verdict import Analyst, Verdict, has_career_words, shows_distress
from careerbot.answer import policy
from careerbot.answer.discover import Discoverer
from careerbot.answer.engines import AnswerEngine, build_engine
from careerbot.answer.followups import with_article
from careerbot.chunking import Chunk, chunk_profiles, corpus_fingerprint
from careerbot.corpus import Profile, load_corpus
from careerbot.embeddings import NamedEmbeddings, build_embeddings
from careerbot.errors import CareerbotError, CorpusError, EmptyCorpusError, StoreUnavailableError
from careerbot.feedback import FeedbackStore
from careerbot.indexing import IngestStats, sync_index
from careerbot.render import compose, rerender
from careerbot.retrieval.careers import CareerMatcher
from careerbot.retrieval.hybrid import HybridRetriever, Retrieval
from careerbot.retrieval.keyword import KeywordIndex
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Message, Reason, RelatedCareer, Source
from careerbot.settings import Settings, get_settings
from careerbot.store import CollectionMissingError, VectorStore, active_collection, open_client

log = logging.getLogger(__name__)

MAX_HISTORY_ITEMS = 20  # the most recent messages kept from a conversation; older ones are dropped
STORE_DOWN_NOTE = "The vector store could not be reached, so this answer used keyword search only."
# After a failed call, requests go keyword-only this long and then one request probes the store:
# a hung server would otherwise cost every request the full Chroma timeout.
STORE_RETRY_S = 1.0
STORE_DOWN = "vector_store_unavailable"


@dataclass
class ServiceInfo:
    """What the service was built from (for /healthz and `careerbot doctor`)."""

    profiles: int
    chunks: int
    store: str
    embedding_model: str
    engine: str
    ingest: IngestStats | None = None
    fingerprint: str = ""  # of the chunks the keyword index was built from


@dataclass(frozen=True)
class Health:
    """For /healthz: ``ok`` or ``degraded`` with reason codes (never paths, ids or error texts)."""

    status: str
    reasons: tuple[str, ...]
    chunks: int  # in the vector store; 0 when it cannot be reached

    @property
    def index_ok(self) -> bool:
        """False when the vector store cannot be reached (answers are keyword-only)."""
        return STORE_DOWN not in self.reasons


class _Breaker:
    """Skips the vector store for STORE_RETRY_S after a failure; then one caller probes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False
        self._retry_at = 0.0
        self._probing = False

    def allow(self) -> bool:
        if not self.down:
            return True
        with self._lock:
            if self._probing or time.monotonic() < self._retry_at:
                return False
            self._probing = True
            return True

    def record(self, ok: bool) -> None:
        with self._lock:
            self.down = not ok
            self._probing = False
            if not ok:
                self._retry_at = time.monotonic() + STORE_RETRY_S


class ChatService:
    """Answers career questions with grounded, cited text."""

    def __init__(
        self,
        settings: Settings,
        profiles: Sequence[Profile],
        retriever: HybridRetriever,
        engine: AnswerEngine,
        info: ServiceInfo,
        occupations: OccupationLexicon | None = None,
        feedback: FeedbackStore | None = None,
    ) -> None:
        self.feedback = feedback or FeedbackStore.from_settings(settings)  # opened on first write
        self._breaker = _Breaker()
        self._index_lock = threading.Lock()
        self._next_index_check = time.monotonic() + settings.index_check_s
        self.settings = settings
        self.profiles = tuple(profiles)
        self.retriever = retriever
        self.engine = engine
        self.info = info
        self.matcher = CareerMatcher(profiles)
        self.analyst = Analyst(self.matcher, occupations or OccupationLexicon(career_names(profiles)))
        self.discoverer = Discoverer(profiles, retriever)

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

        ``on_text`` receives a language model's sentences as the grounding guard passes them.
        """
        text = policy.clean_message(question)
        history = self._clean_history(history)
        distress = shows_distress(text)  # before the length check: long venting messages count
        problem = policy.input_problem(text, self.settings.max_question_chars)
        if problem:
            reason, message = problem
            if distress:
                return Answer(f"{policy.CRISIS_MESSAGE}\n\n{message}", "invalid_input", reason="distress")
            return Answer(message, "invalid_input", reason=reason)
        verdict = self.analyst.judge(text, history, self._known_career(career))
        answer = self._answer_verdict(verdict, history, on_text)
        if distress:
            if answer.status != "answered":
                return Answer(policy.CRISIS_MESSAGE, "answered", notes=answer.notes)
            return rerender(answer, intro=f"{policy.CRISIS_MESSAGE}\n\n{answer.intro}".strip())
        return answer

    def judge(
        self, question: str, history: Sequence[Message] | None = None, career: str | None = None
    ) -> Verdict:
        """The verdict on a message: subject kind, careers in play, sections, refusal reason."""
        text = policy.clean_message(question)
        return self.analyst.judge(text, self._clean_history(history), self._known_career(career))

    def match(self, interests: str) -> Answer:
        """Careers that fit a description of interests (what `careerbot match` and /api/match call)."""
        text = policy.clean_message(interests)
        problem = policy.input_problem(text, self.settings.max_question_chars)
        if problem:
            return Answer(problem[1], "invalid_input", reason=problem[0])
        verdict = self.analyst.judge(text)
        if verdict.refused:
            return self._answer_verdict(verdict)
        return self.discoverer.answer(text, self.analyst.interests(text))

    def stream(
        self, question: str, history: Sequence[Message] | None = None, career: str | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer (the extractive engine is instant, so deltas are words).

        A streaming engine (a language model) runs in a worker thread and its guard-checked
        sentences are passed on as they come; the final Answer is what to show in the end.
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
        verdict = self.analyst.judge(text, self._clean_history(history), self._known_career(career))
        return list(self._search(verdict.analysis, k).sources)

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

    def _answer_verdict(
        self,
        verdict: Verdict,
        history: Sequence[Message] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        if verdict.refused:
            return self._refusal(verdict)
        if verdict.kind == "small_talk":
            if verdict.small_talk == "list_careers":
                return Answer(replies.careers_list(self.profiles), "answered", kind="small_talk")
            reply = {"greeting": replies.GREETING, "thanks": replies.THANKS}.get(
                verdict.small_talk or "", replies.CAPABILITIES
            )
            return Answer(reply, "answered", kind="small_talk")
        occupation = verdict.occupation
        # A job found by its phrasing alone may still be close to a profile ("surgeon"): then it is
        # answered from retrieval, with no career carried over.
        if (
            verdict.kind == "unknown_occupation"
            and occupation is not None
            and not (occupation.guessed and self.retriever.knows_role(occupation.name))
        ):
            return self._no_profile(occupation.name)
        if verdict.kind == "discovery":
            return self.discoverer.answer(verdict.analysis.question, verdict.interests)
        # retriever -> relevance gate -> answer engine as plain calls: a LangChain Runnable chain here
        # only wrapped two method calls, and cost 1.3 s of imports per CLI run and callbacks per answer.
        state = {"verdict": verdict, "analysis": verdict.analysis, "history": history, "on_text": on_text}
        return self._answer_step(self._retrieve_step(state))

    @staticmethod
    def _refusal(verdict: Verdict) -> Answer:
        text = {
            "harmful": replies.HARMFUL,
            "language": replies.other_language(verdict.language),
        }.get(verdict.reason or "", replies.OUT_OF_SCOPE)
        return compose(status="out_of_scope", reason=verdict.reason, kind="refusal", intro=text)

    def _no_profile(self, occupation: str, reason: Reason = "unknown_occupation") -> Answer:
        """``no_info`` for a job with no profile: said plainly, related careers labelled as related."""
        related = self._related_careers(occupation) if occupation else ()
        return compose(
            status="no_info",
            reason=reason,
            kind="no_profile",
            intro=replies.no_profile(occupation) if occupation else replies.NOT_COVERED,
            related=related,
            follow_ups=tuple(f"What does {with_article(r.title)} do?" for r in related[:2]),
            occupation=occupation,
        )

    def _related_careers(self, name: str, k: int = 3) -> tuple[RelatedCareer, ...]:
        """Careers whose profiles are closest to a job name alone (never to the conversation's career)."""
        probe = QueryAnalysis(name, (), (), (), self.matcher.titles)
        careers = dict.fromkeys(s.career for s in self._search(probe, 12).sources)
        return tuple(RelatedCareer(c, self.matcher.titles.get(c, c)) for c in list(careers)[:k])

    def _search(self, analysis: QueryAnalysis, k: int) -> Retrieval:
        if not self._breaker.allow():
            return self.retriever.retrieve_keyword_only(analysis, k)
        try:
            self._follow_index()
            try:
                result = self.retriever.retrieve(analysis, k)
            except CollectionMissingError:  # dropped under us: a rebuild switched, or it was re-created
                self._follow_index(force=True)
                result = self.retriever.retrieve(analysis, k)
        except StoreUnavailableError as exc:
            self._breaker.record(ok=False)
            log.warning("%s (%s)", exc, exc.__cause__)
            return self.retriever.retrieve_keyword_only(analysis, k)
        self._breaker.record(ok=True)
        return result

    # -- following index rebuilds and store health ----------------------------------------------

    def _follow_index(self, force: bool = False) -> None:
        """Switch to the active collection when a rebuild moved the pointer (checked every few seconds)."""
        if not force and time.monotonic() < self._next_index_check:
            return
        if not self._index_lock.acquire(blocking=False):
            return  # another request is checking
        try:
            self._next_index_check = time.monotonic() + self.settings.index_check_s
            store = self.retriever.store
            if store.client is None:
                return
            name = active_collection(store.client, self.settings.collection)
            if name == store.name and not force:
                return
            fresh = VectorStore.open(
                store.client, name, self.info.embedding_model, store.location, create=False
            )
            self._switch_to(fresh)
        finally:
            self._index_lock.release()

    def _switch_to(self, store: VectorStore) -> None:
        """Use ``store``; rebuild the keyword index and profiles when it holds another corpus version."""
        previous = self.retriever.store.name
        fingerprint = store.fingerprint
        if fingerprint and fingerprint != self.info.fingerprint:
            try:
                profiles, chunks, _ = load_chunks(self.settings)
            except CareerbotError as exc:
                log.warning("index switched but the corpus cannot be read: %s", exc)
                profiles, chunks = [], []
            if chunks and corpus_fingerprint(chunks) == fingerprint:
                fresh = assemble_service(self.settings, profiles, chunks, store, self.retriever.embeddings)
                self.profiles, self.matcher, self.engine = fresh.profiles, fresh.matcher, fresh.engine
                self.analyst, self.discoverer = fresh.analyst, fresh.discoverer
                self.info = fresh.info
                self.retriever = fresh.retriever
                log.info("index switched from %s to %s (new corpus version)", previous, store.name)
                return
            log.warning(
                "the index %s was built from another version of the corpus than %s holds; "
                "keyword search keeps the local version",
                store.name,
                self.settings.corpus_dir,
            )
        old = self.retriever
        self.retriever = HybridRetriever(store, old.embeddings, old.keyword, old.chunks, old.candidates)
        log.info("index switched from %s to %s", previous, store.name)

    def health(self) -> Health:
        """Vector store and side stores, as reason codes."""
        reasons: list[str] = []
        chunks = 0
        if self._breaker.allow():
            try:
                self._follow_index()
                try:
                    chunks = self.retriever.store.count()
                except CollectionMissingError:
                    self._follow_index(force=True)
                    chunks = self.retriever.store.count()
                self._breaker.record(ok=True)
            except StoreUnavailableError as exc:
                self._breaker.record(ok=False)
                log.warning("health: %s (%s)", exc, exc.__cause__)
                reasons.append(STORE_DOWN)
        else:
            reasons.append(STORE_DOWN)
        reasons += self.feedback.health()
        return Health("degraded" if reasons else "ok", tuple(reasons), chunks)

    def _retrieve_step(self, state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "retrieval": self._search(state["analysis"], self.settings.top_k)}

    def _answer_step(self, state: dict[str, Any]) -> Answer:
        verdict: Verdict = state["verdict"]
        analysis: QueryAnalysis = state["analysis"]
        retrieval: Retrieval = state["retrieval"]
        notes = (STORE_DOWN_NOTE,) if retrieval.degraded else ()
        weak = not retrieval.degraded and retrieval.top_similarity < self.settings.min_relevance
        if (weak and not analysis.names_a_career) or not retrieval.sources:
            if not has_career_words(tokens(analysis.question)):
                return compose(
                    status="out_of_scope", reason="off_topic", kind="refusal", intro=replies.OUT_OF_SCOPE
                )
            return rerender(self._no_profile("", "not_covered"), notes=notes)
        answer = self._engine_answer(state, retrieval.sources)
        if verdict.kind == "specialty" and verdict.occupation is not None and verdict.occupation.lead:
            lead = verdict.occupation.lead
            answer = rerender(answer, intro=lead, occupation=verdict.occupation.name)
        if notes:
            answer = rerender(answer, notes=(*answer.notes, *notes))
        return answer

    def _engine_answer(self, state: dict[str, Any], sources: Sequence[Source]) -> Answer:
        """The engine's answer; a language model's checked sentences go to ``state["on_text"]`` meanwhile.

        A comparison is always the extractive table: the verdict decides it, and no model is asked.
        """
        verdict: Verdict = state["verdict"]
        analysis: QueryAnalysis = verdict.analysis
        stream = getattr(self.engine, "stream", None)
        if stream is None:
            return self.engine.answer(analysis, sources)
        if verdict.kind == "comparison" or (analysis.compare and len(analysis.careers) >= 2):
            fallback: AnswerEngine = self.engine.fallback  # type: ignore[attr-defined]
            return fallback.answer(analysis, sources)
        on_text = state.get("on_text") or (lambda _: None)
        for part in stream(analysis, sources, state.get("history") or ()):
            if isinstance(part, Answer):
                return part
            on_text(part)
        raise RuntimeError("a streaming engine ended without an Answer")


class _Cancelled(Exception):
    """The reader of a stream went away (a closed chat page or SSE connection)."""


def _streamed(run: Callable[[Callable[[str], None]], Answer]) -> Iterator[str | Answer]:
    """Run ``run(emit)`` in a thread; yield what it emits as it comes, then its Answer.

    When the reader stops early, the next ``emit`` stops the worker, which closes the model's stream:
    one local model serves one answer at a time, so an abandoned answer would hold up the next.
    """
    parts: queue.Queue[str | Answer | BaseException] = queue.Queue()
    gone = threading.Event()

    def emit(text: str) -> None:
        if gone.is_set():
            raise _Cancelled
        parts.put(text)

    def work() -> None:
        try:
            parts.put(run(emit))
        except _Cancelled:
            log.info("stream abandoned by its reader; generation stopped")
        except BaseException as exc:  # re-raised in the caller's thread
            parts.put(exc)

    threading.Thread(target=work, name="careerbot-stream", daemon=True).start()
    try:
        while True:
            part = parts.get()
            if isinstance(part, BaseException):
                raise part
            yield part
            if isinstance(part, Answer):
                return
    finally:
        gone.set()


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


def store_location(settings: Settings) -> str:
    """The Chroma server URL or the embedded store's folder (for logs and the CLI, never /healthz)."""
    return settings.chroma_url or str(settings.chroma_path)


def open_store(settings: Settings, embeddings: NamedEmbeddings) -> VectorStore:
    """The active collection (the one the last completed rebuild switched to), created if missing."""
    client = open_client(settings)
    name = active_collection(client, settings.collection)
    return VectorStore.open(client, name, embeddings.model_id, store_location(settings))


def build_service(
    settings: Settings | None = None,
    *,
    embeddings: NamedEmbeddings | None = None,
    progress: bool | None = None,
) -> ChatService:
    """Load the corpus, open (and if needed build or refresh) the index, and return the service."""
    settings = settings or get_settings()
    profiles, chunks, _errors = load_chunks(settings)  # load_chunks logged the skipped files
    embeddings = embeddings or build_embeddings(
        settings.embedding_model_path, settings.embedding_batch_size, settings.data_dir
    )
    store = open_store(settings, embeddings)
    stats = None
    if store.fingerprint != corpus_fingerprint(chunks):
        log.info("index missing or stale: ingesting %d chunks", len(chunks))
        stats = sync_index(
            store, embeddings, chunks, batch_size=settings.embedding_batch_size, progress=progress
        )
    return assemble_service(settings, profiles, chunks, store, embeddings, stats=stats)


def assemble_service(
    settings: Settings,
    profiles: Sequence[Profile],
    chunks: Sequence[Chunk],
    store: VectorStore,
    embeddings: NamedEmbeddings,
    *,
    keyword: KeywordIndex | None = None,
    stats: IngestStats | None = None,
) -> ChatService:
    """Wire a ChatService over an index that is already in the store (benchmarks build their own)."""
    by_id = {c.id: c for c in chunks}
    keyword = keyword or KeywordIndex.load_or_build(
        list(by_id), [c.embed_text for c in chunks], settings.data_dir / "bm25", corpus_fingerprint(chunks)
    )
    retriever = HybridRetriever(store, embeddings, keyword, by_id, settings.candidates)
    engine = build_engine(settings, profiles, embeddings)
    info = ServiceInfo(
        profiles=len(profiles),
        chunks=len(chunks),
        store=store.location,
        embedding_model=embeddings.model_id,
        engine=engine.name,
        ingest=stats,
        fingerprint=corpus_fingerprint(chunks),
    )
    return ChatService(settings, profiles, retriever, engine, info)
