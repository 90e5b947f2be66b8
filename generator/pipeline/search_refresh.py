"""The preview's search index, refreshed in a thread of its own after each rebuild (the browsers are reloaded
first, and never wait for it): the builder leaves the index alone and says what it should cover (its key and
pages); this thread indexes the pages as they are in the preview folder then, and swaps the new bundle in.
A rebuild that starts meanwhile stops it (it would index pages about to change), and asks again after."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable

from generator.publish.search import BUNDLE, SearchError, build_index


class SearchRefresher:
    """Keeps output/pagefind/ in step with the pages, one indexing at a time; state says how it stands."""

    def __init__(self, output: Path, lock: threading.Lock, log: Callable[[str], None]) -> None:
        self.output = output
        self.lock = lock  # held while the bundle is swapped (the preview's readers hold it too)
        self.log = log
        self.state = "idle"  # idle, indexing, ready, failed
        self.indexed = ""  # the key of the bundle in place
        self.runs = 0  # indexings finished (or failed)
        self._wanted: tuple[str, list[str]] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False  # stop_indexing() was called during the current indexing
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def request(self, due: tuple[str, list[str]] | None) -> None:
        """Index these pages (key, output paths) once the thread is free, unless the bundle in place has them."""
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
                key, rels = self._wanted
                self._wanted, self._stopped = None, False
            if key == self.indexed and (self.output / BUNDLE / "pagefind.js").exists():
                continue  # no page it covers changed
            self._index(key, rels)

    def _started(self, process: subprocess.Popen[bytes]) -> None:
        with self._changed:
            self._process = process
            stopped = self._stopped
        if stopped:
            process.kill()

    def _index(self, key: str, rels: list[str]) -> None:
        self.state = "indexing"
        parent, name = self.output.parent, self.output.name
        view, fresh, old = (parent / f".{name}.search-{suffix}" for suffix in ("view", "new", "old"))
        for folder in (view, fresh, old):
            shutil.rmtree(folder, ignore_errors=True)
        try:
            files = build_index(view, [(rel, str(self.output / rel)) for rel in rels
                                       if (self.output / rel).is_file()], self._started)
            for rel, content in files.items():
                target = fresh / rel.removeprefix(BUNDLE + "/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            with self.lock:
                bundle = self.output / BUNDLE
                if bundle.exists():
                    os.rename(bundle, old)
                os.rename(fresh, bundle)
            self.indexed, self.state = key, "ready"
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
