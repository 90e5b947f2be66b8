"""The build cache's database (.cache/build.sqlite beside the site): its tables, making a file ours (emptied
when it is of another format or fingerprint), and the rows of the last build's summary, chart lanes, page
records and joined-file layouts. The parsed events and cards are kept in shards (event_shards.py), the
summaries' texts in files beside it (text_files.py); cache.py joins the three.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Callable

from generator.output.joined import Layout
from generator.output.staging import PageRecord

CACHE_DIR = ".cache"
CACHE_FILE = "build.sqlite"
FORMAT = "12"

_TABLES = ("events", "texts", "text_files", "cards", "pages", "charts", "layouts",
           "fragments")  # fragments: format 8
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (shard INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS texts (fingerprint TEXT PRIMARY KEY, html TEXT, excerpt TEXT, body TEXT,
                                  file TEXT, offset INTEGER, html_len INTEGER, excerpt_len INTEGER,
                                  body_len INTEGER);
CREATE TABLE IF NOT EXISTS text_files (name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                                       inode INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cards (shard INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (rel TEXT PRIMARY KEY, key TEXT NOT NULL, size INTEGER NOT NULL,
                                  mtime_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS charts (key TEXT PRIMARY KEY, svg TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS layouts (rel TEXT PRIMARY KEY, key TEXT NOT NULL, size INTEGER NOT NULL,
                                    keys BLOB NOT NULL, starts BLOB NOT NULL, lengths BLOB NOT NULL);
"""


def database_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / CACHE_FILE


def read_meta(db: sqlite3.Connection, fingerprint: str) -> dict[str, str] | None:
    """The meta table (format, fingerprint, output folder, last build's summary), or None if it is not ours."""
    meta = dict(db.execute("SELECT name, value FROM meta"))
    if meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
        return None
    return meta


def read_pages(db: sqlite3.Connection) -> dict[str, PageRecord]:
    return {rel: PageRecord(key, size, mtime) for rel, key, size, mtime
            in db.execute("SELECT rel, key, size, mtime_ns FROM pages")}


def last_build(site_dir: Path, fingerprint: str) -> tuple[dict[str, str], dict[str, PageRecord]] | None:
    """The last build's summary and page records, read without loading the rest; None if unusable."""
    path = database_path(site_dir)
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(path) as db:
            meta = read_meta(db, fingerprint)
            if meta is None:
                return None
            pages = read_pages(db)
    except Exception:
        return None
    return meta, pages


def read_layout(path: Path, rel: str) -> Layout | None:
    """Where each event's part lies in the joined file rel as the last build wrote it, if recorded."""
    try:
        with sqlite3.connect(path) as db:
            row = db.execute("SELECT key, size, keys, starts, lengths FROM layouts WHERE rel = ?", (rel,)).fetchone()
        return Layout.unpack(*row) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None


def open_ours(db: sqlite3.Connection, fingerprint: str) -> tuple[dict[str, str], bool]:
    """Make the database ours, emptied if it is of another format or fingerprint: its meta table, and whether
    it was emptied."""
    # No waiting for the disk: a crash of this process still leaves the database whole (SQLite's
    # journal), and a power cut that damages it only means the next build starts it afresh.
    db.execute("PRAGMA synchronous=OFF")
    db.executescript("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);")
    meta = read_meta(db, fingerprint)
    emptied = meta is None
    if meta is None:
        db.executescript("".join(f"DROP TABLE IF EXISTS {table}; " for table in _TABLES) + "DELETE FROM meta;")
        meta = {}
    db.executescript(_SCHEMA)
    if not meta:
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("fingerprint", fingerprint)])
    return meta, emptied


def writing(site_dir: Path, write: Callable[[Path], None], emptied: Callable[[], None]) -> bool:
    """Run write(path of the database); a file that is not a database, or a damaged one, is deleted (then
    emptied() is told) and written afresh. Whether it was written: a failure is only a warning."""
    folder = site_dir / CACHE_DIR
    path = folder / CACHE_FILE
    try:
        folder.mkdir(exist_ok=True)
        try:
            write(path)
        except sqlite3.OperationalError:  # locked, read-only, disk full...: leave the file alone
            raise
        except sqlite3.DatabaseError:  # not a database, or a damaged one: start the file afresh
            for damaged in (path, path.with_name(path.name + "-journal")):
                damaged.unlink(missing_ok=True)
            emptied()
            write(path)
    except (OSError, sqlite3.Error, UnicodeError) as error:
        print(f"warning: could not write the build cache: {error}", file=sys.stderr)
        return False
    return True


def write_meta(db: sqlite3.Connection, meta: dict[str, str], output: str, output_saved: bool,
               summary: dict[str, str]) -> None:
    """The output folder (unless the database holds it already) and the last build's summary (or none)."""
    if not output_saved or "output" not in meta:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('output', ?)", (output,))
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(summary.items()))
    if not summary:
        db.execute("DELETE FROM meta WHERE name IN ('inputs', 'result')")


def write_charts(db: sqlite3.Connection, charts: dict[str, str], saved: set[str]) -> None:
    """The chart lanes added since the saved ones; those gone deleted."""
    db.executemany("INSERT OR REPLACE INTO charts VALUES (?, ?)",
                   [(key, svg) for key, svg in charts.items() if key not in saved])
    db.executemany("DELETE FROM charts WHERE key = ?", [(key,) for key in saved if key not in charts])


def write_pages(db: sqlite3.Connection, pages: dict[str, PageRecord], saved: dict[str, PageRecord]) -> None:
    """The page records that differ from the saved ones; those gone deleted."""
    db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                   [(rel, r.key, r.size, r.mtime_ns) for rel, r in pages.items()
                    if saved.get(rel) is not r and saved.get(rel) != r])
    db.executemany("DELETE FROM pages WHERE rel = ?", [(rel,) for rel in saved if rel not in pages])


def write_layouts(db: sqlite3.Connection, layouts: list[tuple[str, Layout]]) -> None:
    db.executemany("INSERT OR REPLACE INTO layouts VALUES (?, ?, ?, ?, ?, ?)",
                   [(rel, *layout.pack()) for rel, layout in layouts])


def forget(db: sqlite3.Connection, table: str, column: str, live: set[str]) -> None:
    """Delete the rows no event uses now, once there are enough of them to be worth a pass over the table."""
    if db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > len(live) * 1.1 + 64:
        db.execute("CREATE TEMP TABLE live (key TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO live VALUES (?)", [(key,) for key in live])
        db.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT key FROM live)")
        db.execute("DROP TABLE live")
