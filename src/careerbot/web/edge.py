"""The HTTP edge in front of every route: body and header caps, trusted hosts, unused Gradio routes off."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from careerbot.web.security import OriginPolicy, trusted_hosts

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from careerbot.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # the largest legal chat body (2,000 chars + 50 history items) is ~50 KB
MAX_HEADERS = 100  # browsers send about 20
MAX_HEADER_BYTES = 32 * 1024  # total of names and values; uvicorn's h11 parser stops at 64 KB before this

# Gradio routes the chat page never calls: file uploads (stored on disk, answered with server paths),
# the dev-reload stream (1,000 idle ones held the server at 99 % CPU), monitoring, media and proxies.
BLOCKED_PREFIXES = (
    "/gradio_api/upload",  # also /gradio_api/upload_progress
    "/gradio_api/dev/",
    "/gradio_api/process_recording",
    "/gradio_api/proxy=",
    "/gradio_api/vibe-",
    "/gradio_api/undo-vibe-edit",
    "/gradio_api/run-history",
    "/monitoring",
)


class _BodyTooLarge(Exception):
    """Raised inside the app's `receive` once the body passes the cap."""


async def _reply(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class EdgeGuard:
    """ASGI middleware: 431 for too many or too large headers, 404 for unused routes, and 413 as soon as a
    body (chunked or not) passes `max_body` bytes, counted while it streams in, so it is never buffered."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY_BYTES,
        max_headers: int = MAX_HEADERS,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if (
            len(headers) > self.max_headers
            or sum(len(k) + len(v) for k, v in headers) > self.max_header_bytes
        ):
            if scope["type"] == "http":
                await _reply(send, 431, "Request headers too large.")
            return
        if scope["path"].startswith(BLOCKED_PREFIXES):
            if scope["type"] == "http":
                await _reply(send, 404, "Not Found")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self._capped(scope, receive, send)

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        over = False
        answered = False

        async def capped_receive() -> Message:
            nonlocal received, over
            if over:  # an app that catches the error and reads on learns that the client is gone
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    over = True
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal answered
            if over:  # whatever the app says about a body it could not finish reading is replaced below
                return
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracked_send)
        except Exception:
            if not over:
                raise
        if over:
            log.warning(
                "request body over %d bytes refused: %s %s", self.max_body, scope["method"], scope["path"]
            )
            if not answered:
                await _reply(send, 413, "Request too large.")


class OriginGuard:
    """ASGI middleware: 403 for API calls and writes from sites that may not embed the chat, 413 for a
    body announced over the cap, and the embedding and sniffing headers on every response.

    Plain ASGI: as Starlette's ``BaseHTTPMiddleware`` (``@app.middleware("http")``) it cost a task and
    two memory streams per request."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.policy = policy
        self.max_body = max_body
        self.headers = {
            "Content-Security-Policy": policy.frame_ancestors(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.datastructures import URL, Headers, MutableHeaders

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        writes = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        guarded = writes or URL(scope=scope).path.startswith("/api/")
        if guarded and not self.policy.allows(request_headers.get("origin"), request_headers.get("host")):
            await _reply(send, 403, "This site may not use this chat.")  # closes: the body stays unread
            return
        length = request_headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            await _reply(send, 413, "Request too large.")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_edge(app: FastAPI, settings: Settings) -> None:
    """Put the host check and the edge guard in front of every route (call last: outermost layer)."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    hosts = trusted_hosts(settings.trusted_hosts, settings.host)
    if not settings.trusted_hosts and settings.host in ("0.0.0.0", "::"):
        log.warning("serving on all addresses: set CAREERBOT_TRUSTED_HOSTS to the names clients use")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)
    app.add_middleware(EdgeGuard)  # outermost: cheap checks before anything parses the request


def heartbeat_stream(events: Iterator[str], every_s: float) -> AsyncIterator[str]:
    """Run a blocking iterator of SSE events in one worker thread and pass its events on, sending a
    `: ping` comment whenever none came for `every_s` seconds, so proxies and idle timeouts never cut
    a slow answer. One thread per stream, not one hand-over per event. When the client goes away the
    iterator is closed at its next event, so a language model stops writing an answer nobody reads."""
    import asyncio
    import threading

    from anyio import to_thread

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def produce() -> None:
            try:
                for item in events:
                    if gone.is_set():
                        return
                    loop.call_soon_threadsafe(queue.put_nowait, ("event", item))
            except Exception as exc:  # re-raised in the response task, where errors are handled
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            finally:
                close = getattr(events, "close", None)
                if close is not None:
                    close()
            loop.call_soon_threadsafe(queue.put_nowait, ("end", None))

        gone = threading.Event()

        worker = asyncio.ensure_future(to_thread.run_sync(produce))
        try:
            while True:
                try:
                    kind, item = await asyncio.wait_for(queue.get(), every_s)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if kind == "end":
                    return
                if kind == "error":
                    raise item
                yield item
        finally:
            gone.set()
            if worker.done():
                worker.result()

    return stream()
