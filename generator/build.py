"""load -> validate all -> render all -> write: the pipeline behind `build` and `check`."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .config import load_config
from .content import load_events, load_pages, load_profiles
from .errors import Problem, Problems, SiteError
from .markdown import MarkdownRenderer, first_paragraph
from .render import Renderer
from .site import Site, build_site
from .write import OutputError, OutputTree, check_output_dir, write_tree

TEMPLATES_DIR = "templates"
STATIC_DIR = "static"


@dataclass
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None  # default: <site>/output
    drafts: bool = False
    strict: bool = False
    base_url: str | None = None

    @property
    def output(self) -> Path:
        return self.output_dir or self.site_dir / "output"


@dataclass
class BuildResult:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)


def load_site(options: BuildOptions, problems: Problems) -> Site | None:
    """Read and validate site.yaml and content/, render the Markdown; None if there were errors."""
    config = load_config(options.site_dir, problems, options.base_url)
    if config is None:
        return None
    events = load_events(options.site_dir, config, problems)
    pages = load_pages(options.site_dir, problems)
    profiles = load_profiles(options.site_dir, config, problems)
    if problems.fatal(options.strict):
        return None
    if not options.drafts:
        events = [event for event in events if not event.draft]
    renderer = MarkdownRenderer()
    for event in events:
        event.html = renderer.render(event.body)
        event.excerpt = first_paragraph(event.html)
    for page in [*pages, *profiles.values()]:
        page.html = renderer.render(page.body)
    return build_site(config, events, pages, profiles)


def render_site(site: Site, options: BuildOptions) -> OutputTree:
    """Every page of the site in memory, plus the static assets; raises SiteError on template errors."""
    templates = options.site_dir / TEMPLATES_DIR
    tree = OutputTree()
    try:
        renderer = Renderer(site, templates)
        for rel, html in renderer.render_all():
            tree.add(rel, html)
    except jinja2.TemplateSyntaxError as error:
        raise SiteError([Problem(_template_path(error.filename, options), error.lineno, error.message or "")]) \
            from None
    except jinja2.TemplateError as error:
        path, line = _template_location(error, options)
        raise SiteError([Problem(path, line, f"template error: {error}")]) from None
    except OutputError as error:
        raise SiteError([Problem(TEMPLATES_DIR, None, str(error))]) from None
    tree.add_folder(templates / STATIC_DIR, STATIC_DIR)
    return tree


def _template_path(filename: str | None, options: BuildOptions) -> str:
    if not filename:
        return TEMPLATES_DIR
    try:
        return Path(filename).resolve().relative_to(options.site_dir.resolve()).as_posix()
    except ValueError:
        return filename


def _template_location(error: Exception, options: BuildOptions) -> tuple[str, int | None]:
    """The innermost template frame of a rendering error (Jinja2 rewrites tracebacks to point there)."""
    templates = str((options.site_dir / TEMPLATES_DIR).resolve())
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(templates):
            return _template_path(frame.filename, options), frame.lineno
    return TEMPLATES_DIR, None


def check(options: BuildOptions) -> BuildResult:
    """Validate everything, render in memory, write nothing; raise SiteError on problems."""
    started = time.perf_counter()
    problems = Problems()
    site = load_site(options, problems)
    if site is None:
        raise SiteError(problems.sorted())
    tree = render_site(site, options)
    return BuildResult(pages=len(tree.files), seconds=time.perf_counter() - started,
                       warnings=problems.sorted())


def build(options: BuildOptions) -> BuildResult:
    """Build the site into options.output, atomically; raise SiteError and leave output/ alone on problems."""
    started = time.perf_counter()
    problems = Problems()
    try:
        check_output_dir(options.site_dir, options.output)
    except OutputError as error:
        raise SiteError([Problem(str(options.output), None, str(error))]) from None
    site = load_site(options, problems)
    if site is None:
        raise SiteError(problems.sorted())
    tree = render_site(site, options)
    written, unchanged = write_tree(tree, options.output)
    return BuildResult(pages=len(tree.files), written=written, unchanged=unchanged,
                       seconds=time.perf_counter() - started, warnings=problems.sorted())
