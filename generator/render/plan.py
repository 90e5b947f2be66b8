"""The page plan: every output page of a site as a job, with the key of everything it shows.

A page's key is a hash of its inputs (the layout: templates, configuration and the list of content
pages; plus the events on it), so a build can skip any page whose key has not changed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

from generator.model.digest import digest, digest_many
from generator.model.site import Site
from generator.model.types import Event, SiteConfig
from generator.render.chart import ChartMemo
from generator.render.map import PlaceIndex, region_key


class PageJob(NamedTuple):
    """One output page: where it goes, what it depends on, and what to render."""

    rel: str
    key: str
    kind: str  # a key of render.pages.PAGE_KINDS: event, home, places, actor, year, kind, tag, place, index, page,
    # search, 404
    ident: Any = None  # which event (slug), list (actor id, year, kind, tag, place), index or content page
    number: int = 0  # of a paged list: this page's position (from 0)
    pages: int = 1  # and how many pages the list has
    language: str = ""  # the code of its language, if not the site's default (rel is then under its folder)


def paged_rel(base: str, index: int) -> str:
    """'years/2020/' + page 0 -> 'years/2020/index.html'; page 2 -> 'years/2020/page/3/index.html'."""
    return f"{base}index.html" if index == 0 else f"{base}page/{index + 1}/index.html"


# What one build made that the next build of the same layout may reuse (the preview server rebuilds after each
# save): the event pages' jobs, the digests of list pages, and the chart's memo. Each Renderer is given the last
# build's (known) and fills its own (used).
@dataclass
class Reuse:
    layout: str = ""  # the layout key they were made under: nothing is reused across layouts
    event_jobs: tuple[Site, str, dict[str, PageJob]] | None = None  # the site planned, its layout, jobs by slug
    page_digests: dict[tuple[int, int], tuple[list[Event], list[str]]] = field(default_factory=dict)
    # ^ by (id of an events list, page size): the list (kept alive, so its id is not reused) and its pages' digests
    chart: ChartMemo | None = None  # None: no chart drawn yet under this layout
    maps: dict[str, str] = field(default_factory=dict)  # the map's SVG by its key (map_key)
    others: dict[str, Reuse] = field(default_factory=dict)  # the same, of the site in each other language

    def other(self, code: str, layout: str) -> Reuse:
        """What the site in another language (its layout key is layout) may reuse: its own, else the SVG of
        the chart's lanes and of the map alone, which the build cache keeps for every language (their keys
        hold the layout)."""
        return self.others.get(code) or Reuse(layout, chart=ChartMemo(svgs=self.chart.svgs) if self.chart else None,
                                              maps=self.maps)

    def svgs(self) -> dict[str, str]:
        """The SVG of the chart's lanes and of the map in every language (the build cache keeps them all in
        one table)."""
        return {key: svg for reuse in (self, *self.others.values())
                for key, svg in (*(reuse.chart.svgs.items() if reuse.chart else ()), *reuse.maps.items())}

    @staticmethod
    def cached(reuse: Reuse, svgs: dict[str, str]) -> Reuse:
        """reuse, with the chart's lanes and the maps as the build cache kept them (svgs())."""
        return dataclasses.replace(reuse, chart=ChartMemo(svgs={k: v for k, v in svgs.items() if not is_map_key(k)}),
                                   maps={k: v for k, v in svgs.items() if is_map_key(k)})


MAP_KEY = "map:"


def map_key(layout: str, places: PlaceIndex) -> str:
    """The key of a map's SVG: the layout (templates, configuration and language) and the places it shows, each
    with its number of events (what its circle and its label show)."""
    return MAP_KEY + digest(layout, *(f"{entry.slug}:{len(entry.events)}" for entry in places.places))


def is_map_key(key: str) -> bool:
    return key.startswith(MAP_KEY)


