"""load -> validate all -> render all -> write: the pipeline behind `build`, `check` and `serve`.

A Builder keeps its cache between runs (the preview server reuses one); the CLI loads the cache from
.cache/ and saves it after a successful build. Events are parsed and pages rendered in forked worker
processes when there are many; only pages whose inputs changed are rendered, and only files whose
bytes changed are written.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import resource
import shutil
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import jinja2

from .cache import CACHE_DIR, RECENT_NS, BuildCache, CachedEvent, Fragments, PageRecord, Stat, digest, \
    fingerprint, trusted_stat
from .config import CONFIG_FILE, load_config
from .content import EVENTS_DIR, check_duplicate_slugs, content_files, load_pages, load_profiles, read_event, \
    read_with_stat, site_files, split_source
from .errors import Problem, Problems, SiteError
from .markdown import MARKDOWN_CONFIG, MarkdownLimit, MarkdownRenderer, first_paragraph
from .model import Event, Page, SiteConfig
from .parallel import MIN_PARALLEL, Background, chunks, map_chunks, map_groups, state, workers
from .exports import Join, event_fragments
from .joined import Joined, Layout, Part
from .publishing import PUBLISHED, PublishJob, publishing_jobs
from .render import PageJob, Renderer, make_environment
from .site import Site, build_site, update_site
from .spill import TEXTS_SUFFIX, SpillReader, Spilled, spill
from .stored import SpilledTexts, StoredEvent, preload
from .write import OutputError, Staged, Staging, WriteError, check_output_dir, output_lock, remove_leftovers

TEMPLATES_DIR = "templates"
STATIC_DIR = "static"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None  # default: <site>/output
    drafts: bool = False
    strict: bool = False
    base_url: str | None = None
    use_cache: bool = True
    trust_output: bool = False  # no one else writes the output folder (the preview's): skip checking its files
    read_only: bool = False  # check: nothing is written under the site (the cache is read, never saved)

    @property
    def output(self) -> Path:
        return self.output_dir or self.site_dir / "output"


@dataclass
class BuildResult:
    pages: int = 0  # files in the site
    rendered: int = 0  # pages rendered this time
    written: int = 0  # files written (new or changed)
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # output paths written or removed
    deferred: list[str] = field(default_factory=list)  # stale pages a quick build left for the next run
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


class Builder:
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
        self._environment: tuple[str, jinja2.Environment] | None = None
        self._html: dict[str, str] = {}  # Markdown of pages and profiles -> HTML
        self._reusable: dict[str, object] = {}  # what the last build made that the next may reuse
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

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap under stage."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._lap
        self._lap = now

    def load_cache(self) -> None:
        if self.options.use_cache:
            self.cache = BuildCache.load(self.options.site_dir, self.fingerprint, self._last_pages)
            self._last_pages = None
            gc.freeze()  # the cached events live as long as the builder: the collector need not walk them

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

    # -- loading ------------------------------------------------------------------------------
    def load(self, problems: Problems) -> Site | None:
        """Read and validate site.yaml and content/, render the Markdown; None if there were errors."""
        options = self.options
        self._template_problem: Problem | None = None
        try:  # (load_config() says what is wrong with a site.yaml that is not a readable file)
            config_key = digest(read_with_stat(options.site_dir / CONFIG_FILE)[0], options.base_url or "") \
                if (options.site_dir / CONFIG_FILE).is_file() else ""
        except OSError:
            config_key = ""
        if not self._config or self._config[0] != config_key:
            found = Problems()
            loaded = load_config(options.site_dir, found, options.base_url)
            if loaded is None:
                problems.extend(found.items)
                return None
            self._config = (config_key, loaded, found.items)
        config = self._config[1]
        problems.extend(self._config[2])
        pages = load_pages(options.site_dir, problems)
        profiles = load_profiles(options.site_dir, config, problems)
        self._prepare_layout(config, config_key, pages, profiles)
        events = self.load_events(config, config_key, problems)
        if problems.fatal(options.strict):
            return None
        if self._template_problem:
            raise SiteError([self._template_problem])
        if not options.drafts:
            events = [event for event in events if not event.draft]
        shown = [*pages, *profiles.values()]
        todo = [page.body for page in shown if page.body not in self._html]
        made = dict(zip(todo, _markdown().render_checked(todo)))
        rendered = {}
        for page in shown:
            html = self._html[page.body] if page.body in self._html else made[page.body]
            if isinstance(html, MarkdownLimit):
                problems.error(page.path, None, html.message)
                continue
            page.html = rendered[page.body] = html
        if problems.fatal(options.strict):
            return None
        self._html = rendered
        return update_site(self.site, config, events, pages, profiles)

    def _prepare_layout(self, config: SiteConfig, config_key: str, pages: list[Page],
                        profiles: dict[str, Page]) -> None:
        """The layout key (templates, configuration, content pages) and the Jinja2 environment."""
        options = self.options
        templates = options.site_dir / TEMPLATES_DIR
        templates_key = _folder_digest(options.site_dir, TEMPLATES_DIR, skip=STATIC_DIR)
        self.layout_key = digest(templates_key, config.base_url, str(options.drafts), config_key,
                                 *(f"{p.slug}:{p.title}" for p in sorted(pages, key=lambda p: p.slug)))
        self.data_key = digest("data", config_key)  # the open data shows no template
        if self._environment is None or self._environment[0] != templates_key:
            bytecode = compiled_templates(options.site_dir, self.fingerprint) \
                if options.use_cache and not options.read_only else None
            self._environment = (templates_key, make_environment(templates, bytecode))
        self.environment = self._environment[1]
        # Cards show one event each: they are rendered with the events' Markdown, in the same workers.
        self._card_renderer = Renderer(build_site(config, [], pages, profiles), templates, self.layout_key,
                                       self.environment)

    def _event_files(self, problems: Problems) -> list[tuple[str, str]]:
        """content_files() of the events; the last list again when the watcher's hints only name files
        in it that still exist (edits, not additions, deletions or moves). What was wrong (links, names) is
        reported each time."""
        hints, known = self.hints, self._files
        if hints is None or known is None or not all(
                rel in known[1] and os.path.isfile(os.path.join(self.options.site_dir, rel))
                for rel in hints if rel.startswith(EVENTS_DIR + "/") or rel == EVENTS_DIR):
            found = Problems()
            files = content_files(self.options.site_dir, EVENTS_DIR, found)
            known = self._files = (files, {rel for _, rel in files}, found.items)
        problems.extend(known[2])
        return known[0]

    def load_events(self, config: SiteConfig, config_key: str, problems: Problems) -> list[Event]:
        """Every event under content/events: from the cache when its file and site.yaml are unchanged."""
        cached = self.cache.events
        events: list[Event] = []
        todo: list[tuple[str, str]] = []
        seen: dict[str, CachedEvent] = {}
        started_ns = time.time_ns()
        stats = self._input_stats
        drafts = self.options.drafts
        for file, rel in self._event_files(problems):
            entry = cached.get(rel)
            if entry is None:  # a worker reads it
                todo.append((rel, file))
                continue
            if entry.config_key != config_key:
                todo.append((rel, file))
                continue
            if self.hints is not None and rel not in self.hints:
                seen[rel] = entry  # the watcher says it has not changed
                if not entry.event.draft or drafts:
                    events.append(entry.event)
                    problems.extend(entry.warnings)
                continue
            try:
                known = stats.get(file)
                if known is None:
                    info = os.stat(file)
                    known = (info.st_size, info.st_mtime_ns, info.st_ino)
                if entry.stat is None or entry.stat != known:
                    raw, info = read_with_stat(file)
                    file_hash = digest(raw)
                    if file_hash != entry.file_hash:
                        todo.append((rel, file))
                        continue
                    entry = CachedEvent(entry.file_hash, config_key, entry.event, entry.warnings,
                                        trusted_stat(info, started_ns))
            except OSError as error:
                problems.error(rel, None, f"cannot read file: {error.strerror}")
                continue
            seen[rel] = entry
            if not entry.event.draft or drafts:  # (kept from a build with --drafts)
                events.append(entry.event)
                problems.extend(entry.warnings)
        # site.yaml changed but the file did not: re-validate, reuse the rendered Markdown.
        before = [entry for rel, _ in todo if (entry := cached.get(rel)) is not None and entry.config_key != config_key]
        preload(entry.event for entry in before)
        rendered = {entry.file_hash: (entry.event.html, entry.event.excerpt) for entry in before}
        spill = self._spill if self._spill and len(todo) >= MIN_PARALLEL else None
        if spill:
            spill.mkdir(parents=True, exist_ok=True)
            if self.one_shot and self._spilled_texts is None:
                self._spilled_texts = SpilledTexts(self.options.site_dir)
        parsed = map_chunks(_parse_events, todo, progress=self._progress("Reading events", len(todo)),
                            config=config, rendered=rendered, renderer=self._card_renderer,
                            data_key=self.data_key, site_dir=self.options.site_dir, started_ns=started_ns,
                            spill=str(spill) if spill else None, spill_texts=bool(spill and self.one_shot),
                            drafts=self.options.drafts)
        made: dict[str, Fragments] = {}
        for rel, file_hash, event, found, card, fragments, stat, spans in parsed:
            problems.extend(found)
            if event is None:
                continue
            if spans is not None and self._spilled_texts is not None:
                event = self._spilled_texts.adopt(event, spans)
            events.append(event)
            if isinstance(card, Problem):
                self._template_problem = self._template_problem or card
            else:
                self.cache.cards[self._card_renderer.card_key(event)] = card
            if fragments is not None:
                made[f"{self.data_key}:{event.fingerprint}"] = fragments
            if not any(not p.warning for p in found):
                seen[rel] = CachedEvent(file_hash, config_key, event, found, stat)
        self._made_fragments.update(made)
        self.cache.events = seen
        events.sort(key=lambda e: e.path)
        check_duplicate_slugs(events, problems)
        return events

    # -- rendering and writing ----------------------------------------------------------------
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
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
        try:
            result = self._run(write, changed, first)
            succeeded = True
            return result
        finally:
            gc.set_threshold(*thresholds)
            if not succeeded:
                self._parsed_saved()  # (its child reads the spilled texts)
            if not (succeeded and self._spilled_texts is not None):  # else: once the cache holds the texts
                self.release_spill(keep=True)

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
        output = options.output
        if write:
            _check_output(options)
        problems = Problems()
        site = self.load(problems)
        if site is None:
            raise SiteError(problems.sorted())
        if write and publishing:
            self._save_parsed()
        self.lap("load and validate")
        self._same_layout = self._reusable.get("layout") == self.layout_key
        if not self._same_layout:
            self._reusable = {"layout": self.layout_key}
        try:
            known = self._reusable if "chart:scale" in self._reusable else {**self.cache.charts, **self._reusable}
            renderer = Renderer(site, options.site_dir / TEMPLATES_DIR, self.layout_key, self.environment, known)
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
        chart = renderer.chart.kept() if "chart" in renderer.__dict__ else \
            {key: part for key, part in self._reusable.items() if key.startswith("chart:")}
        self._reusable = {"layout": self.layout_key, **renderer.used, **chart}
        if write and "chart" in renderer.__dict__:  # the lanes' SVG, for the next build of another process
            self.cache.charts = {key: svg for key, svg in chart.items() if isinstance(svg, str)}
        result.warnings = problems.sorted()
        self.cache.summary = {}
        if write and publishing and self._signature:  # lets the next build see that nothing changed
            self.cache.summary = {"inputs": self._signature, "result": json.dumps(
                {"warnings": [[p.path, p.line, p.message] for p in result.warnings]})}
        result.seconds = time.perf_counter() - started
        result.peak_mb = peak_memory_mb()
        result.timings = self.timings
        return result

    def _render_and_write(self, site: Site, renderer: Renderer, jobs: list[PageJob], write: bool,
                          first: set[str] | None) -> BuildResult:
        options = self.options
        output = options.output.resolve()
        staging = Staging(output, self.cache.pages if self.cache.output == str(output) else {}, dry=not write,
                          trust=options.trust_output)
        try:
            return self._render_into(site, renderer, jobs, staging, write, first)
        except BaseException:
            staging.discard()
            raise

    def _render_into(self, site: Site, renderer: Renderer, jobs: list[PageJob], staging: Staging,
                     write: bool, first: set[str] | None) -> BuildResult:
        options = self.options
        output = staging.output
        result = BuildResult()
        # Static assets first: they are few, and a page may refer to them.
        static: dict[str, bytes] = {}
        problems = Problems()
        for file, rel in _static_files(options.site_dir, problems):
            try:
                static[f"{STATIC_DIR}/{rel}"] = file.read_bytes()
            except OSError as error:
                problems.error(f"{TEMPLATES_DIR}/{STATIC_DIR}/{rel}", None, f"cannot read it: {error.strerror}")
        if problems.items:
            raise SiteError(problems.sorted())
        keep = {*static, *(job.rel for job in jobs)}
        if len(keep) != len(static) + len(jobs):
            seen = set(static)
            for job in jobs:
                if job.rel in seen:
                    raise OutputError(f"two pages would be written to the same file '{job.rel}'")
                seen.add(job.rel)
        stale = staging.stale(jobs)
        if first is not None:
            first = first | {f"events/{slug}/index.html" for slug in site.changed} if site.base else \
                first | {f"events/{event.slug}/index.html" for event in site.events if event.path in (self.hints or ())}
            result.deferred = [job.rel for job in stale if job.rel not in first]
            stale = [job for job in stale if job.rel in first]
        self.lap("plan")
        cards, card_key = self.cache.cards, renderer.card_key
        # after an edit in the preview, only the events the site's update touched can lack a card
        candidates = [site.event_by_slug[slug] for slug in site.touched] if site.base and self._same_layout \
            else site.events
        missing_cards = [event.slug for event in candidates if card_key(event) not in cards]
        if missing_cards:  # the templates changed: the lists show cards, so they come first
            made = map_chunks(_render_cards, missing_cards, progress=self._progress("Rendering cards",
                              len(missing_cards)), renderer=renderer, site_dir=options.site_dir)
            for slug, html in made:
                cards[card_key(site.event_by_slug[slug])] = html
        if len(cards) > len(site.events) * 1.1 + 64:  # forget the cards of events that changed since
            live = {card_key(event) for event in site.events}
            cards = self.cache.cards = {key: html for key, html in cards.items() if key in live}
        renderer.cards = cards
        for rel, content in static.items():
            key = digest(content)
            if not staging.fresh(rel, key):
                staging.put(rel, key, content)
        if first is not None:  # the feeds, sitemap and open data are left as they are, for the next run
            kept = [rel for rel, record in staging.records.items() if record.key.startswith(PUBLISHED)]
            keep.update(kept)
            result.deferred += sorted(kept)
        # The pages that show the chart or the map (the home page, the places, each actor's first page), the
        # feeds and the open data in this process, while the helpers start on the rest: the chart and the
        # map are made once, here, and the helpers would copy the (shared) events' fragments they read.
        own = [n for n, job in enumerate(stale)
               if job.kind in ("home", "places") or (job.kind == "actor" and job.args[1] == 0)]
        owned = set(own)

        def alongside() -> list[tuple[str, str, Staged]]:
            made = _render_pages(own)
            if first is None:
                published = self._stale_publishing(site, [job.rel for job in jobs], staging, keep)
                made += [(rel, job.key, staging.stage(rel, content)) for job in published for rel, content in
                         job.produce()]
            return made

        # Every other stale page in the workers, which write them into the staging folder: the lists first
        # (few, large), then the event pages (many, small).
        lists = [n for n, job in enumerate(stale) if job.kind != "event" and n not in owned]
        events = [n for n, job in enumerate(stale) if job.kind == "event"]
        groups = [*(lists[i:i + 8] for i in range(0, len(lists), 8)), *chunks(events, workers())]
        # (After an edit, forking would cost more than the few pages and the patched open data take.)
        outcomes = map_groups(_render_pages, groups, progress=self._progress("Rendering pages", len(stale)),
                              alongside=alongside, renderer=renderer, staging=staging, site_dir=options.site_dir,
                              pages=stale)
        for rel, key, written in outcomes:
            if key.startswith(PUBLISHED):
                if rel in keep:
                    raise OutputError(f"two pages would be written to the same file '{rel}'")
                keep.add(rel)
            staging.record(rel, key, written)
        self.lap("render pages")
        result.rendered = len(stale)
        result.pages = len(keep)
        if write:
            with self.committing():
                result.written, result.removed, result.changed = staging.commit(keep)
            self.cleanup = staging.cleanup
            self.cache.pages = staging.records
            for rel, layout in self._joined.items():
                if (record := staging.records.get(rel)) is not None and record.size == layout.size:
                    self.cache.set_layout(rel, dataclasses.replace(layout, key=record.key))
            if first is None:  # the open data files hold every event's fragments now
                self._made_fragments = {}
            self.cache.output = str(output)
        else:
            result.written = staging.would_write
        self._joined = {}
        result.unchanged = result.pages - result.written
        self.lap("write")
        return result

    def _stale_publishing(self, site: Site, pages: list[str], staging: Staging, keep: set[str]) -> list[PublishJob]:
        """The groups of feeds, sitemap and open data whose key changed; the others are kept as they are."""
        stale = []
        for job in publishing_jobs(site, pages, self.layout_key, self._join(site, staging)):
            previous = [rel for rel, record in staging.records.items() if record.key == job.key]
            if previous and all(staging.fresh(rel, job.key) for rel in previous):
                keep.update(previous)
            else:
                stale.append(job)
        return stale

    def _join(self, site: Site, staging: Staging) -> Join:
        """exports.Join for this build: each event's fragment from the cache (else made now), and the
        unchanged events' parts copied from the file the last build wrote, when its layout is known."""
        keys = [f"{self.data_key}:{event.fingerprint}" for event in site.events]
        self._joined = {}

        def join(rel: str, head: bytes, separator: bytes, tail: bytes, n: int) -> Joined:
            layout, record = self.cache.layout(rel), staging.records.get(rel)
            if layout is None or record is None or (layout.key, layout.size) != (record.key, record.size) or \
                    not staging.untouched(rel):
                layout = None  # the file is not as the last build wrote it: joined afresh
            joined = Joined(
                head, separator, tail, keys, lambda wanted: {k: f[n] for k, f in self._fragments(site, wanted).items()},
                (staging.root + rel, layout) if layout else None)
            self._joined[rel] = joined.layout("")  # not the Joined: its new bytes go once it is written
            return joined
        return join

    def _fragments(self, site: Site, keys: list[str]) -> dict[str, Fragments]:
        """The open data fragments of the events under these keys: made with the events parsed since the
        last build that wrote the open data, else made now (when the last files cannot be patched)."""
        made = self._made_fragments
        missing = [key for key in keys if key not in made]
        if missing:
            events = {f"{self.data_key}:{event.fingerprint}": event for event in site.events}
            preload(events[key] for key in missing)
            made.update((key, event_fragments(site, events[key])) for key in missing)
        return {key: made[key] for key in keys}

    def _progress(self, stage: str, total: int) -> Callable[[int], None] | None:
        report = self.progress
        if report is None or not total:
            return None
        return lambda done: report(stage, done, total)


