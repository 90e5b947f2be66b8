"""The persistent build cache (.cache/build.sqlite beside the site): parsed events, cards, page records.

Everything in it is keyed by hashes of what produced it, so a stale entry is never used. It records
the cache format and a fingerprint of the generator's code and Markdown configuration; a cache that
is corrupted, from another version or not ours is ignored (and rebuilt), never trusted. Rows are
written incrementally, so saving after a one-event edit writes a handful of rows. The texts that a cold
build's workers spilled stay in their files, linked into the cache folder, until most of a file is out
of date. Unpickling is restricted to the generator's own model classes, so a planted cache file cannot
run code.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator.model.errors import Problem
from generator.engine.text_files import _compact_text_files, _keep_text_files
from generator.output.joined import Layout
from generator.output.staging import PageRecord
from generator.engine.stored import FIELDS, SpilledTexts, StoredEvent, TextStore, pack, texts_of, unpack
from generator.model.types import Event

CACHE_DIR = ".cache"
CACHE_FILE = "build.sqlite"
FORMAT = "12"
SAVED, SAVED_AFRESH, NOT_SAVED = 0, 1, 2  # what save_parsed() did: wrote, wrote into an emptied database, failed
SHARDS = 64  # events are stored in shards: few rows to unpickle, few bytes to rewrite after an edit

_ALLOWED = {
    ("generator.model.types", name) for name in ("Source", "Correction", "Part")
} | {("generator.model.dates", "PartialDate"), ("generator.model.dates", "partial_date"), ("generator.model.errors", "Problem")}

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


Stat = tuple[int, int, int]  # a file's size, modification time (ns) and inode


@dataclass
class CachedEvent:
    file_hash: str
    config_key: str
    event: Event
    warnings: list[Problem]
    stat: Stat | None = None  # the file as it was read; None when its time was too recent to trust


RECENT_NS = 2_000_000_000  # a file modified this recently may change again within its timestamp's tick


def trusted_stat(stat: os.stat_result, started_ns: int) -> Stat | None:
    """A file's stat to recognise it by later, unless it was modified so close to the build's start that
    a later edit in the same clock tick could keep the same time (then the file is hashed next time)."""
    if stat.st_mtime_ns >= started_ns - RECENT_NS:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


@dataclass
class Saved:
    """What the cache's database holds, as last read or written: saving writes only what differs from it."""

    events: dict[str, CachedEvent] = field(default_factory=dict)
    cards: set[str] = field(default_factory=set)
    charts: set[str] = field(default_factory=set)
    pages: dict[str, PageRecord] = field(default_factory=dict)
    output: str = ""

    @classmethod
    def of(cls, cache: BuildCache) -> Saved:
        return cls(dict(cache.events), set(cache.cards), set(cache.charts), dict(cache.pages), cache.output)


