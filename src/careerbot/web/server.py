"""Run the web app with uvicorn on the configured host and port (127.0.0.1:7860 by default)."""

from __future__ import annotations

import logging

from careerbot.offline import apply_offline_env
from careerbot.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    """Build the service (indexing if needed), then serve until interrupted."""
    apply_offline_env()
    import torch
    import uvicorn

    from careerbot.service import build_service
    from careerbot.web.app import create_app
    from careerbot.web.transport import uvicorn_options

    service = build_service(settings)  # a first-start ingest still uses every core
    # One short query gains nothing from two threads, and concurrent requests on 2 cores stall
    # each other (measured: 11-14 ms with 1 thread vs 130-500 ms with 2 under load).
    torch.set_num_threads(1)
    app = create_app(service)
    log.warning("careerbot serving on http://%s:%d", settings.host, settings.port)
    uvicorn.run(app, **uvicorn_options(settings))
