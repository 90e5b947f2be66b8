"""The persistent build cache (.cache/build.sqlite beside the site): parsed events, cards, page records.

Everything in it is keyed by hashes of what produced it, so a stale entry is never used. It records
the cache format and a fingerprint of the generator's code and Markdown configuration; a cache that
is corrupted, from another version or not ours is ignored (and rebuilt), never trusted. Rows are
written incrementally, so saving after a one-event edit writes a handful of rows. BuildCache holds the
cache in memory and keeps it in step with three stores: the database's own rows (cache_database.py), the
events and cards in shards (event_shards.py) and the summaries' texts that a cold build's workers spilled,
kept in their files until most of a file is out of date (text_files.py).
"""

from __future__ import annotations

import gc
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.engine import cache_database as database
from generator.engine import event_shards as shards
from generator.engine.event_shards import CachedEvent
from generator.engine import text_files
from generator.engine.stored import SpilledTexts, StoredEvent, TextStore
from generator.output.joined import Layout
from generator.output.staging import PageRecord

SAVED, SAVED_AFRESH, NOT_SAVED = 0, 1, 2  # what save_parsed() did: wrote, wrote into an emptied database, failed


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
        return database.last_build(site_dir, fingerprint)

    @classmethod
    def load(cls, site_dir: Path, fingerprint: str, pages: dict[str, PageRecord] | None = None) -> BuildCache:
        """The cache of a site, or an empty one if it is missing, corrupted or not ours."""
        path = database.database_path(site_dir)
        if not path.is_file():
            return cls()
        collecting = gc.isenabled()
        gc.disable()  # the objects unpickled here all live on: collecting while they pile up finds nothing
        try:
            with sqlite3.connect(path) as db:
                meta = database.read_meta(db, fingerprint)
                if meta is None:
                    return cls()
                events = shards.read_events(db, TextStore(path, site_dir))
                if events is None:
                    return cls()
                cache = cls(events=events, cards=shards.read_cards(db),
                            charts=dict(db.execute("SELECT key, svg FROM charts")),
                            pages=pages if pages is not None else database.read_pages(db),  # as last_build() read
                            output=meta.get("output", ""))
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
            self._layouts[rel] = database.read_layout(self.path, rel) if self.path is not None else None
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
        return database.writing(site_dir, lambda path: write(path, fingerprint), self._forget_saved)

    def _open(self, db: sqlite3.Connection, fingerprint: str) -> dict[str, str]:
        """Make the database ours, emptied if it is of another format or fingerprint; its meta table."""
        meta, emptied = database.open_ours(db, fingerprint)
        if emptied:
            self._forget_saved()
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
        text_files.write_texts(db, folder, texts)
        shards.write_events(db, self.events, [*changed, *(self._saved.events.keys() - self.events.keys())])
        self._saved.events = dict(self.events)
        if cards:
            shards.write_cards(db, self.cards, self._saved.cards)
            self._saved.cards = set(self.cards)

    def _save(self, path: Path, fingerprint: str) -> None:
        with sqlite3.connect(path) as db:
            meta = self._open(db, fingerprint)
            database.write_meta(db, meta, self.output, self.output == self._saved.output, self.summary)
            self._write_parsed(db, path.parent)
            database.write_charts(db, self.charts, self._saved.charts)
            database.write_pages(db, self.pages, self._saved.pages)
            database.write_layouts(db, [(rel, layout) for rel in sorted(self._new_layouts)
                                        if (layout := self._layouts[rel]) is not None])
            live = {e.event.fingerprint for e in self.events.values()}
            database.forget(db, "texts", "fingerprint", live)
            unused = text_files.compact_text_files(db, path.parent, live)
        for name in unused:  # once the database no longer names them
            (path.parent / name).unlink(missing_ok=True)
        self._saved.charts = set(self.charts)
        self._saved.pages = dict(self.pages)
        self._saved.output = self.output
        self._new_layouts = set()
        self.path = path