class PagePlanner:
    """Plans every page of a Site. known and used are the renderer's: what the last build planned that this
    one may reuse (event page jobs, list digests), and what this one made."""

    def __init__(self, site: Site, layout_key: str, known: Reuse | None, used: Reuse,
                 places: Callable[[], PlaceIndex]) -> None:
        self.site = site
        self.config: SiteConfig = site.config
        self.layout_key = layout_key
        self.known = known
        self.used = used
        self._places = places

    def plan(self) -> list[PageJob]:
        """Every page of the site, in a stable order, each with the key of its inputs."""
        site, layout = self.site, self.layout_key
        everything = digest_many("events", [e.fingerprint for e in site.events])
        jobs = [PageJob("index.html", digest("home", layout, region_key(), everything), "home")]
        jobs.extend(self._event_jobs().values())
        milestones = digest_many("milestones", [e.fingerprint for e in site.events if e.milestone])
        for actor in self.config.actors.values():
            events = site.by_actor.get(actor.id, [])
            profile = site.profiles.get(actor.id)
            # the first page shows the chart and the events where the actor had another part: every event of
            # the actor, and the milestones
            extra = digest(profile.html if profile else "", *self.actor_digests(actor.id)) + milestones
            jobs.extend(self._paged("actor", actor.id, f"actors/{actor.id}/", events, extra))
        for year, events in site.by_year.items():
            jobs.extend(self._paged("year", year, f"years/{year}/", events))
        for kind, events in site.by_kind.items():
            jobs.extend(self._paged("kind", kind, f"kinds/{kind}/", events))
        for tag, events in site.by_tag.items():
            jobs.extend(self._paged("tag", tag, f"tags/{tag}/", events))
        for entry in self._places().places:
            jobs.extend(self._paged("place", entry.slug, f"places/{entry.slug}/", entry.events))
        jobs.append(PageJob("places/index.html", digest("places", layout, region_key(), everything), "places"))
        counts = digest(*(f"{a}:{len(e)}" for a, e in site.by_actor.items()),
                        *(f"{y}:{len(e)}" for y, e in site.by_year.items()),
                        *(f"{k}:{len(e)}" for k, e in site.by_kind.items()),
                        *(f"{t}:{len(e)}" for t, e in site.by_tag.items()))
        for index in ("actors", "years", "kinds", "tags"):
            jobs.append(PageJob(f"{index}/index.html", digest("index", layout, index, counts), "index", index))
        for page in site.pages:
            jobs.append(PageJob(f"{page.slug}/index.html", digest("page", layout, page.slug, page.html), "page",
                                page.slug))
        if self.config.search:  # its filters offer the years, kinds and actors with events
            jobs.append(PageJob("search/index.html", digest("search", layout, counts), "search"))
        jobs.append(PageJob("404.html", digest("404", layout), "404"))
        return jobs

    def _event_jobs(self) -> dict[str, PageJob]:
        """The event pages' jobs, by slug; when the site was updated from the last one planned, only those
        of the events it touched are made again."""
        site = self.site
        known = self.known.event_jobs if self.known else None
        if known is not None and site.base and id(known[0]) == site.base and known[1] == self.layout_key:
            jobs: dict[str, PageJob] = dict(known[2])
            for slug in site.touched:
                jobs[slug] = self._event_job(site.event_by_slug[slug])
        else:
            jobs = {event.slug: self._event_job(event) for event in site.events}
        self.used.event_jobs = (site, self.layout_key, jobs)
        return jobs

    def _event_job(self, event: Event) -> PageJob:
        # the key of a page that shows one event (and its neighbours' titles) joins their fingerprints
        previous, following = self.site.previous.get(event.slug), self.site.following.get(event.slug)
        key = f"event:{self.layout_key}:{event.fingerprint}:{previous.fingerprint if previous else ''}:" \
              f"{following.fingerprint if following else ''}"
        return PageJob(f"events/{event.slug}/index.html", key, "event", event.slug)

    def _paged(self, kind: str, ident: Any, base: str, events: list[Event], extra: str = "") -> list[PageJob]:
        size = self.config.page_size
        pages = max(1, math.ceil(len(events) / size))
        shown = self._page_digests(events)
        return [PageJob(paged_rel(base, n), digest(kind, self.layout_key, str(ident), str(n), str(pages), extra,
                                                   shown[n]), kind, ident, n, pages) for n in range(pages)]

    def _page_digests(self, events: list[Event]) -> list[str]:
        """The digest of the events on each page of a list; reused while the list is the same object (the
        preview server's site copies only the lists an edit changes)."""
        key = (id(events), self.config.page_size)
        known = self.known.page_digests.get(key) if self.known else None
        if known is not None and known[0] is events:
            digests: list[str] = known[1]
        else:
            size = self.config.page_size
            digests = [digest_many("events", [e.fingerprint for e in events[n:n + size]])
                       for n in range(0, max(1, len(events)), size)]
        self.used.page_digests[key] = (events, digests)
        return digests

    def actor_digests(self, actor: str) -> list[str]:
        """The digests of an actor's pages of events, and of the events where it had another part."""
        return [*self._page_digests(self.site.by_actor.get(actor, [])),
                "others", *self._page_digests(self.site.by_other_part.get(actor, []))]
