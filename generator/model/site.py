"""The whole site's model: sorted events and the indexes every page type is drawn from."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Callable

from generator.model.text import slugify
from generator.model.places import place_location
from generator.model.types import Event, Page, SiteConfig

SORT_KEY = attrgetter("sort_key")  # events are ordered by it; bisect with key=SORT_KEY


@dataclass
class Site:
    config: SiteConfig
    events: list[Event]  # chronological
    pages: list[Page]
    profiles: dict[str, Page]
    by_actor: dict[str, list[Event]] = field(default_factory=dict)  # the events each actor acted in
    by_other_part: dict[str, list[Event]] = field(default_factory=dict)  # those where it only enforced, hosted…
    by_year: dict[int, list[Event]] = field(default_factory=dict)
    by_kind: dict[str, list[Event]] = field(default_factory=dict)
    by_tag: dict[str, list[Event]] = field(default_factory=dict)
    by_place: dict[str, list[Event]] = field(default_factory=dict)  # place name (gazetteer) -> events
    tag_names: dict[str, str] = field(default_factory=dict)  # tag slug -> tag as written
    event_by_slug: dict[str, Event] = field(default_factory=dict)
    previous: dict[str, Event | None] = field(default_factory=dict)
    following: dict[str, Event | None] = field(default_factory=dict)
    base: int = 0  # the id() of the site this one was updated from (update_site), 0 if built afresh
    touched: frozenset[str] = frozenset()  # then: the events changed, and those whose neighbours changed
    changed: frozenset[str] = frozenset()  # then: the events changed
    translations: dict[str, Site] = field(default_factory=dict)  # the site in each of its other languages
    gettext: Callable[[str], str] = field(default=str)  # the interface's words in its language (the pipeline's)

    def __post_init__(self) -> None:
        self.base_path = self.config.base_path

    def url(self, path: str = "") -> str:
        """A root-relative link honouring base_url's path: url('events/x/') -> '/timeline/events/x/'."""
        return self.base_path + path.lstrip("/")

    @staticmethod
    def tag_slug(tag: str) -> str:
        return slugify(tag)

    def absolute_url(self, path: str = "") -> str:
        base = self.config.base_url
        return (base if base.endswith("/") else base + "/") + path.lstrip("/")

    def absolute_asset_url(self, path: str) -> str:
        """A static file's full address (they are at the site's root, shared by its languages)."""
        base = self.config.root_url or self.config.base_url
        return (base if base.endswith("/") else base + "/") + path.lstrip("/")


def build_site(config: SiteConfig, events: list[Event], pages: list[Page], profiles: dict[str, Page]) -> Site:
    """Sort the events and build the indexes (by actor, year, kind, tag, previous/next)."""
    ordered = sorted(events, key=SORT_KEY)
    site = Site(config=config, events=ordered, pages=sorted(pages, key=lambda p: p.slug), profiles=profiles)
    by_actor: dict[str, list[Event]] = defaultdict(list)
    by_other_part: dict[str, list[Event]] = defaultdict(list)
    by_year: dict[int, list[Event]] = defaultdict(list)
    by_kind: dict[str, list[Event]] = defaultdict(list)
    by_tag: dict[str, list[Event]] = defaultdict(list)
    by_place: dict[str, list[Event]] = defaultdict(list)
    placed: dict[str, tuple[str, ...]] = {}
    slugs: dict[str, str] = {}  # tag -> slugify(tag), computed once per tag
    for index, event in enumerate(ordered):
        site.event_by_slug[event.slug] = event
        for part in event.parts:
            (by_actor if part.acts else by_other_part)[part.id].append(event)
        by_year[event.date.year].append(event)
        by_kind[event.kind].append(event)
        for slug, tag in {slugs.get(tag) or slugs.setdefault(tag, slugify(tag)): tag  # 'Oil' and 'oil' once
                          for tag in reversed(event.tags)}.items():
            site.tag_names.setdefault(slug, tag)
            by_tag[slug].append(event)
        if event.location:
            if event.location not in placed:
                placed[event.location] = place_names(event.location, config)
            for name in placed[event.location]:
                by_place[name].append(event)
        site.previous[event.slug] = ordered[index - 1] if index else None
        site.following[event.slug] = ordered[index + 1] if index + 1 < len(ordered) else None
    site.by_actor = {a: by_actor[a] for a in config.actors if a in by_actor}
    site.by_other_part = {a: by_other_part[a] for a in config.actors if a in by_other_part}
    site.by_year = dict(sorted(by_year.items()))
    site.by_kind = {k: by_kind[k] for k in config.kinds if k in by_kind}
    site.by_tag = dict(sorted(by_tag.items()))
    site.by_place = dict(sorted(by_place.items()))
    return site


def place_names(location: str | None, config: SiteConfig) -> tuple[str, ...]:
    """The names of the gazetteer's places that a location names (each once)."""
    if not location:
        return ()
    return tuple(dict.fromkeys(place.name for place in place_location(location, config.places)))


MAX_CHANGES = 64  # beyond this many changed events, building afresh is as quick


