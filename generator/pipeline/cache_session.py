"""The build cache's session: loading it, the 'nothing changed' shortcut, saving it (partly from a
forked child), and the spill files of a run."""

from __future__ import annotations

import json
import shutil


from generator.engine.cache import BuildCache
from generator.model.errors import Problem
from generator.engine.parallel import MIN_PARALLEL, Background, workers
from generator.output.joined import Part
from generator.output.spill import SpillReader, Spilled
from generator.engine.stored import StoredEvent, preload
from generator.output.staging import Staging

from generator.pipeline.options import BuildResult
from generator.pipeline.state import BuilderState
from generator.pipeline.signature import input_signature
from generator.engine.gc_policy import freeze


class CacheSession(BuilderState):
    """Loading, checking and saving the build cache; the spill files the workers write."""

    def load_cache(self) -> None:
        if self.options.use_cache:
            self.cache = BuildCache.load(self.options.site_dir, self.fingerprint, self._last_pages)
            self._last_pages = None
            freeze()  # the cached events live as long as the builder (engine/gc_policy.py)

    def unchanged_result(self) -> BuildResult | None:
        """The last build's result, if no input changed since and its output is as it left it."""
        if not self.options.use_cache:
            return None
        last = BuildCache.last_build(self.options.site_dir, self.fingerprint)
        if last is None:
            return None
        meta, pages = last
        self._last_pages = pages  # load_cache() uses them, if it comes next
        output = self.options.output.resolve()
        self._next_signature = input_signature(self.options, self._stats)  # run() uses both, if it comes next
        if meta.get("inputs") != self._next_signature or meta.get("output") != str(output) or not pages:
            return None
        staging = Staging(output, pages, dry=True)
        if not all(staging.fresh(rel, record.key) for rel, record in pages.items()):
            return None
        try:
            summary = json.loads(meta["result"])
            warnings = [Problem(path, line, message, True) for path, line, message in summary["warnings"]]
        except (KeyError, ValueError, TypeError):
            return None
        return BuildResult(pages=len(pages), unchanged=len(pages), warnings=warnings,
                           timings={"nothing changed": 0.0})

    def save_cache(self) -> None:
        if self.options.use_cache:
            self._parsed_saved()
            self.cache.save(self.options.site_dir, self.fingerprint)

    def _save_parsed(self) -> None:
        """After a first build's parse pass, its events go into the new cache in a child process
        while this one plans and renders (a third of a second that the other core is free for; save_cache()
        then writes the rest). Not when a cache was loaded: this process may read it meanwhile."""
        cache = self.cache
        if self.one_shot and self.options.use_cache and cache.path is None and workers() > 1 and \
                cache.unsaved_events() >= MIN_PARALLEL:
            self._saver = (Background(lambda: cache.save_parsed(self.options.site_dir, self.fingerprint)),
                           dict(cache.events))

    def _parsed_saved(self) -> None:
        """Wait for _save_parsed()'s child; what it saved need not be saved again."""
        if self._saver is not None:
            saver, events = self._saver
            self._saver = None
            self.cache.parsed_saved(events, saver.wait())

    def release_spill(self, keep: bool) -> None:
        """Delete this run's spill files; with keep, first read back what the builder still needs of them
        (a failed build keeps its events and fragments for the next)."""
        folder, self._spill = self._spill, None
        texts, self._spilled_texts = self._spilled_texts, None
        if folder is None or not folder.exists():
            return
        if keep:
            with SpillReader() as reader:
                def read(part: Part) -> bytes:
                    return reader.read(part) if isinstance(part, Spilled) else part

                self._made_fragments = {key: (read(a), read(b), read(c), read(d))
                                        for key, (a, b, c, d) in self._made_fragments.items()}
            if texts is not None:
                preload(entry.event for entry in self.cache.events.values()
                        if isinstance(entry.event, StoredEvent) and entry.event.__dict__["_store"] is texts)
        if texts is not None:
            texts.close()
        shutil.rmtree(folder, ignore_errors=True)
