"""Run the web app with uvicorn on the configured host and port (127.0.0.1:7860 by default)."""

from __future__ import annotations

import logging

from careerbot.offline import apply_offline_env
from careerbot.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings, page: bool = True) -> None:
    """Build the service (indexing if needed), then serve until interrupted; ``page=False``: API only."""
    apply_offline_env()
    import uvicorn

    from careerbot.service import build_service
    from careerbot.web.app import create_app
    from careerbot.web.transport import uvicorn_options

    service = build_service(settings)  # a first-start ingest still uses every core
    embeddings = service.retriever.embeddings
    # One short query gains nothing from two threads, and concurrent requests on 2 cores stall
    # each other (measured with torch: 11-14 ms with 1 thread vs 130-500 ms with 2 under load).
    set_threads = getattr(embeddings, "set_threads", None)
    if set_threads is not None:
        set_threads(1)
    embeddings.embed_query("warm up")  # load the model now, not on the first visitor's question
    app = create_app(service, page=page, page_in_background=True)
    log.warning(
        "careerbot serving on http://%s:%d%s", settings.host, settings.port, "" if page else " (API only)"
    )
    uvicorn.run(app, **uvicorn_options(settings))
