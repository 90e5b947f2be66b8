"""The rendering pass: static assets, cards, every stale page (in this process and the workers, into
the staging folder), then the commit that moves them into output/."""

from __future__ import annotations

import dataclasses


from generator.model.digest import digest
from generator.model.errors import Problems, SiteError
from generator.engine.parallel import chunks, map_chunks, map_groups, workers
from generator.publish.publishing import PUBLISHED
from generator.render.pages import Renderer
from generator.render.plan import PageJob
from generator.model.site import Site
from generator.output.staging import OutputError, Staged, Staging

from generator.pipeline.options import STATIC_DIR, TEMPLATES_DIR, BuildResult
from generator.pipeline.publish_pass import PublishPass
from generator.pipeline.search_pass import SearchPass
from generator.pipeline.workers import CardInputs, PageInputs, _render_cards, _render_pages
from generator.pipeline.signature import _static_files


class RenderPass(PublishPass, SearchPass):
    """Renders the stale pages of a planned site and writes them."""

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
        result = BuildResult()
        static = self._static()  # first: they are few, and a page may refer to them
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
        self._cards(renderer.all())
        for other in renderer.others.values():  # the feeds' and open data's words in their language
            other.site.gettext = other.gettext
        self.lap("cards")
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
               if job.kind in ("home", "places") or (job.kind == "actor" and job.number == 0)]
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
                              alongside=alongside, shared=PageInputs(renderer, staging, options.site_dir, stale))
        for rel, key, written in outcomes:
            if key.startswith(PUBLISHED):
                if rel in keep:
                    raise OutputError(f"two pages would be written to the same file '{rel}'")
                keep.add(rel)
            staging.record(rel, key, written)
        self.lap("render pages")
        self._search(site, jobs, staging, keep, result, deferred=first is not None)
        result.rendered = len(stale)
        result.pages = len(keep)
        self._commit(staging, keep, result, write, first)
        self.lap("write")
        return result

    def _static(self) -> dict[str, bytes]:
        """The static assets (templates/static/), by their output path."""
        static: dict[str, bytes] = {}
        problems = Problems()
        for file, rel in _static_files(self.options.site_dir, problems):
            try:
                static[f"{STATIC_DIR}/{rel}"] = file.read_bytes()
            except OSError as error:
                problems.error(f"{TEMPLATES_DIR}/{STATIC_DIR}/{rel}", None, f"cannot read it: {error.strerror}")
        if problems.items:
            raise SiteError(problems.sorted())
        return static

    def _cards(self, renderers: list[Renderer]) -> None:
        """Every event's card in every language: from the cache, else rendered now (in the workers when many)."""
        cards = self.cache.cards
        for renderer in renderers:
            site, card_key = renderer.site, renderer.card_key
            # after an edit in the preview, only the events the site's update touched can lack a card
            candidates = [site.event_by_slug[slug] for slug in site.touched] if site.base and self._same_layout \
                else site.events
            missing_cards = [event.slug for event in candidates if card_key(event) not in cards]
            if missing_cards:  # the templates changed: the lists show cards, so they come first
                made = map_chunks(_render_cards, missing_cards, progress=self._progress("Rendering cards",
                                  len(missing_cards)), shared=CardInputs(renderer, self.options.site_dir))
                for slug, html in made:
                    cards[card_key(site.event_by_slug[slug])] = html
        total = sum(len(renderer.site.events) for renderer in renderers)
        if len(cards) > total * 1.1 + 64:  # forget the cards of events that changed since
            live = {renderer.card_key(event) for renderer in renderers for event in renderer.site.events}
            cards = self.cache.cards = {key: html for key, html in cards.items() if key in live}
        for renderer in renderers:
            renderer.cards = cards

    def _commit(self, staging: Staging, keep: set[str], result: BuildResult, write: bool,
                first: set[str] | None) -> None:
        """Move the staged files into output/ (or, checking, count what would change) and record them."""
        output = staging.output
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
