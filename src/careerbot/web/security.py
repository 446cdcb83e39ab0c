"""Embedding security: origin allow-list (CORS + CSP frame-ancestors) and a per-client rate limit."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterable

# Local development hosts are always allowed, on any port.
_LOCAL = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")


class OriginPolicy:
    """Which sites may embed the chat and call the API."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = frozenset(o.rstrip("/") for o in allowed if o.strip())

    def allows(self, origin: str | None, host: str | None = None) -> bool:
        """True for the app's own host, localhost and the configured origins; no Origin = same site."""
        if origin is None:
            return True
        origin = origin.rstrip("/")
        same_site = host is not None and origin.split("://", 1)[-1] == host
        return same_site or bool(_LOCAL.match(origin)) or origin in self.allowed

    def frame_ancestors(self) -> str:
        """The CSP directive that lets only allowed sites frame the page."""
        sources = ["'self'", "http://localhost:*", "http://127.0.0.1:*", *sorted(self.allowed)]
        return "frame-ancestors " + " ".join(sources)


class RateLimiter:
    """Sliding one-minute window per client key; thread-safe."""

    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a request; False when the client is over its limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window_s]:
                    del self._hits[stale]
            return True
