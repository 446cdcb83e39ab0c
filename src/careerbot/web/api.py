"""JSON and SSE chat routes: the same shape as `careerbot ask --json`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, Field

from careerbot.answer import policy
from careerbot.feedback import FeedbackStore
from careerbot.replies import SLOW_DOWN
from careerbot.schema import Answer, Source, Status
from careerbot.service import ChatService
from careerbot.web.edge import heartbeat_stream
from careerbot.web.security import RateLimiter

MAX_HISTORY_MESSAGES = 50


def _without_surrogates(value: Any) -> Any:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) are dropped before validation."""
    if isinstance(value, str):
        return "".join(ch for ch in value if not "\ud800" <= ch <= "\udfff")
    return value


SafeText = Annotated[str, BeforeValidator(_without_surrogates)]


class ChatMessage(BaseModel):
    """One earlier message of the conversation."""

    role: Literal["user", "assistant"]
    content: SafeText = Field(max_length=20_000)


class ChatRequest(BaseModel):
    """POST /api/chat body."""

    message: SafeText = Field(description="The user's question.")
    history: list[ChatMessage] = Field(default_factory=list, max_length=MAX_HISTORY_MESSAGES)
    career: str | None = Field(None, description="Ask about this career (slug) only.")
    conversation_id: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A random id per conversation (the page and widget send one): the unit of the rate limit.",
    )


class MatchRequest(BaseModel):
    """POST /api/match body."""

    interests: SafeText = Field(description="What the person likes, is good at, or wants to avoid.")
    conversation_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{8,64}$")


class RatedSource(BaseModel):
    """A source of a rated answer, as the widget got it."""

    career: SafeText = Field(max_length=200)
    title: SafeText = Field(max_length=300)
    section: SafeText = Field(max_length=300)


class FeedbackRequest(BaseModel):
    """POST /api/feedback body: a thumbs up (1) or down (-1) on one answer."""

    question: SafeText = Field(max_length=20_000)
    answer: SafeText = Field(max_length=50_000)
    status: Status
    rating: Literal[1, -1]
    sources: list[RatedSource] = Field(default_factory=list, max_length=20)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def build_router(service: ChatService, limiter: RateLimiter, feedback: FeedbackStore) -> APIRouter:
    """Routes that call the one ChatService."""
    router = APIRouter(prefix="/api")
    limit = service.settings.max_question_chars
    valid_careers = {slug for slug, _, _ in service.careers}

    def check(request: Request, body: ChatRequest) -> list[dict[str, str]]:
        wait = limiter.retry_after(_client(request), body.conversation_id)
        if wait:
            raise HTTPException(
                status_code=429, detail=SLOW_DOWN, headers={"Retry-After": str(math.ceil(wait))}
            )
        if body.career is not None and body.career not in valid_careers:
            raise HTTPException(  # the unknown value is not echoed: it is the client's own input
                status_code=422,
                detail=f"Unknown career; use one of: {', '.join(sorted(valid_careers))}.",
            )
        if len(body.message) > limit:
            raise HTTPException(
                status_code=413,
                detail=f"Your message is {len(body.message):,} characters long; the limit is {limit:,}.",
            )
        return [m.model_dump() for m in body.history]

    @router.post("/chat")
    def chat(request: Request, body: ChatRequest) -> dict[str, Any]:
        """Answer one message; the JSON of `careerbot ask --json` (schema 1: text, status, parts, sources)."""
        history = check(request, body)
        answer = service.ask(body.message, history, body.career)
        feedback.log_exchange(policy.clean_message(body.message), answer)
        return answer.to_dict()

    @router.post("/match")
    def match(request: Request, body: MatchRequest) -> dict[str, Any]:
        """Careers that fit a description of interests: the JSON of a discovery answer (schema 1)."""
        wait = limiter.retry_after(_client(request), body.conversation_id)
        if wait:
            raise HTTPException(
                status_code=429, detail=SLOW_DOWN, headers={"Retry-After": str(math.ceil(wait))}
            )
        if len(body.interests) > limit:
            raise HTTPException(status_code=413, detail=f"The limit is {limit:,} characters.")
        return service.match(body.interests).to_dict()

    @router.post("/chat/stream")
    def chat_stream(request: Request, body: ChatRequest) -> StreamingResponse:
        """Server-sent events: `delta` events with text, then one `done` event with the whole JSON answer."""
        history = check(request, body)

        def events() -> Iterator[str]:
            for part in service.stream(body.message, history, body.career):
                if isinstance(part, Answer):
                    feedback.log_exchange(policy.clean_message(body.message), part)
                    yield f"event: done\ndata: {json.dumps(part.to_dict(), ensure_ascii=False)}\n\n"
                else:
                    yield f"event: delta\ndata: {json.dumps({'text': part}, ensure_ascii=False)}\n\n"

        return StreamingResponse(
            heartbeat_stream(events(), service.settings.heartbeat_seconds),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.get("/embed-check")
    def embed_check() -> JSONResponse:
        """Answers 200 only to allowed origins (CORS); the widget calls it before opening the chat."""
        return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})

    @router.post("/feedback")
    def rate(request: Request, body: FeedbackRequest) -> dict[str, bool]:
        """Store a rating in the same feedback store as the chat page's thumbs."""
        wait = limiter.retry_after(_client(request), None)
        if wait:
            raise HTTPException(
                status_code=429, detail=SLOW_DOWN, headers={"Retry-After": str(math.ceil(wait))}
            )
        sources = tuple(
            Source(career=s.career, title=s.title, section=s.section, score=0.0, text="", cited=True)
            for s in body.sources
        )
        feedback.add(
            body.question, Answer(text=body.answer, status=body.status, sources=sources), body.rating == 1
        )
        return {"ok": True}

    return router