@dataclass
class BuildCache:
    """The cache in memory; load() and save() keep it in step with the database, row by row."""

    events: dict[str, CachedEvent] = field(default_factory=dict)  # content path -> parsed event
    cards: dict[str, str] = field(default_factory=dict)  # card key -> card HTML
    pages: dict[str, PageRecord] = field(default_factory=dict)  # output path -> record
    charts: dict[str, str] = field(default_factory=dict)  # the SVG of each chart lane, by its key (chart.py)
    output: str = ""  # the output folder the page records describe
    _saved: Saved = field(default_factory=Saved, repr=False)  # what the database holds
    summary: dict[str, str] = field(default_factory=dict)  # inputs signature and result of the last build
    path: Path | None = None  # the database, for what is read only when needed (layouts)
    _layouts: dict[str, Layout | None] = field(default_factory=dict, repr=False)  # read or made
    _new_layouts: set[str] = field(default_factory=set, repr=False)
    _emptied: bool = field(default=False, repr=False)  # whether the last _open() emptied the database

    @staticmethod
    def last_build(site_dir: Path, fingerprint: str) -> tuple[dict[str, str], dict[str, PageRecord]] | None:
        """The last build's summary and page records, read without loading the rest; None if unusable."""
        path = site_dir / CACHE_DIR / CACHE_FILE
        if not path.is_file():
            return None
        try:
            with sqlite3.connect(path) as db:
                meta = dict(db.execute("SELECT name, value FROM meta"))
                if meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
                    return None
                pages = {rel: PageRecord(key, size, mtime) for rel, key, size, mtime
                         in db.execute("SELECT rel, key, size, mtime_ns FROM pages")}
        except Exception:
            return None
        return meta, pages

    @classmethod
    def load(cls, site_dir: Path, fingerprint: str, pages: dict[str, PageRecord] | None = None) -> BuildCache:
        """The cache of a site, or an empty one if it is missing, corrupted or not ours."""
        path = site_dir / CACHE_DIR / CACHE_FILE
        if not path.is_file():
            return cls()
        collecting = gc.isenabled()
        gc.disable()  # the objects unpickled here all live on: collecting while they pile up finds nothing
        try:
            with sqlite3.connect(path) as db:
                meta = dict(db.execute("SELECT name, value FROM meta"))
                if meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
                    return cls()
                cache = cls(output=meta.get("output", ""))
                store = TextStore(path, site_dir)
                for (data,) in db.execute("SELECT data FROM events"):
                    for rel, file_hash, config_key, fields, warnings, stat in _loads(data):
                        if not isinstance(fields, tuple) or len(fields) != len(FIELDS) or \
                                not isinstance(warnings, list):
                            return cls()
                        cache.events[rel] = CachedEvent(file_hash, config_key, unpack(fields, store), warnings,
                                                        tuple(stat) if stat else None)
                for (data,) in db.execute("SELECT data FROM cards"):
                    cache.cards.update(_loads(data))
                cache.charts = dict(db.execute("SELECT key, svg FROM charts"))
                cache.pages = pages if pages is not None else {  # pages: as last_build() just read them
                    rel: PageRecord(key, size, mtime) for rel, key, size, mtime
                    in db.execute("SELECT rel, key, size, mtime_ns FROM pages")}
        except Exception:  # any damage at all means: start afresh
            return cls()
        finally:
            if collecting:
                gc.enable()
        cache.path = path
        cache._saved = Saved.of(cache)
        return cache

    def layout(self, rel: str) -> Layout | None:
        """Where each event's part lies in the joined file rel as the last build wrote it, if known."""
        if rel not in self._layouts:
            self._layouts[rel] = None
            if self.path is not None:
                try:
                    with sqlite3.connect(self.path) as db:
                        row = db.execute("SELECT key, size, keys, starts, lengths FROM layouts WHERE rel = ?",
                                         (rel,)).fetchone()
                    self._layouts[rel] = Layout.unpack(*row) if row else None
                except (sqlite3.Error, ValueError, TypeError):
                    pass
        return self._layouts[rel]

    def set_layout(self, rel: str, layout: Layout) -> None:
        self._layouts[rel] = layout
        self._new_layouts.add(rel)

    def save(self, site_dir: Path, fingerprint: str) -> None:
        """Write what changed since load() or the last save(); a failure to write is only a warning."""
        self._saving(site_dir, fingerprint, self._save)

    def save_parsed(self, site_dir: Path, fingerprint: str) -> int:
        """Write the events and their texts that changed, as save() would (most of the work of saving after a
        first build), ahead of it: in a child process while the parent plans and renders. (Not the cards: the
        child's reading them would copy their 15 MB into its memory, and pickling them is quick.) Whether
        they were written (SAVED, SAVED_AFRESH if the database was emptied first, or NOT_SAVED): if so, the
        parent calls parsed_saved() before save()."""
        self._emptied = False
        if not self._saving(site_dir, fingerprint, self._save_parsed):
            return NOT_SAVED
        return SAVED_AFRESH if self._emptied else SAVED

    def unsaved_events(self) -> int:
        """How many events were added or changed since the last save (or load)."""
        return len(self._changed_events())

    def _changed_events(self) -> list[str]:
        return [rel for rel, entry in self.events.items() if self._saved.events.get(rel) is not entry]

    def _forget_saved(self) -> None:
        """The database was emptied: nothing is saved in it any more."""
        self._saved = Saved()
        self._new_layouts = set(self._layouts)
        self._emptied = True

    def parsed_saved(self, events: dict[str, CachedEvent], outcome: int) -> None:
        """save_parsed() wrote these events (as they were when it started), with this outcome: save() skips
        them."""
        if outcome == SAVED_AFRESH:  # what else the database held is gone too
            self._forget_saved()
        if outcome in (SAVED, SAVED_AFRESH):
            self._saved.events = events

    def _saving(self, site_dir: Path, fingerprint: str, write: Callable[[Path, str], None]) -> bool:
        folder = site_dir / CACHE_DIR
        path = folder / CACHE_FILE
        try:
            folder.mkdir(exist_ok=True)
            try:
                write(path, fingerprint)
            except sqlite3.OperationalError:  # locked, read-only, disk full...: leave the file alone
                raise
            except sqlite3.DatabaseError:  # not a database, or a damaged one: start the file afresh
                for damaged in (path, path.with_name(path.name + "-journal")):
                    damaged.unlink(missing_ok=True)
                self._forget_saved()
                write(path, fingerprint)
        except (OSError, sqlite3.Error, UnicodeError) as error:
            print(f"warning: could not write the build cache: {error}", file=sys.stderr)
            return False
        return True

    def _open(self, db: sqlite3.Connection, fingerprint: str) -> dict[str, str]:
        """Make the database ours, emptied if it is of another format or fingerprint; its meta table."""
        # No waiting for the disk: a crash of this process still leaves the database whole (SQLite's
        # journal), and a power cut that damages it only means the next build starts it afresh.
        db.execute("PRAGMA synchronous=OFF")
        db.executescript("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);")
        meta = dict(db.execute("SELECT name, value FROM meta"))
        if meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
            db.executescript("".join(f"DROP TABLE IF EXISTS {table}; " for table in _TABLES) + "DELETE FROM meta;")
            self._forget_saved()
            meta = {}
        db.executescript(_SCHEMA)
        if not meta:
            db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("fingerprint", fingerprint)])
        return meta

    def _save_parsed(self, path: Path, fingerprint: str) -> None:
        with sqlite3.connect(path) as db:
            self._open(db, fingerprint)
            self._write_parsed(db, path.parent, cards=False)

    def _write_parsed(self, db: sqlite3.Connection, folder: Path, cards: bool = True) -> None:
        """The events, texts and (unless not asked for) cards added or changed since they were last saved."""
        changed = self._changed_events()
        # the texts of events parsed since (a stored event's are in the database, unless it is new)
        texts = [event for event in (self.events[rel].event for rel in changed)
                 if not self._saved.events or not isinstance(event, StoredEvent)
                 or isinstance(event.__dict__["_store"], SpilledTexts)]
        files, in_files, texts = _keep_text_files(folder, texts)
        db.executemany("INSERT INTO text_files VALUES (?, ?, ?, ?)", files)
        db.executemany("INSERT OR REPLACE INTO texts VALUES (?, NULL, NULL, NULL, ?, ?, ?, ?, ?)", in_files)
        db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL)",
                       ((key, *texts) for key, texts in texts_of(texts)))
        dirty = {_shard(rel) for rel in [*changed, *(self._saved.events.keys() - self.events.keys())]}
        shards: dict[int, list[tuple[Any, ...]]] = {shard: [] for shard in dirty}
        for rel, e in self.events.items():
            shard = _shard(rel)
            if shard in shards:
                shards[shard].append((rel, e.file_hash, e.config_key, pack(e.event), e.warnings, e.stat))
        db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?)",  # one shard pickled at a time
                       ((shard, pickle.dumps(rows, protocol=5)) for shard, rows in sorted(shards.items())))
        self._saved.events = dict(self.events)
        if cards:
            self._write_cards(db)

    def _write_cards(self, db: sqlite3.Connection) -> None:
        card_shards: dict[int, dict[str, str]] = {
            _card_shard(key): {} for key in self.cards.keys() ^ self._saved.cards}  # added or removed
        if card_shards:
            for key, html in self.cards.items():
                if (shard := _card_shard(key)) in card_shards:
                    card_shards[shard][key] = html
        db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?)",
                       ((shard, pickle.dumps(cards, protocol=5)) for shard, cards in sorted(card_shards.items())))
        self._saved.cards = set(self.cards)

    def _save(self, path: Path, fingerprint: str) -> None:
        with sqlite3.connect(path) as db:
            meta = self._open(db, fingerprint)
            if self.output != self._saved.output or "output" not in meta:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('output', ?)", (self.output,))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(self.summary.items()))
            if not self.summary:
                db.execute("DELETE FROM meta WHERE name IN ('inputs', 'result')")
            self._write_parsed(db, path.parent)
            db.executemany("INSERT OR REPLACE INTO charts VALUES (?, ?)",
                           [(key, svg) for key, svg in self.charts.items() if key not in self._saved.charts])
            db.executemany("DELETE FROM charts WHERE key = ?",
                           [(key,) for key in self._saved.charts if key not in self.charts])
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                           [(rel, r.key, r.size, r.mtime_ns) for rel, r in self.pages.items()
                            if self._saved.pages.get(rel) is not r and self._saved.pages.get(rel) != r])
            db.executemany("DELETE FROM pages WHERE rel = ?",
                           [(rel,) for rel in self._saved.pages if rel not in self.pages])
            db.executemany("INSERT OR REPLACE INTO layouts VALUES (?, ?, ?, ?, ?, ?)",
                           [(rel, *layout.pack()) for rel in sorted(self._new_layouts)
                            if (layout := self._layouts[rel]) is not None])
            live = {e.event.fingerprint for e in self.events.values()}
            _forget(db, "texts", "fingerprint", live)
            unused = _compact_text_files(db, path.parent, live)
        for name in unused:  # once the database no longer names them
            (path.parent / name).unlink(missing_ok=True)
        self._saved.charts = set(self.charts)
        self._saved.pages = dict(self.pages)
        self._saved.output = self.output
        self._new_layouts = set()
        self.path = path


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


def _forget(db: sqlite3.Connection, table: str, column: str, live: set[str]) -> None:
    """Delete the rows no event uses now, once there are enough of them to be worth a pass over the table."""
    if db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > len(live) * 1.1 + 64:
        db.execute("CREATE TEMP TABLE live (key TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO live VALUES (?)", [(key,) for key in live])
        db.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT key FROM live)")
        db.execute("DROP TABLE live")


def _card_shard(key: str) -> int:
    """A card's shard, from the end of its key (an event's fingerprint, in hexadecimal)."""
    try:
        return int(key[-2:], 16) % SHARDS
    except ValueError:
        return _shard(key)


def _shard(rel: str) -> int:
    return int(hashlib.blake2b(rel.encode(), digest_size=2).hexdigest(), 16) % SHARDS


def _loads(data: bytes) -> Any:
    return _RestrictedUnpickler(io.BytesIO(data)).load()


# The libraries whose code shapes the output (Markdown, templates, escaping, sanitising, dates, YAML), by the
# module to find them by and the name of their distribution.
