"""The tutorial baseline served over HTTP: GET /healthz and POST /api/chat {"message"} -> {"answer", ...}."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class ChatIn(BaseModel):
    message: str
    history: list[dict[str, Any]] = []


def baseline_app(data: Path) -> Any:
    from baseline import BaselineRAG, career_of, make_embeddings
    from fastapi import FastAPI

    rag = BaselineRAG(data, make_embeddings())
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/chat")
    def chat(body: ChatIn) -> dict[str, Any]:
        docs = rag.retrieve(body.message)
        return {
            "answer": "\n\n".join(d.page_content for d in docs),
            "status": "answered",
            "sources": [{"career": career_of(d.metadata)} for d in docs],
        }

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the baseline's benchmark server")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CAREERBOT_PORT", "7860")))
    args = parser.parse_args(argv)
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    import uvicorn

    uvicorn.run(baseline_app(args.data), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
