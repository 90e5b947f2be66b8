"""load -> validate all -> render all -> write: the pipeline behind `build`, `check` and `serve`.

A Builder keeps its cache between runs (the preview server reuses one); the CLI loads the cache from
.cache/ and saves it after a successful build. Events are parsed and pages rendered in forked worker
processes when there are many; only pages whose inputs changed are rendered, and only files whose
bytes changed are written.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import jinja2

from .cache import BuildCache, CachedEvent, digest, fingerprint
from .config import CONFIG_FILE, load_config
from .content import EVENTS_DIR, check_duplicate_slugs, content_files, load_pages, load_profiles, read_event, \
    split_source
from .errors import Problem, Problems, SiteError
from .markdown import MARKDOWN_CONFIG, MarkdownRenderer, first_paragraph
from .model import Event, SiteConfig
from .parallel import map_chunks, state
from .publishing import render_publishing
from .render import PageJob, Renderer
from .site import Site, build_site
from .write import OutputError, Staging, check_output_dir

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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


class Builder:
    """Builds one site, again and again, keeping what it learnt in its cache."""

    def __init__(self, options: BuildOptions, progress: Progress | None = None) -> None:
        self.options = options
        self.progress = progress
        self.fingerprint = fingerprint(MARKDOWN_CONFIG)
        self.cache = BuildCache.load(options.site_dir, self.fingerprint) if options.use_cache else BuildCache()
        self.timings: dict[str, float] = {}
        self._lap = time.perf_counter()
        self.site: Site | None = None  # the last site built

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap under stage."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._lap
        self._lap = now

    def save_cache(self) -> None:
        if self.options.use_cache:
            self.cache.save(self.options.site_dir, self.fingerprint)

    # -- loading ------------------------------------------------------------------------------
    def load(self, problems: Problems) -> Site | None:
        """Read and validate site.yaml and content/, render the Markdown; None if there were errors."""
        options = self.options
        config = load_config(options.site_dir, problems, options.base_url)
        if config is None:
            return None
        config_key = digest((options.site_dir / CONFIG_FILE).read_bytes(), options.base_url or "")
        events = self.load_events(config, config_key, problems)
        pages = load_pages(options.site_dir, problems)
        profiles = load_profiles(options.site_dir, config, problems)
        if problems.fatal(options.strict):
            return None
        if not options.drafts:
            events = [event for event in events if not event.draft]
        markdown = MarkdownRenderer()
        for page in [*pages, *profiles.values()]:
            page.html = markdown.render(page.body)
        return build_site(config, events, pages, profiles)

    def load_events(self, config: SiteConfig, config_key: str, problems: Problems) -> list[Event]:
        """Every event under content/events: from the cache when its file and site.yaml are unchanged."""
        cached = self.cache.events
        events: list[Event] = []
        todo: list[tuple[str, str]] = []
        seen: dict[str, CachedEvent] = {}
        for file, rel in content_files(self.options.site_dir, EVENTS_DIR):
            entry = cached.get(rel)
            if entry is None:  # a worker reads it
                todo.append((rel, str(file)))
                continue
            try:
                file_hash = digest(file.read_bytes())
            except OSError as error:
                problems.error(rel, None, f"cannot read file: {error.strerror}")
                continue
            if entry.file_hash == file_hash and entry.config_key == config_key:
                seen[rel] = entry
                events.append(entry.event)
                problems.extend(entry.warnings)
            else:
                todo.append((rel, str(file)))
        # site.yaml changed but the file did not: re-validate, reuse the rendered Markdown.
        rendered = {entry.file_hash: (entry.event.html, entry.event.excerpt) for entry in cached.values()}
        parsed = map_chunks(_parse_events, todo, progress=self._progress("Reading events", len(todo)),
                            config=config, rendered=rendered)
        for rel, file_hash, event, found in parsed:
            problems.extend(found)
            if event is not None:
                event.fingerprint = file_hash
                events.append(event)
                if not any(not p.warning for p in found):
                    seen[rel] = CachedEvent(file_hash, config_key, event, found)
        self.cache.events = seen
        events.sort(key=lambda e: e.path)
        check_duplicate_slugs(events, problems)
        return events

    # -- rendering and writing ----------------------------------------------------------------
    def run(self, write: bool = True) -> BuildResult:
        """Build (or, with write=False, check) the site; raise SiteError and leave output/ alone on problems."""
        started = self._lap = time.perf_counter()
        self.timings = {}
        options = self.options
        output = options.output
        if write:
            try:
                check_output_dir(options.site_dir, output)
            except OutputError as error:
                raise SiteError([Problem(str(output), None, str(error))]) from None
        problems = Problems()
        site = self.load(problems)
        if site is None:
            raise SiteError(problems.sorted())
        self.lap("load and validate")
        templates = options.site_dir / TEMPLATES_DIR
        layout_key = digest(_folder_digest(templates, skip=STATIC_DIR), site.config.base_url, str(options.drafts),
                            (options.site_dir / CONFIG_FILE).read_bytes(),
                            *(f"{p.slug}:{p.title}" for p in site.pages))
        try:
            renderer = Renderer(site, templates, layout_key)
            jobs = renderer.plan()
            result = self._render_and_write(site, renderer, jobs, write)
        except jinja2.TemplateError as error:
            raise SiteError([template_problem(error, options.site_dir)]) from None
        except _WorkerTemplateError as error:
            raise SiteError([error.problem]) from None
        except OutputError as error:
            raise SiteError([Problem(TEMPLATES_DIR, None, str(error))]) from None
        self.site = site
        result.warnings = problems.sorted()
        result.seconds = time.perf_counter() - started
        result.peak_mb = peak_memory_mb()
        result.timings = self.timings
        return result

    def _render_and_write(self, site: Site, renderer: Renderer, jobs: list[PageJob], write: bool) -> BuildResult:
        options = self.options
        output = options.output.resolve()
        staging = Staging(output, self.cache.pages if self.cache.output == str(output) else {}, dry=not write)
        try:
            return self._render_into(site, renderer, jobs, staging, write)
        except BaseException:
            staging.discard()
            raise

    def _render_into(self, site: Site, renderer: Renderer, jobs: list[PageJob], staging: Staging,
                     write: bool) -> BuildResult:
        options = self.options
        output = staging.output
        result = BuildResult()
        # Static assets first: they are few, and a page may refer to them.
        static: dict[str, bytes] = {}
        folder = options.site_dir / TEMPLATES_DIR / STATIC_DIR
        for file, rel in _static_files(folder):
            static[f"{STATIC_DIR}/{rel}"] = file.read_bytes()
        keep = set(static)
        for job in jobs:
            if job.rel in keep:
                raise OutputError(f"two pages would be written to the same file '{job.rel}'")
            keep.add(job.rel)
        stale = [job for job in jobs if not staging.fresh(job.rel, job.key)]
        self.lap("plan")
        events_to_render = [job for job in stale if job.kind == "event"]
        card_keys = {e.slug: renderer.card_key(e) for e in site.events}
        missing_cards = [slug for slug, key in card_keys.items() if key not in self.cache.cards]
        # Event pages and cards in the workers (they write their pages into the staging folder).
        work = [("page", job.rel, job.key, job.args[0]) for job in events_to_render]
        work += [("card", "", "", slug) for slug in missing_cards]
        outcomes = map_chunks(_render_events, work, progress=self._progress("Rendering pages", len(work)),
                              renderer=renderer, staging=staging, site_dir=options.site_dir)
        for kind, rel, key, slug, value in outcomes:
            if kind == "card":
                self.cache.cards[card_keys[slug]] = value
            else:
                staging.record(rel, key, value == "written")
        self.lap("render events")
        self.cache.cards = {key: self.cache.cards[key] for key in card_keys.values()}
        renderer.cards = {slug: self.cache.cards[key] for slug, key in card_keys.items()}
        # Aggregate pages in this process: they reuse the cards.
        for job in stale:
            if job.kind != "event":
                staging.put(job.rel, job.key, renderer.render(job).encode("utf-8"))
        for rel, content in static.items():
            staging.put(rel, digest(content), content)
        for rel, content in render_publishing(site, [job.rel for job in jobs]):  # feeds, sitemap, data
            if rel in keep:
                raise OutputError(f"two pages would be written to the same file '{rel}'")
            keep.add(rel)
            staging.put(rel, digest(content), content)
        self.lap("render lists")
        result.rendered = len(stale)
        result.pages = len(keep)
        if write:
            result.written, result.removed, result.changed = staging.commit(keep)
            self.cache.pages = staging.records
            self.cache.output = str(output)
        else:
            result.written = staging.would_write
        result.unchanged = result.pages - result.written
        self.lap("write")
        return result

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


def _parse_events(chunk: Sequence[tuple[str, str]]) -> list[tuple[str, str, Event | None, list[Problem]]]:
    """Worker: read, parse and validate some event files and render their Markdown."""
    config: SiteConfig = state("config")
    rendered: dict[str, tuple[str, str]] = state("rendered")
    markdown = MarkdownRenderer()
    results: list[tuple[str, str, Event | None, list[Problem]]] = []
    for rel, path in chunk:
        problems = Problems()
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            problems.error(rel, None, f"cannot read file: {error.strerror}")
            results.append((rel, "", None, problems.items))
            continue
        file_hash = digest(raw)
        source = split_source(raw, rel, problems)
        event = read_event(source, config, problems) if source else None
        if event is not None:
            known = rendered.get(file_hash)
            if known is None:
                html = markdown.render(event.body)
                known = (html, first_paragraph(html))
            event.html, event.excerpt = known
        results.append((rel, file_hash, event, problems.items))
    return results


def _render_events(chunk: Sequence[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    """Worker: render event pages into the staging folder, and event cards; report what was done."""
    renderer: Renderer = state("renderer")
    staging: Staging = state("staging")
    site = renderer.site
    results = []
    for kind, rel, key, slug in chunk:
        event = site.event_by_slug[slug]
        try:
            if kind == "card":
                results.append((kind, rel, key, slug, renderer.render_card(event)))
            else:
                html = renderer.render(PageJob(rel, key, "event", (slug,)))
                written = staging.stage(rel, html.encode("utf-8"))
                results.append((kind, rel, key, slug, "written" if written else "same"))
        except jinja2.TemplateError as error:
            raise _WorkerTemplateError(template_problem(error, state("site_dir"))) from None
    return results


def _static_files(folder: Path) -> list[tuple[Path, str]]:
    if not folder.is_dir():
        return []
    return sorted((p, p.relative_to(folder).as_posix()) for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and not p.name.endswith(("~", ".swp", ".tmp")))


def _folder_digest(folder: Path, skip: str) -> str:
    parts: list[bytes | str] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith(skip + "/"):
            parts += [rel, path.read_bytes()]
    return digest(*parts)


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


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its largest worker, in MB (from the OS)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def check(options: BuildOptions) -> BuildResult:
    """Validate everything and render every page without writing; raise SiteError on problems."""
    started = time.perf_counter()
    builder = Builder(options)
    result = builder.run(write=False)
    builder.save_cache()
    result.seconds = time.perf_counter() - started
    return result


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site into options.output; raise SiteError and leave output/ alone on problems."""
    started = time.perf_counter()
    builder = Builder(options, progress)
    result = builder.run()
    builder.save_cache()
    builder.lap("save cache")
    result.seconds = time.perf_counter() - started
    return result
