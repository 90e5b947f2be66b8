"""The whole site's model: sorted events and the indexes every page type is drawn from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .content import slugify
from .model import Event, Page, SiteConfig


@dataclass
class Site:
    config: SiteConfig
    events: list[Event]  # chronological
    pages: list[Page]
    profiles: dict[str, Page]
    by_actor: dict[str, list[Event]] = field(default_factory=dict)
    by_year: dict[int, list[Event]] = field(default_factory=dict)
    by_kind: dict[str, list[Event]] = field(default_factory=dict)
    by_tag: dict[str, list[Event]] = field(default_factory=dict)
    tag_names: dict[str, str] = field(default_factory=dict)  # tag slug -> tag as written
    event_by_slug: dict[str, Event] = field(default_factory=dict)
    previous: dict[str, Event | None] = field(default_factory=dict)
    following: dict[str, Event | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_path = self.config.base_path

    def url(self, path: str = "") -> str:
        """A root-relative link honouring base_url's path: url('events/x/') -> '/libya/events/x/'."""
        return self.base_path + path.lstrip("/")

    @staticmethod
    def tag_slug(tag: str) -> str:
        return slugify(tag)

    def absolute_url(self, path: str = "") -> str:
        base = self.config.base_url
        return (base if base.endswith("/") else base + "/") + path.lstrip("/")


def build_site(config: SiteConfig, events: list[Event], pages: list[Page], profiles: dict[str, Page]) -> Site:
    """Sort the events and build the indexes (by actor, year, kind, tag, previous/next)."""
    ordered = sorted(events, key=lambda e: e.sort_key)
    site = Site(config=config, events=ordered, pages=sorted(pages, key=lambda p: p.slug), profiles=profiles)
    by_actor: dict[str, list[Event]] = defaultdict(list)
    by_year: dict[int, list[Event]] = defaultdict(list)
    by_kind: dict[str, list[Event]] = defaultdict(list)
    by_tag: dict[str, list[Event]] = defaultdict(list)
    for index, event in enumerate(ordered):
        site.event_by_slug[event.slug] = event
        for actor in event.actors:
            by_actor[actor].append(event)
        by_year[event.date.year].append(event)
        by_kind[event.kind].append(event)
        for tag in event.tags:
            slug = slugify(tag)
            site.tag_names.setdefault(slug, tag)
            by_tag[slug].append(event)
        site.previous[event.slug] = ordered[index - 1] if index else None
        site.following[event.slug] = ordered[index + 1] if index + 1 < len(ordered) else None
    site.by_actor = {a: by_actor[a] for a in config.actors if a in by_actor}
    site.by_year = dict(sorted(by_year.items()))
    site.by_kind = {k: by_kind[k] for k in config.kinds if k in by_kind}
    site.by_tag = dict(sorted(by_tag.items()))
    return site
