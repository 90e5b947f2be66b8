"""The list pages (an actor's, a year's, a kind's, a tag's, a place's events) and the index pages (actors,
years, kinds, tags), rendered by a Renderer (pages.py); and the groupings they show."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Protocol

from markupsafe import Markup

from generator.model.dates import PartialDate
from generator.model.site import Site
from generator.model.types import Actor, Event, SiteConfig
from generator.render.chart import ChartRenderer
from generator.render.map import PlaceIndex
from generator.render.plan import PageJob, paged_rel


class Renderer(Protocol):
    """What the list pages need of pages.Renderer."""

    site: Site
    config: SiteConfig
    gettext: Callable[[str], str]

    @property
    def places(self) -> PlaceIndex: ...

    @property
    def chart(self) -> ChartRenderer: ...

    def page(self, template: str, **context: Any) -> str: ...


def _events_of(renderer: Renderer, kind: str, ident: Any) -> tuple[list[Event], str]:
    """The events of a list page and the address of its first page."""
    site = renderer.site
    if kind == "place":
        return renderer.places.by_slug[ident].events, f"places/{ident}/"
    lists: dict[str, dict[Any, list[Event]]] = {"actor": site.by_actor, "year": site.by_year,
                                                 "kind": site.by_kind, "tag": site.by_tag}
    return lists[kind].get(ident, []), f"{kind}s/{ident}/"


def _title(renderer: Renderer, kind: str, ident: Any) -> tuple[str, str]:
    """(title, heading) of a list page other than an actor's."""
    _, config = renderer.gettext, renderer.config
    if kind == "year":
        return _("Events of {year}").format(year=ident), _("Events of {year}").format(year=ident)
    if kind == "kind":
        return config.kinds[ident], config.kinds[ident]
    if kind == "place":
        name = _("Place: {place}").format(place=renderer.places.by_slug[ident].place.shown)
        return name, name
    tag = renderer.site.tag_names[ident]
    return _("Tag: {tag}").format(tag=tag), _("Events tagged “{tag}”").format(tag=tag)


def render_list(renderer: Renderer, job: PageJob) -> str:
    """One page of a list of events (an actor's first page also shows its chart, profile and other parts)."""
    ident, index, pages = job.ident, job.number, job.pages
    site, size = renderer.site, renderer.config.page_size
    events, base = _events_of(renderer, job.kind, ident)
    shown = events[index * size:(index + 1) * size]
    pagination = {
        "index": index, "pages": pages, "total": len(events),
        "first": index * size + 1, "last": index * size + len(shown),
        "urls": [site.url(paged_rel(base, n).removesuffix("index.html")) for n in range(pages)],
    }
    common = dict(timeline=group_by_month(shown), pagination=pagination)
    if job.kind == "actor":
        others = site.by_other_part.get(ident, []) if index == 0 else []
        return renderer.page("actor.html", actor=renderer.config.actors[ident], profile=site.profiles.get(ident),
                             events=events, chart=renderer.chart.actor(ident) if index == 0 else "",
                             other_parts=other_parts(renderer.config, ident, others), **common)
    title, heading = _title(renderer, job.kind, ident)
    return renderer.page("list.html", title=title, heading=heading, **common)


def other_parts(config: SiteConfig, actor: str, events: list[Event]) -> list[tuple[str, list[Event]]]:
    """The events where the actor had a role that backs no side, by role (in site.yaml's order)."""
    by_role: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        part = event.part(actor)
        if part is not None:
            by_role[part.role].append(event)
    return [(role.label, by_role[role.id]) for role in config.roles.values() if role.id in by_role]


def render_index(renderer: Renderer, job: PageJob) -> str:
    """The index of actors, years, kinds or tags."""
    site, config, _ = renderer.site, renderer.config, renderer.gettext
    which = job.ident
    if which == "actors":
        return renderer.page("actors.html", actor_groups=actor_groups(config, True, _))
    if which == "years":
        entries = [(str(y), site.url(f"years/{y}/"), len(e)) for y, e in site.by_year.items()]
        return renderer.page("index-list.html", title=_("Years"), entries=entries)
    if which == "kinds":
        entries = [(config.kinds[k], site.url(f"kinds/{k}/"), len(e)) for k, e in site.by_kind.items()]
        return renderer.page("index-list.html", title=_("Kinds of involvement"), entries=entries)
    entries = [(site.tag_names[t], site.url(f"tags/{t}/"), len(e)) for t, e in site.by_tag.items()]
    return renderer.page("index-list.html", title=_("Tags"), entries=entries)


def actor_groups(config: SiteConfig, include_local: bool = False,
                 gettext: Callable[[str], str] = str) -> list[tuple[str, list[Actor]]]:
    """Actors grouped under the side they mainly supported (the side most of their periods name)."""
    groups: dict[str, list[Actor]] = defaultdict(list)
    _ = gettext
    local, others = _("Local parties"), _("Mediators and others")
    for actor in config.actors.values():
        if not actor.foreign:
            if include_local:
                groups[local].append(actor)
            continue
        sides = [p.supports for p in actor.involvement if p.supports]
        side = max(sorted(set(sides)), key=sides.count) if sides else None
        label = _("Backing the {side}").format(side=config.sides[side].short) if side else others
        groups[label].append(actor)
    order = [_("Backing the {side}").format(side=s.short) for s in config.sides.values()]
    order += [others, local]
    return [(label, sorted(groups[label], key=lambda a: (a.start or PartialDate(9999), a.name)))
            for label in order if label in groups]


def group_by_month(events: list[Event]) -> list[tuple[int, list[tuple[PartialDate, list[Event]]]]]:
    """[(year, [(month as a PartialDate, or the year itself for year-precision events, [events])])]."""
    years: dict[int, dict[int, list[Event]]] = {}
    for event in events:
        date = event.date
        years.setdefault(date.year, {}).setdefault(date.month, []).append(event)
    return [(year, [(PartialDate(year, month), listed) for month, listed in months.items()])
            for year, months in years.items()]


def month_id(date: PartialDate) -> str:
    """The id of a month's section in a list of events: 'm-2020-03', or 'm-2015' for the year-only events."""
    return f"m-{date.year:04d}-{date.month:02d}" if date.month else f"m-{date.year:04d}"