class _WorkerTemplateError(Exception):
    """A template error inside a worker, carried back as a Problem (tracebacks do not cross processes)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


_MARKDOWN: list[MarkdownRenderer] = []


def _markdown() -> MarkdownRenderer:
    """One Markdown renderer per process, reused (making its converters takes milliseconds)."""
    if not _MARKDOWN:
        _MARKDOWN.append(MarkdownRenderer())
    return _MARKDOWN[0]


TextSpans = tuple[Spilled, Spilled, Spilled]  # where a worker spilled an event's html, excerpt and body
ParsedEvent = tuple[str, str, "Event | None", list[Problem], "str | Problem", "Fragments | None", "Stat | None",
                    "TextSpans | None"]


def _parse_events(chunk: Sequence[tuple[str, str]]) -> list[ParsedEvent]:
    """Worker: read, parse and validate some event files, render their Markdown and cards, and make their
    share of the open data files; a template error comes back in place of the card.

    Each step runs over the whole chunk before the next (YAML, then Markdown, then the cards, then the
    open data): one library's code and data at a time stay in the processor's caches, which makes the
    chunk a sixth quicker than taking each event through every step."""
    config: SiteConfig = state("config")
    rendered: dict[str, tuple[str, str]] = state("rendered")
    renderer: Renderer = state("renderer")
    started_ns: int = state("started_ns")
    drafts: bool = state("drafts")
    site = renderer.site
    markdown = _markdown()
    results: list[ParsedEvent] = []  # in the chunk's order; parsed events get theirs at the end
    parsed: list[tuple[int, str, str, Event, Problems, Stat | None]] = []
    body_lines: dict[int, int] = {}  # where each parsed event's summary starts in its file, by id(event)
    for rel, path in chunk:
        problems = Problems()
        try:
            raw, info = read_with_stat(path)
            stat = trusted_stat(info, started_ns)
        except OSError as error:
            problems.error(rel, None, f"cannot read file: {error.strerror}")
            results.append((rel, "", None, problems.items, "", None, None, None))
            continue
        file_hash = digest(raw)
        source = split_source(raw, rel, problems)
        if source is not None and not drafts and source.meta.get("draft") is True:
            source = None  # left out unread: a draft may be unfinished (an imported one is)
        event = read_event(source, config, problems) if source else None
        if event is None:
            results.append((rel, file_hash, None, problems.items, "", None, None, None))
            continue
        event.fingerprint = digest(file_hash, rel)  # the slug comes from the path
        parsed.append((len(results), rel, file_hash, event, problems, stat))
        body_lines[id(event)] = source.body_line  # type: ignore[union-attr]
        results.append((rel, file_hash, None, [], "", None, None, None))
    missing = [event for _, _, file_hash, event, _, _ in parsed if file_hash not in rendered]
    made = dict(zip((id(event) for event in missing), markdown.render_checked([event.body for event in missing])))
    for entry in list(parsed):
        n, rel, file_hash, event, problems, _ = entry
        if (known := rendered.get(file_hash)) is not None:
            event.html, event.excerpt = known
        elif isinstance(html := made[id(event)], MarkdownLimit):
            problems.error(rel, body_lines[id(event)], html.message)
            results[n] = (rel, file_hash, None, problems.items, "", None, None, None)
            parsed.remove(entry)
        else:
            event.html = html
            event.excerpt = first_paragraph(html)
    cards: list[str | Problem] = []
    for _, _, _, event, _, _ in parsed:
        try:
            cards.append(renderer.render_card(event))
        except jinja2.TemplateError as error:
            cards.append(template_problem(error, state("site_dir")))
    for (n, rel, file_hash, event, problems, stat), card in zip(parsed, cards):
        results[n] = (rel, file_hash, event, problems.items, card, event_fragments(site, event), stat, None)
    spill: str | None = state("spill")
    if spill:
        _spill(results, spill, state("spill_texts"))
    return results


def _spill(results: list[ParsedEvent], folder: str, texts: bool) -> None:
    """Worker: spill each event's open data fragments (spill.py) and put where they lie in their place;
    with texts, its HTML, excerpt and Markdown too (left empty on the event), into a file of their own that
    the cache can keep (cache.py)."""
    data: list[bytes] = []
    words: list[bytes] = []
    for _, _, event, _, _, fragments, _, _ in results:
        if fragments is not None:
            assert all(isinstance(fragment, bytes) for fragment in fragments)  # as event_fragments made them
            data.extend(fragment for fragment in fragments if isinstance(fragment, bytes))
            if texts and event is not None:
                words.extend(text.encode("utf-8") for text in (event.html, event.excerpt, event.body))
    where = iter(spill(folder, data))
    where_texts = iter(spill(folder, words, TEXTS_SUFFIX) if words else [])
    for n, (rel, file_hash, event, found, card, fragments, stat, _) in enumerate(results):
        if fragments is None:
            continue
        spilled = (next(where), next(where), next(where), next(where))  # in the order they were written
        spans: TextSpans | None = None
        if texts and event is not None:
            spans = (next(where_texts), next(where_texts), next(where_texts))
            event.html = event.excerpt = event.body = ""
        results[n] = (rel, file_hash, event, found, card, spilled, stat, spans)


def _render_cards(chunk: Sequence[str]) -> list[tuple[str, str]]:
    """Worker: render the cards of some events."""
    renderer: Renderer = state("renderer")
    try:
        return [(slug, renderer.render_card(renderer.site.event_by_slug[slug])) for slug in chunk]
    except jinja2.TemplateError as error:
        raise _WorkerTemplateError(template_problem(error, state("site_dir"))) from None


def _render_pages(chunk: Sequence[int]) -> list[tuple[str, str, Staged]]:
    """Worker: render pages (by their index in the "pages" handed over) into the staging folder; (path, key,
    what stage() did)."""
    renderer: Renderer = state("renderer")
    staging: Staging = state("staging")
    pages: list[PageJob] = state("pages")
    try:
        made = [(page, renderer.render(page).encode("utf-8")) for page in (pages[index] for index in chunk)]
    except jinja2.TemplateError as error:
        raise _WorkerTemplateError(template_problem(error, state("site_dir"))) from None
    # written after the group is rendered, not one by one between the renderings (see _parse_events)
    return [(page.rel, page.key, staging.stage(page.rel, content)) for page, content in made]


def _static_files(site_dir: Path, problems: Problems) -> list[tuple[Path, str]]:
    """The static assets (templates/static/), by their path under it (see content.site_files)."""
    folder = f"{TEMPLATES_DIR}/{STATIC_DIR}"
    return sorted((Path(entry.path), rel[len(folder) + 1:]) for entry, rel in site_files(site_dir, folder, problems)
                  if not rel.endswith(("~", ".swp", ".tmp")))


def _folder_digest(site_dir: Path, folder: str, skip: str) -> str:
    """A hash of the files in a folder of the site but those under skip (see content.site_files)."""
    parts: list[bytes | str] = []
    for entry, rel in sorted(site_files(site_dir, folder), key=lambda found: found[1]):
        if not rel.startswith(f"{folder}/{skip}/"):
            try:
                parts += [rel, Path(entry.path).read_bytes()]
            except OSError:  # (reported when the template is loaded)
                parts += [rel, "unreadable"]
    return digest(*parts)


TEMPLATES_PREFIX = "templates-"  # + the cache's fingerprint: the compiled templates' folder in .cache/


def compiled_templates(site_dir: Path, fingerprint: str) -> Path:
    """The folder for the templates compiled by this generator, its code and libraries (the cache's fingerprint);
    those of other versions are deleted when it is made."""
    folder = site_dir / CACHE_DIR / f"{TEMPLATES_PREFIX}{fingerprint[:16]}"
    if not folder.is_dir():
        for other in (site_dir / CACHE_DIR).glob(TEMPLATES_PREFIX + "*"):
            shutil.rmtree(other, ignore_errors=True)
    return folder


def template_problem(error: jinja2.TemplateError, site_dir: Path) -> Problem:
    """A template error as path:line: message (the innermost template frame of a rendering error)."""
    import traceback

    def relative(filename: str) -> str:
        try:
            return Path(filename).resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            return filename

    if isinstance(error, jinja2.TemplateSyntaxError):
        return Problem(relative(error.filename or TEMPLATES_DIR), error.lineno, error.message or "syntax error")
    templates = str((site_dir / TEMPLATES_DIR).resolve())
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(templates):
            return Problem(relative(frame.filename), frame.lineno, f"template error: {error}")
    return Problem(TEMPLATES_DIR, None, f"template error: {error}")


def input_signature(options: BuildOptions, stats: dict[str, Stat] | None = None) -> str:
    """A hash of every input file's name, size and time, and of the options: equal means nothing changed
    (each file's size, time and inode go into stats, if given).

    If a file was modified in the last two seconds, a later edit in the same clock tick could leave its
    size and time as they are: then the signature is unique, and the next build checks every file."""
    entries: list[str] = []
    newest = 0
    site = str(options.site_dir)
    for entry, _ in [*site_files(options.site_dir, "content"), *site_files(options.site_dir, TEMPLATES_DIR)]:
        try:
            stat = entry.stat()
        except OSError:  # gone meanwhile
            continue
        newest = max(newest, stat.st_mtime_ns)
        if stats is not None:
            stats[entry.path] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        entries.append(f"{entry.path}\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ino}")
    try:
        stat = os.stat(os.path.join(site, CONFIG_FILE))
        newest = max(newest, stat.st_mtime_ns)
        entries.append(f"site.yaml\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ino}")
    except OSError:
        entries.append("no site.yaml")
    if newest >= time.time_ns() - RECENT_NS:
        entries.append(f"recently modified, at {time.time_ns()}")
    settings = repr((options.drafts, options.strict, options.base_url, str(options.output.resolve()),
                     os.environ.get("SOURCE_DATE_EPOCH", "")))
    return digest(settings, "\n".join(sorted(entries)))


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its largest worker, in MB (from the OS)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def check(options: BuildOptions) -> BuildResult:
    """Validate everything and render every page without writing anything (the cache is read if there is one,
    and not saved); raise SiteError on problems."""
    started = time.perf_counter()
    builder = Builder(dataclasses.replace(options, read_only=True))
    result = builder.run(write=False)
    result.seconds = time.perf_counter() - started
    return result


# New objects (net of those freed) between two collections of the youngest generation during a build,
# instead of Python's 700: a build makes millions of objects (parse trees, template output) that die young
# or live to its end, and each collection in a forked helper also copies the pages of the objects it
# walks. A cold build of 10,000 events: 0.2–0.4 s quicker, 8 MB more at its peak.
YOUNG_OBJECTS = 50_000


def _check_output(options: BuildOptions) -> None:
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
    _check_output(options)
    try:
        with output_lock(options.output, waiting):
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
