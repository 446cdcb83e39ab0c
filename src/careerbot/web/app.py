"""The web app factory: Gradio chat page at /, JSON/SSE API, /widget.js, /healthz, embedding security."""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from careerbot import __version__
from careerbot.web.edge import MAX_BODY_BYTES, install_edge
from careerbot.web.security import OriginPolicy, RateLimiter, trusted_hosts

if TYPE_CHECKING:
    from fastapi import FastAPI

    from careerbot.feedback import FeedbackStore
    from careerbot.service import ChatService

log = logging.getLogger(__name__)


def create_app(service: ChatService, page: bool = True) -> FastAPI:
    """Build (not run) the web app around one ChatService; ``page=False`` serves the API without Gradio."""
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

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        origin = request.headers.get("origin")
        guarded = request.url.path.startswith("/api/") or request.method not in ("GET", "HEAD", "OPTIONS")
        if guarded and not origins.allows(origin, request.headers.get("host")):
            return JSONResponse({"detail": "This site may not use this chat."}, status_code=403)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse({"detail": "Request too large."}, status_code=413)
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = origins.frame_ancestors()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response

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
    return mount_page(app, service, feedback, limiter) if page else app


def mount_page(app: FastAPI, service: ChatService, feedback: FeedbackStore, limiter: RateLimiter) -> FastAPI:
    """Mount the Gradio chat page at / (the only place gradio is imported: about 2 s and 150 MiB)."""
    import gradio as gr

    from careerbot.ui.assets import PAGE_CSS, PAGE_JS, page_theme
    from careerbot.ui.chat import build_blocks

    blocks = build_blocks(service, feedback, limiter)
    return gr.mount_gradio_app(
        app, blocks, path="/", footer_links=[], css=PAGE_CSS, js=PAGE_JS, theme=page_theme()
    )
