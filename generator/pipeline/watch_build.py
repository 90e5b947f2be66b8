"""`build --watch`: build the site into output/ as `build` does, then rebuild it after every change to its sources
until stopped (as `hugo --watch` does), keeping the builder, and so the site's model, in memory between builds.

A rebuild is what `build` would do after the same change (the same pages, the same bytes, a failed build leaving
output/ as it was), but it is told which files changed (the watcher's events) and reads nothing else again, so a
one-event edit of a 10,000-event site takes a fraction of a second instead of seconds. The cache is saved after
each build, so a later `build` carries on from it.

Other processes may build into the same output folder meanwhile (each build holds the folder's lock): when the
cache was written by anyone else since this process saved it, the next rebuild starts from the cache on disk, as
a new `build` would, so that what the other build wrote is accounted for.

With search on, a rebuild commits the pages first, then indexes the site for search in a second pass (as long as
`build`'s search pass takes); files changed meanwhile stop that indexing, and it is done again after their rebuild.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Callable

from generator.engine.cache_database import database_path
from generator.engine.gc_policy import settle_memory
from generator.model.errors import Problem, SiteError
from generator.output.staging import WriteError, output_lock
from generator.pipeline.build import Builder, check_output
from generator.pipeline.options import BuildOptions, BuildResult, Progress
from generator.pipeline.watching import describe, watching


@dataclass
class Rebuilt:
    """What one build of the watch did: its result, or the problems that stopped it (output/ left alone); or,
    with search (told after the pages), what its search pass did."""

    what: str  # describe() of the changes it took in
    stage: str = "pages"  # or "search": the second pass of a rebuild, after its pages
    result: BuildResult | None = None
    problems: list[Problem] = field(default_factory=list)
    crash: str = ""  # a bug in the generator: the build was abandoned
    search: str = ""  # as BuildResult.search, or the second pass's: indexed, unchanged, postponed (stopped:
    # files changed meanwhile), deferred (not started: files had changed), or failed: …
    search_seconds: float = 0.0


class WatchBuild:
    """Builds options.output, then rebuilds it after each burst of changes; tell() hears of every build."""

    def __init__(self, options: BuildOptions, tell: Callable[[Rebuilt], None], progress: Progress | None = None,
                 waiting: Callable[[str], None] | None = None, poll: bool = False) -> None:
        self.options = options
        self.tell = tell
        self.progress = progress
        self.waiting = waiting
        self.poll = poll
        self.stop = threading.Event()
        self.ready = threading.Event()  # the watches are in place
        self.builds = 0
        self._builder: Builder | None = None
        self._saved: tuple[int, int, int] | None = None  # the cache database's file as this process left it
        self._changes: queue.Queue[list[str] | None] = queue.Queue()
        self._indexing: subprocess.Popen[bytes] | None = None  # the search pass's Pagefind, while it runs
        self._postponed = False  # the search pass was stopped by changes
        self._lock = threading.Lock()
        self.failure = ""  # why watching stopped, if it failed

    def run(self) -> None:
        """The first build, then a rebuild per burst of changes, until close() is called or watching fails
        (failure says why); KeyboardInterrupt (Ctrl-C) passes through."""
        check_output(self.options)
        watcher = threading.Thread(target=self._watch, name="watcher", daemon=True)
        watcher.start()
        self.ready.wait(timeout=10)  # a change made right after the first build must not be missed
        try:
            self._rebuild(None)
            while True:
                changed = self._changes.get()
                if changed is None:
                    return
                files = set(changed)
                while True:  # what else changed meanwhile goes into the same rebuild
                    try:
                        more = self._changes.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        return
                    files.update(more)
                self._rebuild(sorted(files))
        finally:
            self.stop.set()

    def close(self) -> None:
        """Stop watching: run() returns once the build under way, if any, is over."""
        self.stop.set()
        self._changes.put(None)

    def _watch(self) -> None:
        try:
            for changed in watching(self.options.site_dir, self.stop, self.ready, self.poll):
                self._changes.put(changed)
                with self._lock:
                    process = self._indexing
                    if process is not None and process.poll() is None:
                        self._postponed = True
                        process.kill()
        except Exception as error:  # (the system's limit of watches, say): run() says so and returns
            self.failure = f"cannot watch the site's files: {type(error).__name__}: {error}"
            self.ready.set()
            self._changes.put(None)

    def _rebuild(self, changed: list[str] | None) -> None:
        """One build (changed: None for the first) and, with search on, its search pass; tell() what happened."""
        rebuilt = Rebuilt(describe(changed or ["start"]))
        try:
            with output_lock(self.options.output, self.waiting):
                builder = self._builder
                if builder is None or not self.options.use_cache or \
                        self._database() != self._saved:  # (another build wrote the cache: start from it)
                    builder = self._builder = Builder(self.options, self.progress)
                    changed = None
                builder.search_later = changed is not None  # the pages first, then the index (below)
                rebuilt.result = result = builder.run(changed=set(changed) if changed is not None else None)
                rebuilt.search, rebuilt.search_seconds = result.search, result.timings.get("search index", 0.0)
                self._save(builder)
        except SiteError as error:
            rebuilt.problems = error.problems
        except WriteError as error:
            rebuilt.problems = [Problem(error.path, None, error.reason)]
        except Exception as error:  # a bug: this build is abandoned, the next starts afresh
            self._builder = None
            rebuilt.crash = f"{type(error).__name__}: {error}"
        self.builds += 1
        self.tell(rebuilt)
        if rebuilt.search == "deferred" and self._builder is not None:
            self._search(self._builder, rebuilt.what)
        settle_memory()

    def _search(self, builder: Builder, what: str) -> None:
        """The search pass after a rebuild's pages: a run that renders nothing (no file changed since) and
        indexes the site, unless files changed meanwhile (then the next rebuild's pass does it)."""
        searched = Rebuilt(what, stage="search", search="deferred")
        builder.search_later = False
        builder.search_started = self._started
        self._postponed = False
        try:
            if self._changes.empty():
                with output_lock(self.options.output, self.waiting):
                    if self._database() != self._saved:  # another build came first: it indexed these pages
                        searched.search = ""
                    else:
                        result = builder.run(changed=set())
                        self._save(builder)
                        searched.search = result.search
                        searched.search_seconds = result.timings.get("search index", 0.0)
        except (SiteError, WriteError) as error:
            searched.search = "postponed" if self._postponed else \
                f"failed: {error.problems[0] if isinstance(error, SiteError) else error}"
        finally:
            with self._lock:
                self._indexing = None
            builder.search_started = None
        self.tell(searched)

    def _started(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._indexing = process
            if not self._changes.empty():  # files changed before it started: it would index stale pages
                self._postponed = True
                process.kill()

    def _save(self, builder: Builder) -> None:
        builder.save_cache()
        self._saved = self._database()

    def _database(self) -> tuple[int, int, int] | None:
        """The cache database's file (inode, size, time): any other build that writes the cache changes it."""
        try:
            info = os.stat(database_path(self.options.site_dir))
        except OSError:
            return None
        return info.st_ino, info.st_size, info.st_mtime_ns
