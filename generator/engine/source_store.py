"""What `archive` and `check --sources` learned from the network, kept in .cache/sources.sqlite beside the site.

Each answer is written the moment it arrives (sqlite in autocommit), so an interrupted run loses nothing and
the next one carries on: snapshots found or saved are kept for good (an archived copy does not go away), the
Save Page Now jobs under way so that a resumed run waits for the same capture instead of asking again, and the
answers of the source check with their time, which it trusts for a day. None of this is read by `build` or
`check` without --sources: the site is built from content/ and site.yaml alone. A store that cannot be opened or
is damaged is replaced by an empty one: everything in it can be asked again.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from generator.engine.cache_database import CACHE_DIR

STORE_FILE = "sources.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (url TEXT NOT NULL, target TEXT NOT NULL, archive_url TEXT,
                                      archived TEXT, at REAL NOT NULL, PRIMARY KEY (url, target));
CREATE TABLE IF NOT EXISTS saves (url TEXT PRIMARY KEY, job TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS checks (url TEXT PRIMARY KEY, dead INTEGER NOT NULL, reason TEXT NOT NULL,
                                   at REAL NOT NULL);
"""


@dataclass(frozen=True)
class Snapshot:
    """An archived copy (archive_url and its date YYYY-MM-DD), or none found (both None)."""

    archive_url: str | None
    archived: str | None
    at: float = 0.0


@dataclass(frozen=True)
class CheckResult:
    dead: bool
    reason: str  # "200 OK", "404 Not Found", "timed out after 20 s", "redirected to the home page …"
    at: float = 0.0


class SourceStore:
    """The store of one site (None as the folder: kept in memory only)."""

    def __init__(self, site_dir: Path | None) -> None:
        self.path = None if site_dir is None else site_dir / CACHE_DIR / STORE_FILE
        self.lock = threading.Lock()  # the source check's threads share the connection
        self.db = self._open()

    def _row(self, sql: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        with self.lock:
            row: tuple[object, ...] | None = self.db.execute(sql, args).fetchone()
            return row

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self.lock:
            self.db.execute(sql, args)

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._ready(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._ready(sqlite3.connect(self.path, isolation_level=None, check_same_thread=False))
        except sqlite3.DatabaseError:  # damaged or not ours: start again
            os.replace(self.path, self.path.with_suffix(".damaged"))
            return self._ready(sqlite3.connect(self.path, isolation_level=None, check_same_thread=False))

    @staticmethod
    def _ready(db: sqlite3.Connection) -> sqlite3.Connection:
        db.executescript(_SCHEMA)
        db.execute("SELECT count(*) FROM snapshots, saves, checks WHERE 0").fetchall()
        return db

    def close(self) -> None:
        self.db.close()

    def snapshot(self, url: str, target: str, none_for: float) -> Snapshot | None:
        """The snapshot recorded for url near target; a 'none found' only while younger than none_for seconds."""
        row = self._row("SELECT archive_url, archived, at FROM snapshots WHERE url = ? AND target = ?", (url, target))
        if row is None or (row[0] is None and time.time() - float(row[2]) > none_for):  # type: ignore[arg-type]
            return None
        return Snapshot(_text(row[0]), _text(row[1]), float(row[2]))  # type: ignore[arg-type]

    def put_snapshot(self, url: str, target: str, snapshot: Snapshot) -> None:
        self._write("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?)",
                        (url, target, snapshot.archive_url, snapshot.archived, time.time()))

    def job(self, url: str) -> str | None:
        row = self._row("SELECT job FROM saves WHERE url = ?", (url,))
        return None if row is None else str(row[0])

    def put_job(self, url: str, job: str | None) -> None:
        if job is None:
            self._write("DELETE FROM saves WHERE url = ?", (url,))
        else:
            self._write("INSERT OR REPLACE INTO saves VALUES (?, ?, ?)", (url, job, time.time()))

    def check(self, url: str, max_age: float) -> CheckResult | None:
        row = self._row("SELECT dead, reason, at FROM checks WHERE url = ?", (url,))
        if row is None or time.time() - float(row[2]) > max_age:  # type: ignore[arg-type]
            return None
        return CheckResult(bool(row[0]), str(row[1]), float(row[2]))  # type: ignore[arg-type]

    def put_check(self, url: str, result: CheckResult) -> None:
        self._write("INSERT OR REPLACE INTO checks VALUES (?, ?, ?, ?)",
                        (url, int(result.dead), result.reason, time.time()))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
