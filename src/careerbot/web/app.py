"""The web app factory: Gradio chat page at /, JSON/SSE API, /widget.js, /healthz, embedding security."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

from careerbot import __version__
from careerbot.feedback import FeedbackStore
from careerbot.web.security import OriginPolicy, RateLimiter

if TYPE_CHECKING:
    from fastapi import FastAPI

    from careerbot.service import ChatService
    from careerbot.settings import Settings

MAX_BODY_BYTES = 256 * 1024


def create_app(service: ChatService, settings: Settings) -> FastAPI:
    """Build (not run) the web app around one ChatService."""
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import JSONResponse, Response

    from careerbot.ui.chat import PAGE_CSS, PAGE_JS, build_blocks
    from careerbot.web.api import build_router

    origins = OriginPolicy(settings.allowed_origins)
    feedback = FeedbackStore(settings.feedback_db, settings.feedback_retention_days)
    feedback.purge()
    app = FastAPI(title="careerbot", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        origin = request.headers.get("origin")
        if request.url.path.startswith("/api/") and not origins.allows(origin):
            return JSONResponse({"detail": f"Origin {origin} may not use this chat."}, status_code=403)
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

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "index_loaded": True,
            "profiles": service.info.profiles,
            "chunks": service.info.chunks,
            "engine": service.info.engine,
        }

    @app.get("/widget.js")
    def widget() -> Response:
        script = files("careerbot.web").joinpath("static/widget.js").read_text(encoding="utf-8")
        return Response(
            script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"}
        )

    app.include_router(build_router(service, RateLimiter(settings.rate_limit_per_minute)))
    blocks = build_blocks(service, feedback, RateLimiter(settings.rate_limit_per_minute))
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], css=PAGE_CSS, js=PAGE_JS)
