"""One daemon thread that runs a store's writes, so that a hung database never holds a request."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as WaitTimeout
from typing import Any


class BackgroundWriter:
    """Runs jobs in order on a daemon thread (a hung one cannot block process exit either)."""

    def __init__(self, wait_s: float, max_pending: int) -> None:
        self.wait_s = wait_s
        self.max_pending = max_pending
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = 0
        self.stalled = False  # a job outlived ``wait_s`` and has not finished yet

    def run(self, job: Callable[[], Any]) -> tuple[bool, Any]:
        """(True, result) when ``job`` finished within ``wait_s``; (False, None) when it is queued
        behind a stalled job (written later, nobody waits), still running, or dropped (queue full)."""
        with self._lock:
            if self._pending >= self.max_pending:
                return False, None
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="careerbot-store", daemon=True)
                self._thread.start()
            self._pending += 1
            stalled = self.stalled
        future: Future[Any] = Future()
        self._jobs.put((job, future))
        if stalled:  # a slow database (or a slow first open) loses nothing: the write waits in line
            return False, None
        try:
            return True, future.result(timeout=self.wait_s)
        except WaitTimeout:
            with self._lock:
                if not future.done():
                    self.stalled = True
            return False, None

    def _work(self) -> None:
        while True:
            job, future = self._jobs.get()
            try:
                future.set_result(job())
            except BaseException as exc:  # the job's own errors are its business; keep the thread alive
                future.set_exception(exc)
            finally:
                with self._lock:
                    self._pending -= 1
                    self.stalled = False
