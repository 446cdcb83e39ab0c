"""The web app: Gradio page mounted at /, plus /healthz."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from careerbot import __version__

if TYPE_CHECKING:
    from fastapi import FastAPI

    from careerbot.service import ChatService
    from careerbot.settings import Settings


def create_app(service: ChatService, settings: Settings) -> FastAPI:
    """Build (not run) the web app around one ChatService."""
    import gradio as gr
    from fastapi import FastAPI

    from careerbot.ui.chat import build_blocks

    app = FastAPI(title="careerbot", version=__version__, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "profiles": service.info.profiles,
            "chunks": service.info.chunks,
            "engine": service.info.engine,
        }

    return gr.mount_gradio_app(app, build_blocks(service), path="/")
