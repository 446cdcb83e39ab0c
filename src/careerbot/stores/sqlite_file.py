"""Checks on the SQLite file before it is opened: integrity, a damaged file moved aside, a vanished file."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CORRUPT = "feedback_store_corrupt"
MISSING = "feedback_store_missing"


@dataclass(frozen=True)
class FileCheck:
    """What the start-up check found; ``problem`` is a reason code or None."""

    problem: str | None = None
    moved_to: Path | None = None


def marker_path(path: Path) -> Path:
    """A small file beside the database that says a database was created here before."""
    return path.with_name(path.name + ".created")


def _integrity(path: Path) -> str:
    """'ok', or what SQLite reports about the file."""
    try:
        connection = sqlite3.connect(path, timeout=10)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed", ...
        return str(exc)
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL) to ``<name>.corrupt-<time>``; returns the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def check_file(path: Path) -> FileCheck:
    """Run before opening: a damaged file is moved aside, a vanished or emptied one is reported."""
    marker = marker_path(path)
    empty = not path.exists() or path.stat().st_size == 0
    if empty:
        if marker.exists():
            log.error(
                "the feedback database %s is gone or empty although one was created before (%s); "
                "earlier feedback is lost unless restored from a backup. Starting a new database.",
                path.name,
                marker.read_text(encoding="utf-8").strip(),
            )
            return FileCheck(MISSING)
        return FileCheck()
    verdict = _integrity(path)
    if verdict == "ok":
        return FileCheck()
    moved = move_aside(path)
    log.error(
        "the feedback database %s failed its integrity check (%s); moved it to %s and started a new one",
        path.name,
        verdict,
        moved.name,
    )
    return FileCheck(CORRUPT, moved)


def write_marker(path: Path) -> None:
    """Record that a database exists here, so that its disappearance is noticed later."""
    marker = marker_path(path)
    if not marker.exists():
        marker.write_text(time.strftime("created %Y-%m-%dT%H:%M:%SZ\n", time.gmtime()), encoding="utf-8")
