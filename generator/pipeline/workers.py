"""What the worker processes run: parsing events (with their Markdown, cards and open data fragments),
rendering cards and pages; and how a template error comes back from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import jinja2

from generator.engine.event_shards import Stat, trusted_stat
from generator.model.digest import digest
from generator.read.content import read_event, read_with_stat, split_source
from generator.model.errors import Problem, Problems
from generator.markup.markdown import MarkdownLimit, MarkdownRenderer, first_paragraph
from generator.model.types import Event, SiteConfig
from generator.engine.parallel import shared
from generator.publish.exports import event_fragments
from generator.render.pages import Renderer
from generator.render.plan import PageJob
from generator.output.spill import TEXTS_SUFFIX, Spilled, spill
from generator.output.joined import Fragments
from generator.output.staging import Staged, Staging
from generator.pipeline.options import TEMPLATES_DIR
from pathlib import Path



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
@dataclass
class ParseInputs:
    """What the workers parsing events need (map_chunks(_parse_events, …, shared=ParseInputs(…)))."""

    config: SiteConfig
    rendered: dict[str, tuple[str, str]]  # file hash -> (html, excerpt) of events whose Markdown is known
    renderer: Renderer  # the cards'
    site_dir: Path
    started_ns: int
    spill: str | None  # the folder to spill fragments (and, with spill_texts, texts) into, if any
    spill_texts: bool
    drafts: bool


@dataclass
class CardInputs:
    renderer: Renderer
    site_dir: Path


@dataclass
class PageInputs:
    renderer: Renderer
    staging: Staging
    site_dir: Path
    pages: list[PageJob]  # the jobs the workers' groups hold indices into


class ParsedEvent(NamedTuple):
    """What a worker makes of one event file: the event (None if it had errors), what was wrong, its card
    (or the template error that stopped it), its open data fragments and, when spilled, where its texts lie."""

    rel: str
    file_hash: str
    event: Event | None
    problems: list[Problem]
    card: str | Problem
    fragments: Fragments | None
    stat: Stat | None
    spans: TextSpans | None


def _parse_events(chunk: Sequence[tuple[str, str]]) -> list[ParsedEvent]:
    """Worker: read, parse and validate some event files, render their Markdown and cards, and make their
    share of the open data files; a template error comes back in place of the card.

    Each step runs over the whole chunk before the next (YAML, then Markdown, then the cards, then the
    open data): one library's code and data at a time stay in the processor's caches, which makes the
    chunk a sixth quicker than taking each event through every step."""
    inputs = shared(ParseInputs)
    config, rendered, renderer = inputs.config, inputs.rendered, inputs.renderer
    started_ns, drafts = inputs.started_ns, inputs.drafts
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
            results.append(ParsedEvent(rel, "", None, problems.items, "", None, None, None))
            continue
        file_hash = digest(raw)
        source = split_source(raw, rel, problems)
        if source is not None and not drafts and source.meta.get("draft") is True:
            source = None  # left out unread: a draft may be unfinished (an imported one is)
        event = read_event(source, config, problems) if source else None
        if event is None:
            results.append(ParsedEvent(rel, file_hash, None, problems.items, "", None, None, None))
            continue
        event.fingerprint = digest(file_hash, rel)  # the slug comes from the path
        parsed.append((len(results), rel, file_hash, event, problems, stat))
        body_lines[id(event)] = source.body_line  # type: ignore[union-attr]
        results.append(ParsedEvent(rel, file_hash, None, [], "", None, None, None))
    missing = [event for _, _, file_hash, event, _, _ in parsed if file_hash not in rendered]
    made = dict(zip((id(event) for event in missing), markdown.render_checked([event.body for event in missing])))
    for entry in list(parsed):
        n, rel, file_hash, event, problems, _ = entry
        if (known := rendered.get(file_hash)) is not None:
            event.html, event.excerpt = known
        elif isinstance(html := made[id(event)], MarkdownLimit):
            problems.error(rel, body_lines[id(event)], html.message)
            results[n] = ParsedEvent(rel, file_hash, None, problems.items, "", None, None, None)
            parsed.remove(entry)
        else:
            event.html = html
            event.excerpt = first_paragraph(html)
    cards: list[str | Problem] = []
    for _, _, _, event, _, _ in parsed:
        if event.translation is not None:  # a translation's card is its original's, in its language's site
            cards.append("")
            continue
        try:
            cards.append(renderer.render_card(event))
        except jinja2.TemplateError as error:
            cards.append(template_problem(error, inputs.site_dir))
    for (n, rel, file_hash, event, problems, stat), card in zip(parsed, cards):
        fragments = event_fragments(site, event) if event.translation is None else None
        results[n] = ParsedEvent(rel, file_hash, event, problems.items, card, fragments, stat, None)
    if inputs.spill:
        _spill(results, inputs.spill, inputs.spill_texts)
    return results


def _spill(results: list[ParsedEvent], folder: str, texts: bool) -> None:
    """Worker: spill each event's open data fragments (spill.py) and put where they lie in their place;
    with texts, its HTML, excerpt and Markdown too (left empty on the event), into a file of their own that
    the cache can keep (engine/text_files.py)."""
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
        results[n] = ParsedEvent(rel, file_hash, event, found, card, spilled, stat, spans)


def _render_cards(chunk: Sequence[str]) -> list[tuple[str, str]]:
    """Worker: render the cards of some events."""
    inputs = shared(CardInputs)
    renderer = inputs.renderer
    try:
        return [(slug, renderer.render_card(renderer.site.event_by_slug[slug])) for slug in chunk]
    except jinja2.TemplateError as error:
        raise _WorkerTemplateError(template_problem(error, inputs.site_dir)) from None


def _render_pages(chunk: Sequence[int]) -> list[tuple[str, str, Staged]]:
    """Worker: render pages (by their index in the "pages" handed over) into the staging folder; (path, key,
    what stage() did)."""
    inputs = shared(PageInputs)
    renderer, staging, pages = inputs.renderer, inputs.staging, inputs.pages
    try:
        made = [(page, renderer.render(page).encode("utf-8")) for page in (pages[index] for index in chunk)]
    except jinja2.TemplateError as error:
        raise _WorkerTemplateError(template_problem(error, inputs.site_dir)) from None
    # written after the group is rendered, not one by one between the renderings (see _parse_events)
    return [(page.rel, page.key, staging.stage(page.rel, content)) for page, content in made]


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
    missing = error.name if isinstance(error, jinja2.TemplateNotFound) else None
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(templates):  # (one template imports or extends another)
            message = f"template error: the template {missing} is missing" if missing else f"template error: {error}"
            return Problem(relative(frame.filename), frame.lineno, message)
    if missing:
        return Problem(f"{TEMPLATES_DIR}/{missing}", None, "the template is missing: a kind of page the site has is "
                                                              "rendered with it")
    return Problem(TEMPLATES_DIR, None, f"template error: {error}")
