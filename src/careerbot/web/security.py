"""Embedding security: origin allow-list (CORS + CSP frame-ancestors), trusted hosts and rate limits."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

# Local development hosts are always allowed, on any port.
_LOCAL = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def trusted_hosts(configured: Iterable[str], bind_host: str) -> list[str]:
    """The Host header values the app answers to: the configured ones, else localhost and the bind host."""
    hosts = [h.strip().lower() for h in configured if h.strip()]
    if hosts:
        return hosts
    bound = [] if bind_host in ("0.0.0.0", "::", "") else [bind_host.lower()]
    return list(dict.fromkeys([*LOCAL_HOSTS, *bound]))


def _host_name(host: str) -> str:
    """`example.org:8080` -> `example.org`, `[::1]:80` -> `::1`."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class OriginPolicy:
    """Which sites may embed the chat and call the API."""

    def __init__(self, allowed: Iterable[str], hosts: Iterable[str] = LOCAL_HOSTS) -> None:
        self.allowed = frozenset(o.rstrip("/") for o in allowed if o.strip())
        # "*" trusts every Host, so it can never vouch for an Origin (DNS rebinding).
        self.hosts = frozenset(h.lower() for h in hosts if h != "*")

    def allows(self, origin: str | None, host: str | None = None) -> bool:
        """True for the app's own (trusted) host, localhost and the configured origins; no Origin = same site."""
        if origin is None:
            return True
        origin = origin.rstrip("/")
        same_site = (
            host is not None and origin.split("://", 1)[-1] == host and _host_name(host.lower()) in self.hosts
        )
        return same_site or bool(_LOCAL.match(origin)) or origin in self.allowed

    def frame_ancestors(self) -> str:
        """The CSP directive that lets only allowed sites frame the page."""
        sources = ["'self'", "http://localhost:*", "http://127.0.0.1:*", *sorted(self.allowed)]
        return "frame-ancestors " + " ".join(sources)


class KeyedLimiter:
    """At most `per_minute` requests per key in any minute (GCRA: one float per key, O(1) per request).

    A key may use its whole allowance at once, then gets one request every 60/per_minute seconds.
    Memory is bounded: past `max_keys` keys the least recently seen one is forgotten (at ~100 bytes a
    key, 100,000 keys is ~10 MB). Thread-safe.
    """

    def __init__(self, per_minute: int, window_s: float = 60.0, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.interval = window_s / per_minute
        self.max_keys = max_keys
        self._due: OrderedDict[str, float] = OrderedDict()  # key -> when its allowance is full again
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may make a request (0.0 = now); records nothing. Caller holds the lock."""
        due = max(self._due.get(key, now), now) + self.interval
        return max(0.0, due - now - self.window_s)

    def record(self, key: str, now: float) -> None:
        """Count one request for `key`. Caller holds the lock."""
        self._due[key] = max(self._due.get(key, now), now) + self.interval
        self._due.move_to_end(key)
        while len(self._due) > self.max_keys:
            self._due.popitem(last=False)

    def retry_after(self, key: str) -> float:
        """Record a request and return 0.0, or return the seconds to wait when `key` is over its limit."""
        with self._lock:
            now = time.monotonic()
            wait = self.wait(key, now)
            if wait == 0.0:
                self.record(key, now)
            return wait

    def allow(self, key: str) -> bool:
        """Record a request; False when the key is over its limit."""
        return self.retry_after(key) == 0.0


class RateLimiter:
    """Per conversation (default 30 a minute) under a higher per-address ceiling (default 300 a minute).

    A whole school often shares one address, so the address only gets a ceiling; each conversation
    (a random id the page or widget sends) gets the per-user limit. A request without an id counts as
    one conversation per address, as before.
    """

    def __init__(self, per_conversation: int, per_address: int) -> None:
        self.conversations = KeyedLimiter(per_conversation)
        self.addresses = KeyedLimiter(per_address)
        self._lock = threading.Lock()

    def retry_after(self, address: str, conversation: str | None = None) -> float:
        """Record the request if both limits admit it (0.0), else the seconds until both would."""
        key = f"c:{conversation}" if conversation else f"a:{address}"
        with self._lock:
            now = time.monotonic()
            wait = max(self.addresses.wait(address, now), self.conversations.wait(key, now))
            if wait == 0.0:
                self.addresses.record(address, now)
                self.conversations.record(key, now)
            return wait

    def allow(self, address: str) -> bool:
        """Record a request from `address` without a conversation id; False when over a limit."""
        return self.retry_after(address) == 0.0
