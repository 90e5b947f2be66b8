"""Loading: site.yaml, content pages and profiles, and every event (from the cache when unchanged, else
parsed in the workers), validated; the layout key and the templates' environment."""

from __future__ import annotations

import os
import time


from generator.engine.event_shards import CachedEvent, trusted_stat
from generator.model.digest import digest
from generator.output.joined import Fragments
from generator.read.config import CONFIG_FILE, load_config
from generator.read.content import (ACTORS_DIR, EVENTS_DIR, PAGES_DIR, check_duplicate_slugs, content_files,
                                    load_pages, load_profiles, load_translated_pages, read_with_stat)
from generator.read.translations import attach
from generator.model.languages import translated_site
from generator.model.errors import Problem, Problems, SiteError
from generator.markup.markdown import MarkdownLimit
from generator.model.types import Event, Page, SiteConfig
from generator.engine.parallel import MIN_PARALLEL, map_chunks
from generator.render.environment import language_environments
from generator.render.i18n import CatalogError
from generator.render.pages import Renderer
from generator.model.site import Site, build_site, update_site
from generator.engine.stored import SpilledTexts, preload

from generator.pipeline.options import STATIC_DIR, TEMPLATES_DIR
from generator.pipeline.state import BuilderState
from generator.pipeline.workers import ParseInputs, _markdown, _parse_events
from generator.pipeline.signature import _folder_digest, compiled_templates


class Loading(BuilderState):
    """Reads and validates the site into a model.Site."""

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
        translated_pages = load_translated_pages(options.site_dir, PAGES_DIR, config, pages, problems)
        translated_profiles = load_translated_pages(options.site_dir, ACTORS_DIR, config, list(profiles.values()),
                                                    problems)
        self._prepare_layout(config, config_key, pages, profiles, translated_pages)
        events, translated_events = attach(self.load_events(config, config_key, problems), config, problems,
                                           options.site_dir)
        if problems.fatal(options.strict):
            return None
        if self._template_problem:
            raise SiteError([self._template_problem])
        if not options.drafts:
            events = [event for event in events if not event.draft]
        shown = [*pages, *profiles.values(), *(page for translated in (translated_pages, translated_profiles)
                                               for found in translated.values() for page in found.values())]
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
        last = self.site
        site = update_site(last, config, events, pages, profiles)
        site.translations = {code: translated_site(site, other, translated_events.get(code, {}),
                                                   translated_pages.get(code, {}), translated_profiles.get(code, {}),
                                                   (last, last.translations[code]) if last is not None and
                                                   code in last.translations else None)
                             for code, other in config.translations.items()}
        return site

    def _prepare_layout(self, config: SiteConfig, config_key: str, pages: list[Page],
                        profiles: dict[str, Page], translated: dict[str, dict[str, Page]]) -> None:
        """The layout key (templates, catalogs, configuration, content pages and their translated titles) and
        the Jinja2 environment of each language."""
        options = self.options
        templates = options.site_dir / TEMPLATES_DIR
        templates_key = _folder_digest(options.site_dir, TEMPLATES_DIR, skip=STATIC_DIR)
        self.layout_key = digest(templates_key, config.base_url, str(options.drafts), config_key,
                                 *(f"{p.slug}:{p.title}" for p in sorted(pages, key=lambda p: p.slug)),
                                 *(f"{code}:{slug}:{page.title}" for code, found in sorted(translated.items())
                                   for slug, page in sorted(found.items())))
        self.data_key = digest("data", config_key)  # the open data shows no template
        environments_key = digest(templates_key, *(repr(language) for language in config.languages))
        if self._environment is None or self._environment[0] != environments_key:
            bytecode = compiled_templates(options.site_dir, self.fingerprint) \
                if options.use_cache and not options.read_only else None
            try:
                self._environment = (environments_key, language_environments(templates, config, bytecode))
            except CatalogError as error:
                shown = error.path.relative_to(options.site_dir).as_posix() \
                    if error.path.is_relative_to(options.site_dir) else str(error.path)
                raise SiteError([Problem(shown, line, message) for line, message in error.problems]) from None
        self.environments = self._environment[1]
        self.environment = self.environments[config.lang]
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
                            shared=ParseInputs(config, rendered, self._card_renderer, self.options.site_dir,
                                               started_ns, str(spill) if spill else None,
                                               bool(spill and self.one_shot), self.options.drafts))
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
            elif event.translation is None:
                self.cache.cards[self._card_renderer.card_key(event)] = card
            if fragments is not None:
                made[f"{self.data_key}:{event.fingerprint}"] = fragments
            if not any(not p.warning for p in found):
                seen[rel] = CachedEvent(file_hash, config_key, event, found, stat)
        self._made_fragments.update(made)
        self.cache.events = seen
        events.sort(key=lambda e: e.path)
        check_duplicate_slugs([event for event in events if event.translation is None], problems)
        return events
