"""Benchmark server: GET /healthz and POST /api/chat {"message", "history"} -> {"answer", "status", ...}.

``--system ours`` serves the project's own web app, built as app.py builds it (build_service, then
create_app), with the per-client rate limit lifted for the load test. This script adds a
``POST /api/chat`` that calls ChatService.ask behind the app's own routes: it only answers when the
app has no such route. ``--system baseline`` serves the tutorial baseline with FastAPI.
Answers from this script's chat routes carry an ``X-Bench-Chat-Route: benchmark`` header.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

CHAT_PATH = "/api/chat"
BENCH_HEADER = "X-Bench-Chat-Route"  # set by this script's chat routes, absent from the project's


class ChatIn(BaseModel):
    message: str
    history: list[dict[str, Any]] = []


def _before_mounts(app: Any, path: str, endpoint: Any, methods: list[str]) -> None:
    """Add a route after the app's own routes but before its mounts (Gradio is mounted at / and would
    catch it): a chat route of the project's own still answers first."""
    from starlette.routing import Mount

    app.add_api_route(path, endpoint, methods=methods)
    routes = app.router.routes
    route = routes.pop()
    routes.insert(next((i for i, r in enumerate(routes) if isinstance(r, Mount)), len(routes)), route)


def ours_app(data: Path, corpus: Path) -> Any:
    from common import NO_RATE_LIMIT

    from careerbot.service import build_service
    from careerbot.settings import make_settings
    from careerbot.web.app import create_app

    # The per-client rate limit would turn a load test from one address into 429s: lifted here.
    settings = make_settings(corpus_dir=corpus, data_dir=data, rate_limit_per_minute=NO_RATE_LIMIT)
    service = build_service(settings, progress=False)
    app = create_app(service)

    def chat(body: ChatIn) -> JSONResponse:
        answer = service.ask(body.message, body.history).to_dict()
        return JSONResponse(answer, headers={BENCH_HEADER: "benchmark"})

    _before_mounts(app, CHAT_PATH, chat, ["POST"])
    return app


def baseline_app(data: Path) -> Any:
    from baseline import BaselineRAG, career_of, make_embeddings
    from fastapi import FastAPI

    rag = BaselineRAG(data, make_embeddings())
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(CHAT_PATH)
    def chat(body: ChatIn) -> JSONResponse:
        docs = rag.retrieve(body.message)
        answer = {
            "answer": "\n\n".join(d.page_content for d in docs),
            "status": "answered",
            "sources": [{"career": career_of(d.metadata)} for d in docs],
        }
        return JSONResponse(answer, headers={BENCH_HEADER: "benchmark"})

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark server")
    parser.add_argument("--system", choices=("ours", "baseline"), required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CAREERBOT_PORT", "7860")))
    args = parser.parse_args(argv)
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    import uvicorn

    app = ours_app(args.data, args.corpus) if args.system == "ours" else baseline_app(args.data)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
