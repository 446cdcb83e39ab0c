"""The web app factory: Gradio chat page at /, JSON/SSE API, /widget.js, /healthz, embedding security."""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from careerbot import __version__
from careerbot.web.edge import OriginGuard, install_edge
from careerbot.web.security import OriginPolicy, RateLimiter, trusted_hosts

if TYPE_CHECKING:
    from fastapi import FastAPI

    from careerbot.feedback import FeedbackStore
    from careerbot.service import ChatService

log = logging.getLogger(__name__)


def create_app(service: ChatService, page: bool = True, page_in_background: bool = False) -> FastAPI:
    """Build (not run) the web app around one ChatService; ``page=False`` serves the API without Gradio.

    ``page_in_background=True`` (what `careerbot serve` uses): the API answers at once and the page
    follows when Gradio has loaded, as importing it costs about 4 s of CPU.
    """
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import JSONResponse, Response

    from careerbot.web.api import build_router

    settings = service.settings  # one source of truth: the settings the service was built with
    origins = OriginPolicy(settings.allowed_origins, trusted_hosts(settings.trusted_hosts, settings.host))
    feedback = service.feedback  # one store per process: its health is what /healthz reports
    # Shared by the API and the page. A ceiling below the per-conversation limit would make no sense,
    # and lifting the per-conversation limit (load tests) lifts it too.
    ceiling = max(settings.rate_limit_per_ip_per_minute, settings.rate_limit_per_minute)
    limiter = RateLimiter(settings.rate_limit_per_minute, ceiling)
    app = FastAPI(title="careerbot", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.page = "off"

    app.add_middleware(OriginGuard, policy=origins)
    # Registered after the guard so that it is the outer layer: CORS preflights get answered.
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?",
        allow_origins=sorted(origins.allowed),
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the body back (it may be megabytes, or hold characters that cannot be encoded).
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:2]) or "body" for e in exc.errors()})
        return JSONResponse(
            {
                "detail": f"The request could not be read ({', '.join(fields)}). Send JSON like "
                '{"message": "What does a nurse do?", "history": []} in UTF-8.'
            },
            status_code=422,
        )

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        health = service.health()
        body = {
            "status": health.status,
            "reasons": list(health.reasons),
            "version": __version__,
            "index_loaded": health.index_ok and health.chunks > 0,
            "profiles": service.info.profiles,
            "chunks": health.chunks,
            "engine": service.info.engine,
            "page": app.state.page,  # off (API only), loading (serve starts the page after the API) or ready
        }
        # 503 only when answers are keyword-only: a load balancer then prefers another replica.
        return JSONResponse(body, status_code=200 if health.index_ok else 503)

    static = files("careerbot.web").joinpath("static")
    # One request for the embed: the panel's CSS travels inside the script, as a JSON string.
    script = (
        static.joinpath("widget.js")
        .read_text(encoding="utf-8")
        .replace('"__CAREERBOT_CSS__"', json.dumps(static.joinpath("widget.css").read_text(encoding="utf-8")))
    )

    @app.get("/widget.js")
    def widget() -> Response:
        return Response(
            script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"}
        )

    app.include_router(build_router(service, limiter, feedback))
    install_edge(app, settings)  # before the page: its routes in front of Gradio's unused ones
    if not page:
        return app
    if page_in_background:
        return mount_page_in_background(app, service, feedback, limiter)
    app.state.page = "ready"
    return mount_page(app, service, feedback, limiter)


def mount_page(app: FastAPI, service: ChatService, feedback: FeedbackStore, limiter: RateLimiter) -> FastAPI:
    """Mount the Gradio chat page at / (the only place gradio is imported: about 4 s of CPU and 150 MiB)."""
    import gradio as gr

    from careerbot.ui.assets import PAGE_CSS, PAGE_JS, page_theme
    from careerbot.ui.chat import build_blocks

    blocks = build_blocks(service, feedback, limiter)
    return gr.mount_gradio_app(
        app, blocks, path="/", footer_links=[], css=PAGE_CSS, js=PAGE_JS, theme=page_theme()
    )


STARTING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>careerbot is starting</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em; color: #1a1a1a; background: #fff">
<p>The chat page is starting. This page reloads by itself in a moment.</p></body></html>"""


def mount_page_in_background(
    app: FastAPI, service: ChatService, feedback: FeedbackStore, limiter: RateLimiter
) -> FastAPI:
    """Serve the API now; build the page in a worker thread once the server runs, then mount it at /.

    Until then `/` answers 503 with a page that reloads itself. Gradio's own start-up (its queue) runs
    on the server's event loop, inside its lifespan, exactly as `gr.mount_gradio_app` would.
    """
    import asyncio
    from contextlib import AsyncExitStack, asynccontextmanager

    from fastapi import Request
    from fastapi.responses import HTMLResponse
    from starlette.routing import Mount, Route

    async def starting(request: Request) -> HTMLResponse:
        return HTMLResponse(STARTING_PAGE, status_code=503, headers={"Retry-After": "2"})

    placeholder = Route("/", starting, methods=["GET", "HEAD"])
    app.router.routes.append(placeholder)
    app.state.page = "loading"
    outer_lifespan = app.router.lifespan_context

    async def load(stack: AsyncExitStack) -> None:
        try:
            await asyncio.to_thread(mount_page, app, service, feedback, limiter)
            gradio_app: Any = next(r.app for r in reversed(app.router.routes) if isinstance(r, Mount))
            await stack.enter_async_context(gradio_app.router.lifespan_context(gradio_app))
            gradio_app.get_blocks().run_startup_events()
            await gradio_app.get_blocks().run_extra_startup_events()
        except Exception:  # the API keeps serving; the operator sees why the page is missing
            log.exception("the chat page could not be loaded; the API and the widget still work")
            app.state.page = "failed"
            return
        app.router.routes.remove(placeholder)
        app.state.page = "ready"
        log.warning("the chat page is ready")

    @asynccontextmanager
    async def lifespan(inner: Any) -> Any:
        async with outer_lifespan(inner) as state, AsyncExitStack() as stack:
            task = asyncio.create_task(load(stack))
            try:
                yield state
            finally:
                task.cancel()

    app.router.lifespan_context = lifespan
    return app
