"""Feedback storage: SQLite in the data dir, with a retention limit. Nothing else is stored by default."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careerbot.schema import Answer
from careerbot.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL,
    sources TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1))
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    """One rating of one answer."""

    id: int
    created: float
    question: str
    answer: str
    status: str
    sources: list[dict[str, Any]]
    rating: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with an ISO time."""
        return {
            "id": self.id,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
            "question": self.question,
            "answer": self.answer,
            "status": self.status,
            "sources": self.sources,
            "rating": self.rating,
        }


class FeedbackStore:
    """Thumbs up/down on answers, kept for ``retention_days``."""

    def __init__(self, path: Path, retention_days: int, log_conversations: bool = False) -> None:
        self.path = path
        self.retention_days = retention_days
        self.log_conversations = log_conversations

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The store the settings describe (data dir, retention, logging switch)."""
        return cls(settings.feedback_db, settings.feedback_retention_days, settings.log_conversations)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            connection.executescript(_SCHEMA)
            yield connection
            connection.commit()
        finally:
            connection.close()

    def add(self, question: str, answer: Answer, liked: bool) -> int:
        """Store one rating; returns its id."""
        sources = [s.to_dict() for s in answer.sources if s.cited]
        with self._connect() as db:
            self._expire(db)
            cursor = db.execute(
                "INSERT INTO feedback (created, question, answer, status, sources, rating) VALUES (?, ?, ?, ?, ?, ?)",
                (time.time(), question, answer.text, answer.status, json.dumps(sources), 1 if liked else -1),
            )
            return int(cursor.lastrowid or 0)

    def log_exchange(self, question: str, answer: Answer) -> None:
        """Store a question and its answer, only when conversation logging is switched on."""
        if not self.log_conversations:
            return
        with self._connect() as db:
            self._expire(db)
            db.execute(
                "INSERT INTO exchanges (created, question, answer, status) VALUES (?, ?, ?, ?)",
                (time.time(), question, answer.text, answer.status),
            )

    def _expire(self, db: sqlite3.Connection) -> None:
        """Retention is enforced on every write, not only at start-up."""
        cutoff = time.time() - self.retention_days * 86400
        for table in ("feedback", "exchanges"):
            db.execute(f"DELETE FROM {table} WHERE created < ?", (cutoff,))

    def exchange_count(self) -> int:
        """How many logged exchanges are stored."""
        if not self.path.exists():
            return 0
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0])

    def rows(self) -> list[FeedbackRow]:
        """All stored feedback, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            found = db.execute(
                "SELECT id, created, question, answer, status, sources, rating FROM feedback ORDER BY id"
            ).fetchall()
        return [FeedbackRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in found]

    def purge(self, everything: bool = False) -> int:
        """Delete feedback older than the retention limit (or all of it); returns how many rows."""
        if not self.path.exists():
            return 0
        cutoff = time.time() + 1 if everything else time.time() - self.retention_days * 86400
        with self._connect() as db:
            removed = 0
            for table in ("feedback", "exchanges"):
                removed += int(db.execute(f"DELETE FROM {table} WHERE created < ?", (cutoff,)).rowcount)
            return removed
