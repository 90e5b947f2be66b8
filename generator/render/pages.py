"""Rendering pages: the helpers templates call, the cards, the chart and the map, and a table of page kinds.

Which pages exist and what each depends on is the plan's (plan.py); the environment is environment.py's.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import jinja2
import jinja2.runtime
from markupsafe import Markup

from generator.model.digest import digest
from generator.render.chart import ChartRenderer, Texts
from generator.model.dates import PartialDate, display_range, language_name
from generator.model.text import slugify
from generator.model.places import place_location
from generator.render.map import MapRenderer, PlaceIndex, index_places
from generator.model.types import Actor, EndDate, Event, Involvement, Page, Part, SiteConfig
from generator.model.roles import role_groups
from generator.model.site import SORT_KEY, Site
from generator.render.environment import language_environments, make_environment
from generator.render.i18n import plural_texts
from babel.support import NullTranslations
from generator.render.plan import PageJob, PagePlanner, Reuse, paged_rel

HOME_RECENT = 100  # events on the home page of a site too large to list whole


class Renderer:
    """Plans and renders every page of a Site with the templates of one folder."""

    def __init__(self, site: Site, templates_dir: Path, layout_key: str,
                 environment: jinja2.Environment | None = None, known: Reuse | None = None,
                 environments: dict[str, jinja2.Environment] | None = None) -> None:
        """known: what an earlier build made that this one may reuse where its key matches (the `used` of
        the last Renderer: event page jobs, list digests, and the chart's lanes and SVG). environments: the
        templates' environment of each language, by code (site.translations are rendered with them)."""
        self.site = site
        self.known = known
        self.used = Reuse(layout_key)  # what this build made that the next may reuse (with the chart's)
        self.config: SiteConfig = site.config
        self.layout_key = layout_key
        self.card_key_prefix = f"card:{layout_key}:"  # + an event's fingerprint: the key of its card
        self.cards: dict[str, str] = {}  # card key -> card HTML (the build cache's), filled before lists render
        self._place_links: dict[str, list[tuple[str, str]]] = {}  # location -> places_of()
        if environment is None or (site.translations and environments is None):
            environments = language_environments(templates_dir, site.config)
            environment = environments.get(site.config.lang) or make_environment(templates_dir)
        self.env = environment
        translations = getattr(environment, "constant_translations", None) or NullTranslations()
        self.gettext: Callable[[str], str] = translations.gettext
        self.ngettext: Callable[[str, str, int], str] = translations.ngettext
        self.language = site.config.language_info
        self.rel = ""  # the page being rendered, as in the default language (for its alternates)
        self.env.globals.update(
            asset=self.asset, alternates=self.alternates, language=self.language, text_language=self.text_language,
            lang_attr=lang_attr, status_word=self.status_word, actor_type=self.actor_type,
            original_lang=site.config.languages[0].locale if site.config.lang != site.config.default_language else "",
            site=site, config=site.config, url=site.url, actors=site.config.actors,
            sides=site.config.sides, kinds=site.config.kinds, card=self.card, cards=self.cards_of,
        )
        self.env.filters.update(
            when=self.when, pdate=self.pdate, language_name=self.language_name,
            involvement_range=self.involvement_range,
        )
        self.env.globals.update(places_of=self.places_of, month_id=month_id, role_groups=self.role_groups)
        self._globals = dict(self.env.globals)  # as this renderer set them (another may set them afresh later)
        self._templates: dict[str, jinja2.Template] = {}
        self.planner = PagePlanner(site, layout_key, known, self.used, lambda: self.places)
        self.others = {code: Renderer(other, templates_dir, digest(layout_key, code),
                                      environments[code] if environments else None)
                       for code, other in site.translations.items()}  # the site in its other languages

    def all(self) -> list[Renderer]:
        """This renderer and those of the site's other languages."""
        return [self, *self.others.values()]

    # -- languages ----------------------------------------------------------------------------
    def asset(self, path: str) -> str:
        """A static file's address (one copy for every language, at the site's root)."""
        return self.config.root_path + path.lstrip("/")

    def alternates(self) -> list[tuple[str, str, str, str, bool]]:
        """(code, locale, address, full address, whether it is this page) of the page being rendered in each of
        the site's languages (the same path under each language's folder)."""
        config = self.config
        if len(config.languages) < 2:
            return []
        page = self.rel.removesuffix("index.html")
        default = config.languages[0].code
        found = []
        for language in config.languages:
            path = ("" if language.code == default else language.code + "/") + page
            found.append((language.code, language.locale, self.asset(path), self.site.absolute_asset_url(path),
                          language.code == config.lang))
        return found

    def status_word(self, status: str, capital: bool = False) -> str:
        _ = self.gettext
        if capital:
            return {"confirmed": _("Confirmed"), "alleged": _("Alleged"), "denied": _("Denied")}.get(status, status)
        return {"confirmed": _("confirmed"), "alleged": _("alleged"), "denied": _("denied")}.get(status, status)

    def actor_type(self, kind: str) -> str:
        _ = self.gettext
        return {"state": _("State"), "company": _("Company"), "armed group": _("Armed group"),
                "organisation": _("Organisation"), "government": _("Government")}.get(kind, kind.capitalize())

    def text_language(self, item: Event | Page) -> str:
        """The language an event's or page's text is in, when it is not the page's: its locale, else ''."""
        languages = self.config.languages
        if len(languages) < 2 or item.language == self.config.lang:
            return ""
        code = item.language or languages[0].code
        return next((language.locale for language in languages if language.code == code), code)

    # -- filters and helpers for templates ---------------------------------------------------
    def pdate(self, date: PartialDate | None, approximate: bool = False) -> str:
        return date.display(self.config.language, approximate) if date else ""

    def when(self, event: Event) -> str:
        """The event's date as shown: '2 January 2020', 'c. 2015', '31 August – 1 September 2020'."""
        if isinstance(event.end, PartialDate) and not event.approximate:
            return display_range(event.date, event.end, self.config.language)
        return event.date.display(self.config.language, event.approximate) + self._end_text(event.end)

    def _end_text(self, end: EndDate) -> str:
        if end == "ongoing":
            return " – " + self.gettext("ongoing")
        if isinstance(end, PartialDate):
            return " – " + end.display(self.config.language)
        return ""

    def involvement_range(self, period: Involvement) -> str:
        start = period.start.display(self.config.language)
        if not isinstance(period.end, PartialDate):
            return self.gettext("since {date}").format(date=start)
        return f"{start} – {period.end.display(self.config.language)}"

    def role_groups(self, event: Event) -> list[tuple[str, list[Part]]]:
        return role_groups(event, self.config)

    def language_name(self, code: str) -> str:
        return language_name(code, self.config.language)

    def card(self, event: Event, level: int = 4) -> Markup:
        """An event's card, rendered once per build (kept in the cache across builds) and reused on every
        list that shows it; level is the level of its heading."""
        key = self.card_key(event)
        html = self.cards.get(key)
        if html is None:
            html = self.cards[key] = self.render_card(event)
        if level != 4:
            html = html.replace("<h4 ", f"<h{level} ", 1).replace("</h4>", f"</h{level}>", 1)
        return Markup(html)

    def cards_of(self, events: list[Event], level: int = 4) -> Markup:
        """The cards of several events, one after the other (one call from a template for a whole month)."""
        cards, prefix = self.cards, self.card_key_prefix
        try:
            parts = [cards[prefix + event.fingerprint] for event in events]
        except KeyError:  # not rendered yet (a template that lists events before their cards are made)
            parts = [self.card(event) for event in events]
        if level != 4:
            parts = [part.replace("<h4 ", f"<h{level} ", 1).replace("</h4>", f"</h{level}>", 1) for part in parts]
        return Markup("".join(parts))

    def render_card(self, event: Event) -> str:
        return self.page("card.html", event=event)

    def card_key(self, event: Event) -> str:
        return self.card_key_prefix + event.fingerprint

    # -- the chart, the map and the places (computed once per build, when a page first needs them) ----
    @cached_property
    def places(self) -> PlaceIndex:
        return index_places(self.site)

    @cached_property
    def map(self) -> MapRenderer:
        return MapRenderer(self.places, self.site.url)

    @cached_property
    def chart(self) -> ChartRenderer:
        sides = {ident: side.short for ident, side in self.config.sides.items()}
        texts = Texts(self.when, self.involvement_range, lambda e: self.site.url(f"events/{e.slug}/"),
                      self.actor_url, self.config.kinds, sides, {r.id: r.label for r in self.config.roles.values()},
                      self.gettext)
        lanes = {actor: digest(self.layout_key, *self.planner.actor_digests(actor)) for actor in self.config.actors}
        return ChartRenderer(self.config, actor_groups(self.config, True, self.gettext), self.site.by_actor,
                             self.site.events, texts, self.known.chart if self.known else None, lanes,
                             self.site.by_other_part)

    def actor_url(self, actor: Actor, event: Event | None = None) -> str:
        """An actor's page; with an event, the page of its list that shows it, at the event's month."""
        base = f"actors/{actor.id}/"
        if event is None:
            return self.site.url(base)
        position = bisect_left(self.site.by_actor[actor.id], event.sort_key, key=SORT_KEY)
        page = position // self.config.page_size
        return self.site.url(paged_rel(base, page).removesuffix("index.html")) + "#" + month_id(event.date)

    def places_of(self, event: Event) -> list[tuple[str, str]]:
        """(place name, place page) of each place an event's location names (from the event alone)."""
        if not event.location:
            return []
        links = self._place_links.get(event.location)
        if links is None:
            links = self._place_links[event.location] = [
                (place.name, self.site.url(f"places/{slugify(place.name)}/"))
                for place in place_location(event.location, self.config.places)]
        return links

    # -- the plan -----------------------------------------------------------------------------
    def plan(self) -> list[PageJob]:
        """Every page of the site, in a stable order, each with the key of its inputs; then those of the site
        in each other language, under its folder."""
        jobs = self.planner.plan()
        for code, other in self.others.items():
            jobs += [job._replace(rel=f"{code}/{job.rel}", language=code) for job in other.plan()]
        return jobs

    # -- rendering ----------------------------------------------------------------------------
    def page(self, template: str, **context: Any) -> str:
        """The template rendered with the context and this renderer's globals. (Template.render() merges the
        environment's globals, a ChainMap, into every new context, and compares their names again at each
        {% from %} import: a tenth of the time of an event page. Here they are merged once; the imported
        templates are the same modules either way, as no template has globals of its own.)"""
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = self.env.get_template(template)
        fresh = jinja2.runtime.new_context(self.env, compiled.name, compiled.blocks, {**self._globals, **context},
                                           shared=True)
        try:
            return self.env.concat(compiled.root_render_func(fresh))
        except Exception:
            self.env.handle_exception()

    def render(self, job: PageJob) -> str:
        """The page of a job, by its kind (see PAGE_KINDS), in its language."""
        if job.language:
            other = self.others[job.language]
            return other.render(job._replace(rel=job.rel[len(job.language) + 1:], language=""))
        self.rel = job.rel
        return PAGE_KINDS[job.kind](self, job)

    def _event_page(self, job: PageJob) -> str:
        event = self.site.event_by_slug[job.ident]
        return self.page("event.html", event=event, previous=self.site.previous.get(event.slug),
                         following=self.site.following.get(event.slug))

    def _home_page(self, job: PageJob) -> str:
        site = self.site
        full = len(site.events) <= self.config.page_size
        shown = site.events if full else site.events[-HOME_RECENT:]
        return self.page("home.html", timeline=group_by_month(shown), complete=full,
                         actor_groups=actor_groups(self.config, False, self.gettext), chart=self.chart.home(),
                         map=self.map, actor_groups_all=actor_groups(self.config, True, self.gettext),
                         filter_texts=self.filter_texts())

    def _places_page(self, job: PageJob) -> str:
        return self.page("places.html", map=self.map, places=self.places.places)

    def _content_page(self, job: PageJob) -> str:
        return self.page("page.html", page=next(p for p in self.site.pages if p.slug == job.ident))

    def _not_found_page(self, job: PageJob) -> str:
        return self.page("404.html")

    def _index_page(self, job: PageJob) -> str:
        return self.render_index(job.ident)

    def _list(self, kind: str, ident: Any) -> tuple[list[Event], str]:
        """The events of a list page and the address of its first page."""
        site = self.site
        if kind == "place":
            return self.places.by_slug[ident].events, f"places/{ident}/"
        lists: dict[str, dict[Any, list[Event]]] = {"actor": site.by_actor, "year": site.by_year,
                                                     "kind": site.by_kind, "tag": site.by_tag}
        groups = lists[kind]
        return groups.get(ident, []), f"{kind}s/{ident}/"

    def _list_title(self, kind: str, ident: Any) -> tuple[str, str]:
        """(title, heading) of a list page other than an actor's."""
        _ = self.gettext
        if kind == "year":
            return _("Events of {year}").format(year=ident), _("Events of {year}").format(year=ident)
        if kind == "kind":
            return self.config.kinds[ident], self.config.kinds[ident]
        if kind == "place":
            name = _("Place: {place}").format(place=self.places.by_slug[ident].place.name)
            return name, name
        tag = self.site.tag_names[ident]
        return _("Tag: {tag}").format(tag=tag), _("Events tagged “{tag}”").format(tag=tag)

    def render_list(self, job: PageJob) -> str:
        ident, index, pages = job.ident, job.number, job.pages
        size = self.config.page_size
        events, base = self._list(job.kind, ident)
        shown = events[index * size:(index + 1) * size]
        pagination = {
            "index": index, "pages": pages, "total": len(events),
            "first": index * size + 1, "last": index * size + len(shown),
            "urls": [self.site.url(paged_rel(base, n).removesuffix("index.html")) for n in range(pages)],
        }
        common = dict(timeline=group_by_month(shown), pagination=pagination)
        if job.kind == "actor":
            others = self.site.by_other_part.get(ident, []) if index == 0 else []
            return self.page("actor.html", actor=self.config.actors[ident], profile=self.site.profiles.get(ident),
                             events=events, chart=self.chart.actor(ident) if index == 0 else "",
                             other_parts=self.other_parts(ident, others), **common)
        title, heading = self._list_title(job.kind, ident)
        return self.page("list.html", title=title, heading=heading, **common)

    def other_parts(self, actor: str, events: list[Event]) -> list[tuple[str, list[Event]]]:
        """The events where the actor had a role that backs no side, by role (in site.yaml's order)."""
        by_role: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            part = event.part(actor)
            if part is not None:
                by_role[part.role].append(event)
        return [(role.label, by_role[role.id]) for role in self.config.roles.values() if role.id in by_role]

    def render_index(self, which: str) -> str:
        site, _ = self.site, self.gettext
        if which == "actors":
            return self.page("actors.html", actor_groups=actor_groups(self.config, True, self.gettext))
        if which == "years":
            entries = [(str(y), site.url(f"years/{y}/"), len(e)) for y, e in site.by_year.items()]
            return self.page("index-list.html", title=_("Years"), entries=entries)
        if which == "kinds":
            entries = [(self.config.kinds[k], site.url(f"kinds/{k}/"), len(e)) for k, e in site.by_kind.items()]
            return self.page("index-list.html", title=_("Kinds of involvement"), entries=entries)
        entries = [(site.tag_names[t], site.url(f"tags/{t}/"), len(e)) for t, e in site.by_tag.items()]
        return self.page("index-list.html", title=_("Tags"), entries=entries)

    def filter_texts(self) -> dict[str, object]:
        """The words the filters' script shows, in the page's language (plurals by CLDR category)."""
        _, locale = self.gettext, self.language.locale
        translations = self.env.constant_translations  # type: ignore[attr-defined]
        return {
            "events": plural_texts(translations, locale, "{count} event", "{count} events"),
            "sources": plural_texts(translations, locale, "{count} source", "{count} sources"),
            "all": plural_texts(translations, locale, "All {count} event", "All {count} events"),
            "some": plural_texts(translations, locale, "{shown} of {count} event", "{shown} of {count} events"),
            "more": _("Show {shown} more ({left} not shown)"), "filtering": _("Filtering…"),
            "none": _("No events match these filters."), "milestone": _("Milestone"),
            "failed": _("The filters could not load the list of events; browse by actor, kind or year instead."),
            "statuses": {"confirmed": _("Confirmed"), "alleged": _("Alleged"), "denied": _("Denied")},
        }


def lang_attr(locale: str) -> Markup:
    """' lang="…"' for a text in another language than the page's, else nothing."""
    return Markup(' lang="%s"') % locale if locale else Markup("")


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


# The page kinds of the plan (plan.PageJob.kind) and what renders each.
PAGE_KINDS: dict[str, Callable[[Renderer, PageJob], str]] = {
    "event": Renderer._event_page, "home": Renderer._home_page, "places": Renderer._places_page,
    "page": Renderer._content_page, "404": Renderer._not_found_page, "index": Renderer._index_page,
    **{kind: Renderer.render_list for kind in ("actor", "year", "kind", "tag", "place")},
}
