"""load -> validate all -> render all -> write: the pipeline behind `build`, `check` and `serve`.

A Builder keeps its cache between runs (the preview server reuses one); the CLI loads the cache from
.cache/ and saves it after a successful build. Events are parsed and pages rendered in forked worker
processes when there are many; only pages whose inputs changed are rendered, and only files whose
bytes changed are written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Callable

import jinja2

from generator.engine.cache import BuildCache
from generator.engine.event_shards import CachedEvent, Stat
from generator.engine.fingerprint import fingerprint
from generator.output.joined import Fragments
from generator.output.staging import PageRecord
from generator.model.errors import Problem, Problems, SiteError
from generator.markup.markdown import MARKDOWN_CONFIG
from generator.model.types import SiteConfig
from generator.engine.parallel import Background
from generator.output.joined import Layout
from generator.render.pages import Renderer
from generator.render.plan import Reuse
from generator.model.site import Site
from generator.engine.stored import SpilledTexts
from generator.output.staging import OutputError, WriteError, check_output_dir, output_lock, remove_leftovers

from generator.pipeline.options import TEMPLATES_DIR, BuildOptions, BuildResult, Progress
from generator.pipeline.workers import _WorkerTemplateError, template_problem
from generator.pipeline.signature import input_signature, peak_memory_mb
from generator.pipeline.cache_session import CacheSession
from generator.pipeline.loading import Loading
from generator.pipeline.rendering import RenderPass
from generator.engine.gc_policy import fewer_young_collections, unfrozen_after



class Builder(CacheSession, Loading, RenderPass):
    """Builds one site, again and again, keeping what it learnt in its cache."""

    def __init__(self, options: BuildOptions, progress: Progress | None = None, load_cache: bool = True) -> None:
        self.options = options
        self.progress = progress
        self.fingerprint = fingerprint(MARKDOWN_CONFIG)
        self.cache = BuildCache()
        self._signature = ""
        self._next_signature = ""  # computed by unchanged_result() just before run()
        self._stats: dict[str, Stat] = {}  # the input files' stats the signature saw, for run() to reuse
        self._input_stats: dict[str, Stat] = {}
        self._last_pages: dict[str, PageRecord] | None = None  # the page records unchanged_result() read
        if load_cache:
            self.load_cache()
        self.timings: dict[str, float] = {}
        self._lap = time.perf_counter()
        self.site: Site | None = None  # the last site built
        self.hints: set[str] | None = None  # the files known to have changed since the last run, if known
        self._config: tuple[str, SiteConfig, list[Problem]] | None = None
        self._environment: tuple[str, dict[str, jinja2.Environment]] | None = None
        self._html: dict[str, str] = {}  # Markdown of pages and profiles -> HTML
        self._reusable = Reuse()  # what the last build made that the next may reuse
        self._files: tuple[list[tuple[str, str]], set[str], list[Problem]] | None = None  # the last scan of
        # the events
        self._same_layout = False  # whether this build has the layout of the last one
        self.cleanup: threading.Thread | None = None  # the last commit's deleting of replaced large files
        self.committing: Callable[[], AbstractContextManager[object]] = nullcontext  # held while output changes
        self._made_fragments: dict[str, Fragments] = {}  # the open data fragments of events parsed since
        self._joined: dict[str, Layout] = {}  # the layouts of this build's joined files (key to be set)
        self._spill: Path | None = None  # where the workers of this run write the fragments they make
        self.one_shot = False  # build(): one run, then the cache saved; the workers spill the events' texts too
        self._spilled_texts: SpilledTexts | None = None
        self._saver: tuple[Background, dict[str, CachedEvent]] | None = None  # see _save_parsed()
        self.search_later = False
        self.search_due: tuple[str, list[tuple[str, str]]] | None = None
        self.search_started: Callable[[subprocess.Popen[bytes]], None] | None = None

    def run(self, write: bool = True, changed: set[str] | None = None, first: set[str] | None = None) -> BuildResult:
        """Build (or, with write=False, check) the site; raise SiteError and leave output/ alone on problems.

        With `first` (output paths), a quick build: of the stale pages, only these and the changed events'
        own pages are rendered; the others, the feeds, sitemap and open data are left as the last build made
        them, listed in result.deferred for the next run (the preview server reloads the browser first)."""
        output = self.options.output
        if write:
            self._spill = output.parent / f".{output.name}.spill-{os.getpid()}"
            remove_leftovers(output.parent, f".{output.name}.spill-")  # of a build that was killed
        succeeded = False
        try:
            with fewer_young_collections():
                result = self._run(write, changed, first)
            succeeded = True
            return result
        finally:
            if not succeeded:
                self._parsed_saved()  # (its child reads the spilled texts)
            if not (succeeded and self._spilled_texts is not None):  # else: once the cache holds the texts
                self.release_spill(keep=True)

    def _run(self, write: bool, changed: set[str] | None, first: set[str] | None) -> BuildResult:
        started = self._lap = time.perf_counter()
        self.timings = {}
        self.hints = changed
        signature, self._next_signature = self._next_signature, ""
        self._input_stats, self._stats = (self._stats if signature else {}), {}
        publishing = first is None
        self._signature = (signature or input_signature(self.options)) if write and publishing and \
            changed is None and self.options.use_cache else ""
        options = self.options
        if write:
            check_output(options)
        problems = Problems()
        site = self.load(problems)
        if site is None:
            raise SiteError(problems.sorted())
        if write and publishing:
            self._save_parsed()
        self.lap("load and validate")
        self._same_layout = self._reusable.layout == self.layout_key
        if not self._same_layout:
            self._reusable = Reuse(self.layout_key)
        try:
            known = self._reusable if self._reusable.chart is not None else \
                Reuse.cached(self._reusable, self.cache.charts)
            renderer = Renderer(site, options.site_dir / TEMPLATES_DIR, self.layout_key, self.environment, known,
                                self.environments)
            jobs = renderer.plan()
            result = self._render_and_write(site, renderer, jobs, write, first)
        except jinja2.TemplateError as error:
            raise SiteError([template_problem(error, options.site_dir)]) from None
        except _WorkerTemplateError as error:
            raise SiteError([error.problem]) from None
        except OutputError as error:
            raise SiteError([Problem(TEMPLATES_DIR, None, str(error))]) from None
        except WriteError as error:
            raise SiteError([Problem(error.path, None, error.reason)]) from None
        except OSError as error:  # writing the staged files (or reading the workers' spill files back)
            failure = WriteError.of(error)
            raise SiteError([Problem(failure.path, None, failure.reason)]) from None
        self.site = site
        # what this build made that the next may reuse: page digests of lists, and the chart's lanes
        self._reusable = renderer.kept()
        if write and renderer.drew_figures:  # the lanes' and maps' SVG, for the next build of another process
            self.cache.charts = self._reusable.svgs()
        result.warnings = problems.sorted()
        self.cache.summary = {}
        if write and publishing and self._signature:  # lets the next build see that nothing changed
            self.cache.summary = {"inputs": self._signature, "result": json.dumps(
                {"warnings": [[p.path, p.line, p.message] for p in result.warnings]})}
        result.seconds = time.perf_counter() - started
        result.peak_mb = peak_memory_mb()
        result.timings = self.timings
        return result



def check(options: BuildOptions) -> BuildResult:
    """Validate everything and render every page without writing anything (the cache is read if there is one,
    and not saved); raise SiteError on problems."""
    started = time.perf_counter()
    with unfrozen_after():
        builder = Builder(dataclasses.replace(options, read_only=True))
        result = builder.run(write=False)
    result.site = builder.site
    result.seconds = time.perf_counter() - started
    return result




def check_output(options: BuildOptions) -> None:
    try:
        check_output_dir(options.site_dir, options.output)
        str(options.output.resolve()).encode("utf-8")  # (the cache records it: better refused before than after)
    except OutputError as error:
        raise SiteError([Problem(str(options.output), None, str(error))]) from None
    except UnicodeEncodeError:
        shown = os.fsencode(options.output).decode("utf-8", "backslashreplace")
        raise SiteError([Problem(shown, None, "the output folder's path is not valid UTF-8: choose another")]) from None


def build(options: BuildOptions, progress: Progress | None = None,
          waiting: Callable[[str], None] | None = None) -> BuildResult:
    """Build the site into options.output; raise SiteError and leave output/ alone on problems.

    One build at a time writes an output folder: another one waits for it to finish (waiting(pid) is called
    first), then builds, and finds nothing to do if the inputs did not change meanwhile."""
    check_output(options)
    try:
        with output_lock(options.output, waiting), unfrozen_after():
            return _build(options, progress)
    except WriteError as error:
        raise SiteError([Problem(error.path, None, error.reason)]) from None


def _build(options: BuildOptions, progress: Progress | None) -> BuildResult:
    started = time.perf_counter()
    builder = Builder(options, progress, load_cache=False)
    quick = builder.unchanged_result()
    if quick is not None:
        quick.seconds = time.perf_counter() - started
        quick.peak_mb = peak_memory_mb()
        return quick
    builder.load_cache()
    builder.one_shot = True
    result = builder.run()
    builder.save_cache()
    builder.release_spill(keep=False)
    if builder.cleanup:
        builder.cleanup.join()
    builder.lap("save cache")
    result.seconds = time.perf_counter() - started
    return result
