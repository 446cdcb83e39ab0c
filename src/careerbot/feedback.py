"""Feedback, the optional conversation log and asked-for occupations without a profile.

One database given by a SQLAlchemy URL: SQLite in the data dir by default, PostgreSQL when several
replicas share it. Writes made while answering never raise: a failing store is logged and reported by
``health()``, and the user still gets the answer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careerbot.errors import CareerbotError
from careerbot.schema import Answer
from careerbot.settings import Settings
from careerbot.stores.writer import BackgroundWriter

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

UNAVAILABLE = "feedback_store_unavailable"
WRITE_WAIT_S = 1.0  # longest an answer waits for its log write; a hung database server finishes later
MAX_PENDING = 200  # writes queued behind a hung one before new ones are dropped
RETRY_AFTER_S = 2.0  # after a failure, writes are skipped this long instead of each waiting on a dead store
VACUUM_AFTER_ROWS = 1000  # SQLite keeps deleted pages until VACUUM: 41 MB stayed after purging 10,000 rows
MAX_OCCUPATION_CHARS = 80
MAX_GAPS = 10_000  # distinct occupations kept; the least recently asked go first
CONNECT_TIMEOUT_S = 3


class FeedbackStoreError(CareerbotError):
    """The feedback database cannot be read (shown by the CLI; never raised while answering)."""


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


def _url_and_path(target: Path | str) -> tuple[str, Path | None]:
    """A SQLAlchemy URL, and the SQLite file when there is one."""
    if isinstance(target, Path):
        return f"sqlite:///{target}", target
    if target.startswith("sqlite:///") and len(target) > len("sqlite:///"):
        return target, Path(target[len("sqlite:///") :])
    return target, None


def normalise_occupation(occupation: str) -> str:
    """The occupation as counted: lower case, single spaces, at most MAX_OCCUPATION_CHARS."""
    return " ".join(occupation.lower().split())[:MAX_OCCUPATION_CHARS].strip()


class FeedbackStore:
    """Thumbs up/down, the optional conversation log and gap counts, kept for ``retention_days``."""

    def __init__(
        self,
        target: Path | str,
        retention_days: int,
        log_conversations: bool = False,
        max_rows: int = 100_000,
    ) -> None:
        self.url, self.path = _url_and_path(target)
        self.retention_days = retention_days
        self.log_conversations = log_conversations
        self.max_rows = max_rows
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._inode: tuple[int, int] | None = None
        self._problems: set[str] = set()  # sticky reason codes (corrupt, missing): an operator must look
        self._failing = False
        self._retry_at = 0.0
        self._writes = 0
        self._deleted_since_vacuum = 0
        self._writer = BackgroundWriter(WRITE_WAIT_S, MAX_PENDING)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The store the settings describe (database URL or data dir, retention, logging, row cap)."""
        return cls(
            settings.database_url or settings.feedback_db,
            settings.feedback_retention_days,
            settings.log_conversations,
            settings.feedback_max_rows,
        )

    @property
    def where(self) -> str:
        """Where the data lives, without any password (for messages)."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL: say nothing that could hold a secret
            return "the configured database"

    # -- health -----------------------------------------------------------------------------

    def health(self) -> tuple[str, ...]:
        """Reason codes of current problems (empty = healthy); checks that the SQLite file is still there."""
        # Never wait on a hung write: /healthz must answer.
        if self._lock.acquire(timeout=0.2):
            try:
                if self._engine is not None:
                    self._check_same_file()
            except Exception as exc:
                self._fail(exc)
            finally:
                self._lock.release()
        codes = set(self._problems)
        if self._failing or self._writer.stalled:
            codes.add(UNAVAILABLE)
        return tuple(sorted(codes))

    # -- opening ----------------------------------------------------------------------------

    def _open(self) -> Engine:
        """The engine, created (and the file checked) on first use or after a failure."""
        if self._engine is not None:
            self._check_same_file()
            return self._engine
        from sqlalchemy import create_engine, event

        from careerbot.stores import sqlite_file
        from careerbot.stores.tables import metadata

        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            found = sqlite_file.check_file(self.path)
            if found.problem:
                self._problems.add(found.problem)
            engine = create_engine(self.url, connect_args={"timeout": 10})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fewer fsyncs
                cursor.close()

        else:
            engine = create_engine(self.url, pool_pre_ping=True, connect_args=_connect_args(self.url))
        try:
            if self.path is None:
                _create_tables(engine, metadata)
            else:
                # one opener at a time per file: a new file's WAL switch and tables are made once
                with _opening_lock(self.path):
                    _create_tables(engine, metadata)
                    with engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    sqlite_file.write_marker(self.path)
                stat = self.path.stat()
                self._inode = (stat.st_dev, stat.st_ino)
        except Exception:
            engine.dispose()
            raise
        self._engine = engine
        return engine

    def _check_same_file(self) -> None:
        """A deleted or replaced SQLite file is noticed (pooled connections would write to the old inode)."""
        if self.path is None or self._inode is None:
            return
        try:
            stat = self.path.stat()
            same = (stat.st_dev, stat.st_ino) == self._inode
        except FileNotFoundError:
            same = False
        if not same:
            from careerbot.stores.sqlite_file import MISSING

            log.error(
                "the feedback database %s was deleted or replaced while in use; earlier feedback is lost "
                "unless restored from a backup. Starting a new database.",
                self.path.name,
            )
            self._problems.add(MISSING)
            self._reset()
            self._open()

    def _reset(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._inode = None

    def _fail(self, exc: BaseException) -> None:
        """Log a failed operation (no user text in the log) and back off for a moment."""
        if not self._failing:
            log.error("feedback store %s failed: %s: %s", self.where, type(exc).__name__, exc)
        self._failing = True
        self._retry_at = time.monotonic() + RETRY_AFTER_S
        self._reset()  # the next attempt re-opens and re-checks the file

    # -- writes made while answering: never raise, never wait long -------------------------

    def _in_background(self, job: Callable[[], Any]) -> Any:
        """Run a write on the store's own thread, waiting at most WRITE_WAIT_S (None if it did not end).

        A stopped database server (SIGSTOP, a network black hole) fires no client timeout; the thread
        keeps it from holding the request, and later writes are dropped until it finishes.
        """
        was_stalled = self._writer.stalled
        finished, result = self._writer.run(job)
        if not finished and self._writer.stalled and not was_stalled:
            log.error(
                "feedback store %s did not answer within %.1f s; skipping writes", self.where, WRITE_WAIT_S
            )
        return result if finished else None

    def _write(self, table: Any, values: dict[str, Any]) -> int | None:
        """Insert one row; None when the store failed (already logged)."""
        with self._lock:
            if self._failing and time.monotonic() < self._retry_at:
                return None
            try:
                engine = self._open()
                with engine.begin() as connection:
                    row_id = connection.execute(table.insert().values(**values)).inserted_primary_key
                    self._housekeeping(connection)
                self._failing = False
                self._maybe_vacuum(engine)
                return int(row_id[0]) if row_id else 0
            except Exception as exc:
                self._fail(exc)
                return None

    def add(self, question: str, answer: Answer, liked: bool) -> int | None:
        """Store one rating; its id, or None when it could not be stored (logged, never raised)."""
        from careerbot.stores.tables import feedback

        sources = [s.to_dict() for s in answer.sources if s.cited]
        values = {
            "created": time.time(),
            "question": question,
            "answer": answer.text,
            "status": answer.status,
            "sources": json.dumps(sources),
            "rating": 1 if liked else -1,
        }
        result: int | None = self._in_background(lambda: self._write(feedback, values))
        return result

    def log_exchange(self, question: str, answer: Answer) -> None:
        """Count a job asked about that has no profile (`careerbot gaps`), and store the question and
        answer when conversation logging is on; never raises."""
        if answer.reason == "unknown_occupation" and answer.occupation:
            self.record_gap(answer.occupation)
        if not self.log_conversations:
            return
        from careerbot.stores.tables import exchanges

        values = {
            "created": time.time(),
            "question": question,
            "answer": answer.text,
            "status": answer.status,
        }
        self._in_background(lambda: self._write(exchanges, values))

    def record_gap(self, occupation: str) -> None:
        """Count one question about an occupation without a profile (the occupation only); never raises."""
        name = normalise_occupation(occupation)
        if name:
            self._in_background(lambda: self._gap(name))

    def _gap(self, name: str) -> None:
        with self._lock:
            if self._failing and time.monotonic() < self._retry_at:
                return
            try:
                self._count_gap(self._open(), name)
                self._writes += 1
                if self._writes % 100 == 0:
                    self._cap_gaps(self._open())
                self._failing = False
            except Exception as exc:
                self._fail(exc)

    @staticmethod
    def _count_gap(engine: Engine, name: str) -> None:
        from sqlalchemy.exc import IntegrityError

        from careerbot.stores.tables import gaps

        now = time.time()
        bump = gaps.update().where(gaps.c.occupation == name).values(count=gaps.c.count + 1, last_seen=now)
        with engine.begin() as connection:
            if connection.execute(bump).rowcount:
                return
        try:
            with engine.begin() as connection:
                connection.execute(gaps.insert().values(occupation=name, count=1, last_seen=now))
        except IntegrityError:  # another replica inserted it first
            with engine.begin() as connection:
                connection.execute(bump)

    @staticmethod
    def _cap_gaps(engine: Engine) -> None:
        from sqlalchemy import delete, select

        from careerbot.stores.tables import gaps

        with engine.begin() as connection:
            cutoff = connection.execute(
                select(gaps.c.last_seen).order_by(gaps.c.last_seen.desc()).offset(MAX_GAPS).limit(1)
            ).scalar()
            if cutoff is not None:
                connection.execute(delete(gaps).where(gaps.c.last_seen <= cutoff))

    def _housekeeping(self, connection: Connection) -> None:
        """Retention on every write; the row cap every few writes (a COUNT is not free at 100k rows)."""
        from sqlalchemy import delete, select

        from careerbot.stores.tables import CAPPED

        cutoff = time.time() - self.retention_days * 86400
        removed = 0
        for table in CAPPED:
            removed += int(connection.execute(delete(table).where(table.c.created < cutoff)).rowcount or 0)
        self._writes += 1
        if self._writes % max(1, min(100, self.max_rows // 10)) == 0:
            for table in CAPPED:
                newest_dropped = connection.execute(
                    select(table.c.id).order_by(table.c.id.desc()).offset(self.max_rows).limit(1)
                ).scalar()
                if newest_dropped is not None:
                    removed += int(
                        connection.execute(delete(table).where(table.c.id <= newest_dropped)).rowcount or 0
                    )
        self._deleted_since_vacuum += removed

    def _maybe_vacuum(self, engine: Engine, force: bool = False) -> None:
        """Give deleted pages back to the file system (SQLite only; PostgreSQL autovacuums)."""
        if self.path is None or not (force or self._deleted_since_vacuum >= VACUUM_AFTER_ROWS):
            return
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._deleted_since_vacuum = 0

    # -- reads and maintenance (CLI): a clear error instead of a silent empty answer ---------

    def _read(self, action: str, work: Any) -> Any:
        with self._lock:
            try:
                return work(self._open())
            except Exception as exc:
                self._fail(exc)
                raise FeedbackStoreError(
                    f"the feedback database at {self.where} failed while {action} ({type(exc).__name__}); "
                    "check CAREERBOT_DATABASE_URL or the data dir, then try again"
                ) from exc

    def _exists(self) -> bool:
        """False for a SQLite file that was never created (reading must not create it)."""
        return self.path is None or self.path.exists()

    def exchange_count(self) -> int:
        """How many logged exchanges are stored."""
        if not self._exists():
            return 0
        from sqlalchemy import func, select

        from careerbot.stores.tables import exchanges

        def work(engine: Engine) -> int:
            with engine.connect() as connection:
                return int(connection.execute(select(func.count()).select_from(exchanges)).scalar() or 0)

        return int(self._read("counting exchanges", work))

    def rows(self) -> list[FeedbackRow]:
        """All stored feedback, oldest first."""
        if not self._exists():
            return []
        from sqlalchemy import select

        from careerbot.stores.tables import feedback as table

        def work(engine: Engine) -> list[FeedbackRow]:
            with engine.connect() as connection:
                found = connection.execute(select(table).order_by(table.c.id)).all()
            return [
                FeedbackRow(r.id, r.created, r.question, r.answer, r.status, json.loads(r.sources), r.rating)
                for r in found
            ]

        result: list[FeedbackRow] = self._read("reading feedback", work)
        return result

    def gaps(self) -> list[tuple[str, int]]:
        """Occupations asked about without a profile, with counts, most asked first."""
        if not self._exists():
            return []
        from sqlalchemy import select

        from careerbot.stores.tables import gaps

        def work(engine: Engine) -> list[tuple[str, int]]:
            with engine.connect() as connection:
                found = connection.execute(
                    select(gaps.c.occupation, gaps.c.count).order_by(gaps.c.count.desc(), gaps.c.occupation)
                ).all()
            return [(str(r[0]), int(r[1])) for r in found]

        result: list[tuple[str, int]] = self._read("reading gaps", work)
        return result

    def purge(self, everything: bool = False) -> int:
        """Delete rows older than the retention limit (or all of them), then compact; returns how many."""
        if not self._exists():
            return 0
        from sqlalchemy import delete

        from careerbot.stores.tables import CAPPED

        cutoff = time.time() + 1 if everything else time.time() - self.retention_days * 86400

        def work(engine: Engine) -> int:
            with engine.begin() as connection:
                removed = sum(
                    int(connection.execute(delete(t).where(t.c.created < cutoff)).rowcount or 0)
                    for t in CAPPED
                )
            self._maybe_vacuum(engine, force=True)
            return removed

        return int(self._read("purging", work))

    def size_bytes(self) -> int | None:
        """Size of the SQLite file (None for a server database)."""
        if self.path is None or not self.path.exists():
            return None
        return sum(
            p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal")) if p.exists()
        )

    def close(self) -> None:
        """Release pooled connections."""
        with self._lock:
            self._reset()


@contextmanager
def _opening_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `<file>.lock` (processes and threads alike) while a store opens the file."""
    import fcntl

    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _create_tables(engine: Engine, metadata: Any) -> None:
    """Create the missing tables. Another process (a replica, the CLI) creating them at the same moment
    is not an error: create_all checks, then creates, so the loser of that race sees "already exists"
    (SQLite) or a duplicate pg_type key (PostgreSQL); checking again then finds the tables."""
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            return
        except Exception as exc:
            text = str(exc).lower()
            if attempt == 2 or ("already exists" not in text and "duplicate key" not in text):
                raise


def _connect_args(url: str) -> dict[str, Any]:
    """A bounded connect time for server databases, so a dead one fails fast."""
    return {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
