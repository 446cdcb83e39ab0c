"""ChatService: the one entry point the UI, HTTP API, CLI and evaluation call."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
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
from careerbot.errors import CorpusError, EmptyCorpusError, StoreUnavailableError
from careerbot.indexing import IngestStats, sync_index
from careerbot.render import compose, rerender
from careerbot.retrieval.careers import CareerMatcher
from careerbot.retrieval.hybrid import HybridRetriever, Retrieval
from careerbot.retrieval.keyword import KeywordIndex
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Answer, Message, Reason, RelatedCareer, Source
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
    ingest: IngestStats | None = None


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
    ) -> None:
        from langchain_core.runnables import RunnableLambda

        self.settings = settings
        self.profiles = tuple(profiles)
        self.retriever = retriever
        self.engine = engine
        self.info = info
        self.matcher = CareerMatcher(profiles)
        self.analyst = Analyst(self.matcher, occupations or OccupationLexicon(career_names(profiles)))
        self.discoverer = Discoverer(profiles, retriever)
        # retriever -> relevance gate -> answer engine, as LangChain Runnables, so another
        # engine (a generative one) plugs into the same chain.
        # (A plain sequence: RunnablePassthrough.assign would run each step on a thread pool.)
        self.chain = RunnableLambda(self._retrieve_step) | RunnableLambda(self._answer_step)

    # -- public API -------------------------------------------------------------------------

    def ask(
        self, question: str, history: Sequence[Message] | None = None, career: str | None = None
    ) -> Answer:
        """Answer one message in the context of the conversation so far (``career``: ask one career only)."""
        text = policy.clean_message(question)
        history = self._clean_history(history)
        distress = shows_distress(text)  # before the length check: long venting messages count
        problem = policy.input_problem(text, self.settings.max_question_chars)
        if problem:
            reason, message = problem
            if distress:
                return Answer(f"{policy.CRISIS_MESSAGE}\n\n{message}", "invalid_input", reason="distress")
            return Answer(message, "invalid_input", reason=reason)
        answer = self._answer_verdict(self.analyst.judge(text, history, self._known_career(career)))
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
        """Text deltas, then the final Answer (the extractive engine is instant, so deltas are words)."""
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

    def _answer_verdict(self, verdict: Verdict) -> Answer:
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
        result: Answer = self.chain.invoke({"verdict": verdict, "analysis": verdict.analysis})
        return result

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
        try:
            return self.retriever.retrieve(analysis, k)
        except StoreUnavailableError as exc:
            log.warning("%s", exc)
            return self.retriever.retrieve_keyword_only(analysis, k)

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
        answer = self.engine.answer(analysis, retrieval.sources)
        if verdict.kind == "specialty" and verdict.occupation is not None and verdict.occupation.lead:
            lead = verdict.occupation.lead
            answer = rerender(answer, intro=lead, occupation=verdict.occupation.name)
        if notes:
            answer = rerender(answer, notes=notes)
        return answer


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
    profiles, chunks, _errors = load_chunks(settings)  # load_chunks logged the skipped files
    embeddings = embeddings or build_embeddings(settings.embedding_model_path, settings.embedding_batch_size)
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
    keyword = keyword or KeywordIndex(list(by_id), [c.embed_text for c in chunks])
    retriever = HybridRetriever(store, embeddings, keyword, by_id, settings.candidates)
    engine = build_engine(settings, profiles)
    info = ServiceInfo(
        profiles=len(profiles),
        chunks=len(chunks),
        store=store.location,
        embedding_model=embeddings.model_id,
        engine=engine.name,
        ingest=stats,
    )
    return ChatService(settings, profiles, retriever, engine, info)
