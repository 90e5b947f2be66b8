"""The Jinja2 environment and one function per page type; returns (output path, HTML) pairs."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

import jinja2

from .dates import PartialDate, language_name
from .model import Actor, EndDate, Event, Involvement, SiteConfig
from .site import Site

Rendered = tuple[str, str]


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


class Renderer:
    """Renders every page of a Site with the templates of one folder."""

    def __init__(self, site: Site, templates_dir: Path) -> None:
        self.site = site
        self.config: SiteConfig = site.config
        self.env = make_environment(templates_dir)
        self.env.globals.update(
            site=site, config=site.config, url=site.url, actors=site.config.actors,
            sides=site.config.sides, kinds=site.config.kinds,
        )
        self.env.filters.update(
            when=self.when, pdate=self.pdate, language_name=self.language_name,
            involvement_range=self.involvement_range,
        )

    # -- filters -----------------------------------------------------------------------------
    def pdate(self, date: PartialDate | None, approximate: bool = False) -> str:
        return date.display(self.config.language, approximate) if date else ""

    def when(self, event: Event) -> str:
        """The event's date as shown: '2 January 2020', 'c. 2015', '31 August 2020 – 1 September 2020'."""
        text = event.date.display(self.config.language, event.approximate)
        return text + self._end_text(event.end)

    def _end_text(self, end: EndDate) -> str:
        if end == "ongoing":
            return " – ongoing"
        if isinstance(end, PartialDate):
            return " – " + end.display(self.config.language)
        return ""

    def involvement_range(self, period: Involvement) -> str:
        start = period.start.display(self.config.language)
        if period.end == "ongoing" or period.end is None:
            return f"since {start}"
        assert isinstance(period.end, PartialDate)
        return f"{start} – {period.end.display(self.config.language)}"

    def language_name(self, code: str) -> str:
        return language_name(code, self.config.language)

    # -- pages -------------------------------------------------------------------------------
    def page(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def render_all(self) -> Iterator[Rendered]:
        yield from self.render_home()
        for event in self.site.events:
            yield self.render_event(event)
        yield from self.render_actors()
        yield from self.render_groups()
        for page in self.site.pages:
            yield f"{page.slug}/index.html", self.page("page.html", page=page)
        yield "404.html", self.page("404.html")

    def render_home(self) -> Iterator[Rendered]:
        yield "index.html", self.page(
            "home.html", timeline=group_by_month(self.site.events), actor_groups=self.actor_groups(),
        )

    def render_event(self, event: Event) -> Rendered:
        return f"events/{event.slug}/index.html", self.page(
            "event.html", event=event, previous=self.site.previous.get(event.slug),
            following=self.site.following.get(event.slug),
        )

    def render_actors(self) -> Iterator[Rendered]:
        yield "actors/index.html", self.page("actors.html", actor_groups=self.actor_groups(include_local=True))
        for actor in self.config.actors.values():
            yield f"actors/{actor.id}/index.html", self.page(
                "actor.html", actor=actor, profile=self.site.profiles.get(actor.id),
                events=self.site.by_actor.get(actor.id, []),
            )

    def render_groups(self) -> Iterator[Rendered]:
        site = self.site
        yield "years/index.html", self.page("index-list.html", title="Years", entries=[
            (str(year), site.url(f"years/{year}/"), len(events)) for year, events in site.by_year.items()])
        for year, events in site.by_year.items():
            yield f"years/{year}/index.html", self.page(
                "list.html", title=str(year), heading=f"Events of {year}", timeline=group_by_month(events))
        yield "kinds/index.html", self.page("index-list.html", title="Kinds of involvement", entries=[
            (self.config.kinds[k], site.url(f"kinds/{k}/"), len(events)) for k, events in site.by_kind.items()])
        for kind, events in site.by_kind.items():
            label = self.config.kinds[kind]
            yield f"kinds/{kind}/index.html", self.page(
                "list.html", title=label, heading=label, timeline=group_by_month(events))
        yield "tags/index.html", self.page("index-list.html", title="Tags", entries=[
            (site.tag_names[t], site.url(f"tags/{t}/"), len(events)) for t, events in site.by_tag.items()])
        for tag, events in site.by_tag.items():
            name = site.tag_names[tag]
            yield f"tags/{tag}/index.html", self.page(
                "list.html", title=f"Tag: {name}", heading=f"Events tagged “{name}”",
                timeline=group_by_month(events))

    def actor_groups(self, include_local: bool = False) -> list[tuple[str, list[Actor]]]:
        """Actors grouped under the side they mainly supported (their first period's side)."""
        groups: dict[str, list[Actor]] = defaultdict(list)
        for actor in self.config.actors.values():
            if not actor.foreign and not include_local:
                continue
            if not actor.foreign:
                groups["Libyan parties"].append(actor)
                continue
            sides = [p.supports for p in actor.involvement if p.supports]
            side = max(set(sides), key=sides.count) if sides else None
            label = f"Backing the {self.config.sides[side].short}" if side else "Mediators and others"
            groups[label].append(actor)
        order = [f"Backing the {s.short}" for s in self.config.sides.values()] + ["Mediators and others",
                                                                                  "Libyan parties"]
        return [(label, sorted(groups[label], key=lambda a: (a.start or PartialDate(9999), a.name)))
                for label in order if label in groups]


def group_by_month(events: list[Event]) -> list[tuple[int, list[tuple[PartialDate, list[Event]]]]]:
    """[(year, [(month as a PartialDate, or the year itself for year-precision events, [events])])]."""
    years: dict[int, dict[PartialDate, list[Event]]] = {}
    for event in events:
        month = PartialDate(event.date.year, event.date.month)
        years.setdefault(event.date.year, {}).setdefault(month, []).append(event)
    return [(year, list(months.items())) for year, months in years.items()]
