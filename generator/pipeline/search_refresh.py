"""The preview's search index, refreshed in a thread of its own after each rebuild (the browsers are reloaded
first, and never wait for it): the builder leaves the index alone and says what it should cover (its key, and
each page with its key); this thread indexes the pages as they are in the preview folder then, and swaps the new
files in. A rebuild that starts meanwhile stops it (it would index pages about to change), and asks again after.

An edit does not index the whole site again. The first indexing covers every page (the full index, output/
pagefind/); after it, only the pages that changed since are indexed, into a small index of their own (the
delta, output/pagefind-delta/), described by manifest() (the full index's pages it replaces, by the ids results
carry, and the languages it has). The preview's search page asks the server for it (window.generatorPreview,
which only `serve` adds), searches both, leaves the replaced pages out of the full index's results and merges the
rest (templates/static/search.js); it searches again when told that a new index is in place. Each delta covers
every page changed since the full index, so it replaces the one before; once it would cover more than a tenth of
the pages, the whole site is indexed again and the delta goes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable, Iterable

from generator.publish.search import BUNDLE, SearchError, build_index
from generator.publish.search_bundle import BundleFormatError, page_ids

DELTA = "pagefind-delta"  # the delta's folder in the preview's output
DELTA_SHARE = 10  # a delta covers at most 1/DELTA_SHARE of the indexed pages (and at least DELTA_MIN may
DELTA_MIN = 50  # change on a small site): beyond, the whole site is indexed again


def page_url(rel: str) -> str:
    """The URL Pagefind gives the page at an output path ('events/x/index.html' -> '/events/x/')."""
    return "/" + rel.removesuffix("index.html")


class SearchRefresher:
    """Keeps output/pagefind/ (and the delta beside it) in step with the pages, one indexing at a time; state
    says how it stands."""

    def __init__(self, output: Path, lock: threading.Lock, log: Callable[[str], None],
                 swapped: Callable[[], None] | None = None) -> None:
        self.output = output
        self.lock = lock  # held while the bundle is swapped (the preview's readers hold it too)
        self.log = log
        self.swapped = swapped or (lambda: None)  # told each time a new index is in place
        self.state = "idle"  # idle, indexing, ready, failed
        self.indexed = ""  # the key of the pages the index in place covers
        self.runs = 0  # indexings finished (or failed)
        self.full_runs = 0  # of them, the ones that indexed every page
        self.version = 0  # of the indexes in place: one more at each swap
        self.delta_pages = 0  # pages the delta in place covers (changed or removed since the full index)
        self._delta: dict[str, list[str]] | None = None  # the delta in place: its languages and superseded ids
        self._base: dict[str, str] | None = None  # the full index's pages and their keys, when deltas can go on it
        self._base_ids: dict[str, str] = {}  # the full index's id of each of its pages
        self._wanted: tuple[str, list[tuple[str, str]]] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False  # stop_indexing() was called during the current indexing
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def request(self, due: tuple[str, list[tuple[str, str]]] | None) -> None:
        """Index these pages (key, [(output path, page key)]) once the thread is free, unless the index in place
        has them."""
        if due is None:
            return
        with self._changed:
            self._wanted = due
            self._changed.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="search-index", daemon=True)
                self._thread.start()

    def stop_indexing(self) -> None:
        """Stop an indexing under way (a rebuild is about to change the pages); request() starts it again."""
        with self._changed:
            process, self._wanted, self._stopped = self._process, None, True
        if process is not None and process.poll() is None:
            process.kill()

    def _work(self) -> None:
        while True:
            with self._changed:
                while self._wanted is None:
                    self._changed.wait()
                key, pages = self._wanted
                self._wanted, self._stopped = None, False
            if key == self.indexed and (self.output / BUNDLE / "pagefind.js").exists():
                continue  # no page it covers changed
            self._index(key, dict(pages))

    def _started(self, process: subprocess.Popen[bytes]) -> None:
        with self._changed:
            self._process = process
            stopped = self._stopped
        if stopped:
            process.kill()

    def manifest(self) -> dict[str, object]:
        """What a search page needs to know of the indexes in place: their version (a page that loaded another
        searches again), the full index's (a new one is loaded afresh), and the delta's languages and the full
        index's pages it replaces (their ids), or None."""
        with self.lock:
            return {"version": self.version, "full": self.full_runs, "delta": self._delta}

    def _changes(self, pages: dict[str, str]) -> tuple[list[str], list[str]] | None:
        """The pages changed and removed since the full index, if a delta can cover them; else None."""
        base = self._base
        if base is None or not (self.output / BUNDLE / "pagefind.js").exists():
            return None
        changed = sorted(rel for rel, key in pages.items() if base.get(rel) != key)
        removed = sorted(rel for rel in base if rel not in pages)
        if len(changed) + len(removed) > max(DELTA_MIN, len(pages) // DELTA_SHARE):
            return None
        return changed, removed

    def _index(self, key: str, pages: dict[str, str]) -> None:
        self.state = "indexing"
        parent, name = self.output.parent, self.output.name
        view, fresh, old = (parent / f".{name}.search-{suffix}" for suffix in ("view", "new", "old"))
        for folder in (view, fresh, old):
            shutil.rmtree(folder, ignore_errors=True)
        changes = self._changes(pages)
        try:
            if changes is None:
                self._index_all(pages, view, fresh, old)
            else:
                self._index_delta(*changes, view, fresh, old)
            self.indexed, self.state = key, "ready"
            self.swapped()
        except (SearchError, OSError) as error:
            with self._changed:
                stopped = self._stopped
            self.state = "idle" if stopped else "failed"
            if not stopped:
                self.log(f"search index not refreshed: {error}")
        finally:
            with self._changed:
                self._process = None
            self.runs += 1
            for folder in (view, fresh, old):
                shutil.rmtree(folder, ignore_errors=True)

    def _index_all(self, pages: dict[str, str], view: Path, fresh: Path, old: Path) -> None:
        """Index every page into output/pagefind/, and drop the delta."""
        self._base = None
        files = build_index(view, self._sources(pages), self._started)
        self._write(files, fresh)
        old.mkdir()
        with self.lock:
            for folder in (BUNDLE, DELTA):
                if (self.output / folder).exists():
                    os.rename(self.output / folder, old / folder)
            os.rename(fresh, self.output / BUNDLE)
            self.full_runs += 1
            self.version += 1
            self.delta_pages, self._delta = 0, None
        try:
            ids = page_ids(files, BUNDLE)
        except BundleFormatError as error:
            self.log(f"search: each edit will index the whole site again: {error}")
            return
        self._base_ids = {rel: ids[page_url(rel)] for rel in pages if page_url(rel) in ids}
        if len(self._base_ids) == len(ids):  # every page of the index known by its output path: deltas can go on
            self._base = pages
        else:
            self.log(f"search: {len(ids) - len(self._base_ids)} indexed page(s) not matched to their files: each "
                     "edit will index the whole site again")

    def _index_delta(self, changed: list[str], removed: list[str], view: Path, fresh: Path, old: Path) -> None:
        """Index the pages changed since the full index into output/pagefind-delta/, which replaces the last."""
        files = build_index(view, self._sources(changed), self._started) if changed else {}
        entry = json.loads(files[f"{BUNDLE}/pagefind-entry.json"]) if files else {"languages": {}}
        superseded = sorted(self._base_ids[rel] for rel in (*changed, *removed) if rel in self._base_ids)
        self._write(files, fresh)
        with self.lock:
            if (self.output / DELTA).exists():
                os.rename(self.output / DELTA, old)
            os.rename(fresh, self.output / DELTA)
            self.version += 1
            self.delta_pages = len(changed) + len(removed)
            self._delta = {"languages": sorted(entry["languages"]), "superseded": superseded}

    def _sources(self, rels: Iterable[str]) -> list[tuple[str, str]]:
        """The pages to index, as build_index() takes them: those of rels still in the preview folder."""
        return [(rel, str(self.output / rel)) for rel in rels if (self.output / rel).is_file()]

    @staticmethod
    def _write(files: dict[str, bytes], folder: Path) -> None:
        """A bundle's files (paths under pagefind/) into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            target = folder / rel.removeprefix(BUNDLE + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
