"""uvicorn settings for the public edge: connection caps, timeouts, header limits, trusted proxies."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from careerbot.settings import Settings

KEEP_ALIVE_S = 5  # uvicorn's default, stated: an idle keep-alive connection closes after it
MAX_HEADER_EVENT_BYTES = 64 * 1024  # h11 refuses (400, then closes) a request head larger than this


def guarded_h11(idle_timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing a connection when its client goes quiet while the server waits for it.

    uvicorn times out only idle keep-alive connections: a client that connects and sends nothing, or
    stops halfway through its headers or body, holds a connection (and a file descriptor) forever.
    Here a request's head must arrive within `idle_timeout_s` of its first byte, and a body may not
    pause longer than that. A response in progress (an SSE stream) is never cut: the client is not
    expected to send anything then.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        _last_data = 0.0
        _head_since: float | None = None
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._last_data = self._head_since = self.loop.time()
            self._timer = self.loop.call_later(idle_timeout_s, self._check_idle)

        def data_received(self, data: bytes) -> None:
            now = self.loop.time()
            self._last_data = now
            if self._head_since is None and self.conn.their_state is h11.IDLE:
                self._head_since = now
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._head_since = None

        def on_response_complete(self) -> None:
            self._last_data = self.loop.time()  # the client's turn starts now, not at its last byte
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()
            super().connection_lost(exc)

        def _check_idle(self) -> None:
            if self.transport.is_closing():
                return
            now = self.loop.time()
            state = self.conn.their_state
            paused = self.flow.read_paused  # the app is not reading yet: the wait is ours, not the client's
            slow_head = (
                state is h11.IDLE
                and self._head_since is not None
                and now - self._head_since >= idle_timeout_s
            )
            stalled = (
                state in (h11.IDLE, h11.SEND_BODY) and not paused and now - self._last_data >= idle_timeout_s
            )
            if slow_head or stalled:
                self.transport.close()
                return
            self._timer = self.loop.call_later(idle_timeout_s / 2, self._check_idle)

    return GuardedH11Protocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` that bound what one client can hold."""
    proxies = [ip.strip() for ip in settings.forwarded_allow_ips if ip.strip()]
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        # h11 (not httptools) because it caps the request head; httptools accepted eight 50 MB headers.
        "http": guarded_h11(settings.idle_timeout_seconds),
        "h11_max_incomplete_event_size": MAX_HEADER_EVENT_BYTES,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": KEEP_ALIVE_S,
        # uvicorn's default believes X-Forwarded-For from loopback, so any local client could pose as
        # another address (and dodge the rate limit): only configured proxies are believed.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
    }