def update_site(old: Site | None, config: SiteConfig, events: list[Event], pages: list[Page],
                profiles: dict[str, Page]) -> Site:
    """build_site(config, events, pages, profiles), made from the last build's site by moving the few
    events that changed, when the site has the same configuration and the same events by slug and no
    group of events (actor, year, kind, tag) appears or disappears; else built afresh."""
    changed = _changed_events(old, config, events)
    if old is None or changed is None:
        return build_site(config, events, pages, profiles)
    by_actor, by_other_part, by_year = dict(old.by_actor), dict(old.by_other_part), dict(old.by_year)
    by_kind, by_tag, by_place = dict(old.by_kind), dict(old.by_tag), dict(old.by_place)
    copied: set[int] = set()  # the lists already copied (the old site's are left as they were)

    def move(groups: dict[Any, list[Event]], before: Event | None, after: Event | None, old_key: Any,
             new_key: Any) -> bool:
        """Take `before` out of its group and put `after` into its own; False if a group would empty or
        is missing (then the site is built afresh)."""
        for key, event, insert in ((old_key, before, False), (new_key, after, True)):
            if event is None:
                continue
            if key not in groups:
                return False
            group = groups[key]
            if id(group) not in copied:
                group = groups[key] = list(group)
                copied.add(id(group))
            if insert:
                insort(group, event, key=SORT_KEY)
            else:
                del group[bisect_left(group, event.sort_key, key=SORT_KEY)]
                if not group:
                    return False
        return True

    ordered = list(old.events)
    event_by_slug = dict(old.event_by_slug)
    touched: set[str] = set()  # events whose previous or next event may have changed
    for new in changed:
        before = old.event_by_slug[new.slug]
        index = bisect_left(ordered, before.sort_key, key=SORT_KEY)
        touched.update(e.slug for e in ordered[max(0, index - 1):index + 2])
        del ordered[index]
        insort(ordered, new, key=SORT_KEY)
        index = bisect_left(ordered, new.sort_key, key=SORT_KEY)
        touched.update(e.slug for e in ordered[max(0, index - 1):index + 2])
        event_by_slug[new.slug] = new
        old_tags, new_tags = {slugify(t) for t in before.tags}, {slugify(t) for t in new.tags}
        moves: list[tuple[dict[Any, list[Event]], Any, Any]] = []
        for groups, acting in ((by_actor, True), (by_other_part, False)):
            old_actors = {part.id for part in before.parts if part.acts == acting}
            new_actors = {part.id for part in new.parts if part.acts == acting}
            moves += [(groups, actor, actor) for actor in old_actors & new_actors]
            moves += [(groups, actor, None) for actor in old_actors - new_actors]
            moves += [(groups, None, actor) for actor in new_actors - old_actors]
        moves += [(by_tag, tag, tag) for tag in old_tags & new_tags]
        moves += [(by_tag, tag, None) for tag in old_tags - new_tags]
        moves += [(by_tag, None, tag) for tag in new_tags - old_tags]
        old_places, new_places = set(place_names(before.location, config)), set(place_names(new.location, config))
        moves += [(by_place, name, name) for name in old_places & new_places]
        moves += [(by_place, name, None) for name in old_places - new_places]
        moves += [(by_place, None, name) for name in new_places - old_places]
        moves += [(by_year, before.date.year, new.date.year), (by_kind, before.kind, new.kind)]
        for groups, old_key, new_key in moves:
            if not move(groups, before if old_key is not None else None, new if new_key is not None else None,
                        old_key, new_key):
                return build_site(config, events, pages, profiles)
    site = Site(config=config, events=ordered, pages=sorted(pages, key=lambda p: p.slug), profiles=profiles,
                by_actor=by_actor, by_other_part=by_other_part, by_year=by_year, by_kind=by_kind, by_tag=by_tag, by_place=by_place,
                tag_names=dict(old.tag_names), event_by_slug=event_by_slug, previous=dict(old.previous),
                following=dict(old.following), base=id(old),
                touched=frozenset(touched | {event.slug for event in changed}),
                changed=frozenset(event.slug for event in changed))
    for slug in touched:
        event = event_by_slug[slug]
        index = bisect_left(ordered, event.sort_key, key=SORT_KEY)
        site.previous[slug] = ordered[index - 1] if index else None
        site.following[slug] = ordered[index + 1] if index + 1 < len(ordered) else None
    for tag in {slugify(t) for new in changed for t in new.tags + old.event_by_slug[new.slug].tags}:
        first = by_tag[tag][0]  # the tag as the first event that has it writes it
        site.tag_names[tag] = next(t for t in first.tags if slugify(t) == tag)
    return site


def _changed_events(old: Site | None, config: SiteConfig, events: list[Event]) -> list[Event] | None:
    """The events that are not the old site's own objects, if the site can be updated with them."""
    if old is None or old.config is not config or len(old.events) != len(events):
        return None
    changed = []
    known = old.event_by_slug
    for event in events:
        if known.get(event.slug) is not event:
            if event.slug not in known:
                return None
            changed.append(event)
            if len(changed) > MAX_CHANGES:
                return None
    if len({event.slug for event in changed}) != len(changed):
        return None  # a duplicate slug: reported by validation, and the site built afresh
    return changed
