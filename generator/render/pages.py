"""Rendering pages: the helpers templates call, the cards, the chart and the map, and a table of page kinds.

Which pages exist and what each depends on is the plan's (plan.py); the environment is environment.py's.
"""

from __future__ import annotations

import dataclasses
import json
from bisect import bisect_left
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import jinja2
import jinja2.runtime
from markupsafe import Markup

from generator.model.digest import digest
from generator.render.chart import ChartRenderer
from generator.render.chart_texts import Texts
from generator.model.dates import PartialDate, display_range, language_name
from generator.model.text import slugify
from generator.model.places import place_location
from generator.render.i18n import plural_texts
from generator.render.map import MapRenderer, PlaceIndex, index_places
from generator.model.types import Actor, EndDate, Event, Involvement, Page, Part, SiteConfig
from generator.model.roles import role_groups
from generator.model.site import SORT_KEY, Site
from generator.render.environment import language_environments, make_environment
from generator.render.language import LanguageLinks, Words
from generator.render.lists import actor_groups, group_by_month, month_id, render_index, render_list
from babel.support import NullTranslations
from generator.render.plan import PageJob, PagePlanner, Reuse, map_key, paged_rel

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
        self._place_links: dict[str, list[tuple[str, str, str]]] = {}  # location -> places_of()
        if environment is None or (site.translations and environments is None):
            environments = language_environments(templates_dir, site.config)
            environment = environments.get(site.config.lang) or make_environment(templates_dir)
        self.env = environment
        self.language = site.config.language_info
        self.words = Words(getattr(environment, "constant_translations", None) or NullTranslations(),
                           self.language.locale)
        self.gettext = self.words.gettext
        self.links = LanguageLinks(site)
        self.rel = ""  # the page being rendered, as in the default language (for its alternates)
        self.env.globals.update(
            asset=self.links.asset, alternates=self.alternates, language=self.language,
            text_language=self.links.text_language, lang_attr=self.links.lang_attr,
            status_word=self.words.status_word, actor_type=self.words.actor_type, original_lang=self.links.original_locale,
            site=site, config=site.config, url=site.url, actors=site.config.actors,
            sides=site.config.sides, kinds=site.config.kinds, card=self.card, cards=self.cards_of,
        )
        self.env.filters.update(
            when=self.when, pdate=self.pdate, language_name=self.language_name,
            involvement_range=self.involvement_range,
        )
        self.env.globals.update(places_of=self.places_of, place_locale=self.links.place_locale, month_id=month_id, role_groups=self.role_groups,
                                facets=search_facets, roles_meta=self.roles_meta)
        self._globals = dict(self.env.globals)  # as this renderer set them (another may set them afresh later)
        self._templates: dict[str, jinja2.Template] = {}
        self.planner = PagePlanner(site, layout_key, known, self.used, lambda: self.places)
        self.others = {code: Renderer(other, templates_dir, digest(layout_key, code),
                                      environments[code] if environments else None,
                                      known.other(code, digest(layout_key, code)) if known else None)
                       for code, other in site.translations.items()}  # the site in its other languages

    def kept(self) -> Reuse:
        """What the next build of the same layout may reuse: what this build used or made, in every language
        (the chart's as the last build knew it, if no page drew it this time)."""
        drawn = "chart" in self.__dict__
        chart = self.chart.kept() if drawn else self.known.chart if self.known else None
        maps = self.used.maps if "map" in self.__dict__ else self.known.maps if self.known else {}
        return dataclasses.replace(self.used, chart=chart, maps=maps,
                                   others={code: other.kept() for code, other in self.others.items()})

    @property
    def drew_figures(self) -> bool:
        """Whether a page showed the chart or the map in any language (then the build cache's SVG are renewed)."""
        return any("chart" in renderer.__dict__ or "map" in renderer.__dict__ for renderer in self.all())

    def all(self) -> list[Renderer]:
        """This renderer and those of the site's other languages."""
        return [self, *self.others.values()]

    def alternates(self) -> list[tuple[str, str, str, str, bool]]:
        """The page being rendered in each of the site's languages (see LanguageLinks.alternates)."""
        return self.links.alternates(self.rel)

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

    def roles_meta(self, event: Event) -> str:
        """The event's actors by role as JSON, for its search result: [[heading, [[name, own status or ""]]]]."""
        return json.dumps([[heading, [[self.config.actors[p.id].name, "" if p.status == event.status else p.status]
                                      for p in parts]] for heading, parts in self.role_groups(event)],
                          ensure_ascii=False, separators=(",", ":"))

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
    def map(self) -> MapRenderer | None:
        """None when site.yaml turns the map off (map: false). Its SVG is the last build's when it shows the same
        places with the same numbers of events under the same layout (drawing it takes 0.1 s)."""
        if not self.config.map:
            return None
        drawn = MapRenderer(self.places, self.site.url, self.config.map, self.words, self.language.direction == "rtl")
        key = map_key(self.layout_key, self.places)
        known = self.known.maps.get(key) if self.known else None
        self.used.maps[key] = drawn.svg(known)
        return drawn

    @cached_property
    def chart(self) -> ChartRenderer:
        sides = {ident: side.short for ident, side in self.config.sides.items()}
        texts = Texts(self.when, self.involvement_range, lambda e: self.site.url(f"events/{e.slug}/"),
                      self.actor_url, self.config.kinds, sides, {r.id: r.label for r in self.config.roles.values()},
                      self.gettext, self.words.ngettext)
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

    def places_of(self, event: Event) -> list[tuple[str, str, str]]:
        """(name, page, the name's locale if not the page's) of each place an event's location names."""
        location = event.location or ""  # (which names no place)
        links = self._place_links.get(location)
        if links is None:
            links = self._place_links[location] = [
                (place.shown, self.site.url(f"places/{slugify(place.name)}/"), self.links.place_locale(place))
                for place in place_location(location, self.config.places)]
        return links


    # -- the plan -----------------------------------------------------------------------------
    def plan(self) -> list[PageJob]:
        """Every page of the site, in a stable order, each with the key of its inputs; then those of the site
        in each other language, under its folder."""
        jobs = self.planner.plan()
        # their templates loaded (compiled) before any page is rendered: a missing or broken one is reported at
        # once, not after every other page was rendered
        kinds = {job.kind for job in jobs}
        for name in (*SHARED_TEMPLATES, *sorted({name for kind in kinds for name in PAGE_TEMPLATES[kind]})):
            self._template(name)
        for code, other in self.others.items():
            jobs += [job._replace(rel=f"{code}/{job.rel}", language=code) for job in other.plan()]
        return jobs

    def _template(self, name: str) -> jinja2.Template:
        compiled = self._templates.get(name)
        if compiled is None:
            compiled = self._templates[name] = self.env.get_template(name)
        return compiled

    # -- rendering ----------------------------------------------------------------------------
    def page(self, template: str, **context: Any) -> str:
        """The template rendered with the context and this renderer's globals. (Template.render() merges the
        environment's globals, a ChainMap, into every new context, and compares their names again at each
        {% from %} import: a tenth of the time of an event page. Here they are merged once; the imported
        templates are the same modules either way, as no template has globals of its own.)"""
        compiled = self._template(template)
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
                         filter_texts=self.words.filter_texts())

    def _places_page(self, job: PageJob) -> str:
        return self.page("places.html", map=self.map, places=self.places.places)

    def _content_page(self, job: PageJob) -> str:
        return self.page("page.html", page=next(p for p in self.site.pages if p.slug == job.ident))

    def _search_page(self, job: PageJob) -> str:
        counts = plural_texts(self.words.translations, self.words.locale, "{count} result", "{count} results")
        return self.page("search.html", actor_groups_all=actor_groups(self.config, True, self.gettext),
                         result_counts=counts)

    def _not_found_page(self, job: PageJob) -> str:
        return self.page("404.html")


def search_facets(event: Event) -> dict[str, list[str]]:
    """The search filters of an event (its page tags them for Pagefind): the ids of its actors, their roles and
    the sides they acted for, and every status (the event's and each part's), each once, in order."""
    found: dict[str, dict[str, None]] = {"actors": {}, "roles": {}, "sides": {}, "statuses": {event.status: None}}
    for part in event.parts:
        found["actors"][part.id] = None
        found["roles"][part.role] = None
        if part.supports:
            found["sides"][part.supports] = None
        found["statuses"][part.status] = None
    return {name: list(values) for name, values in found.items()}


# The page kinds of the plan (plan.PageJob.kind) and what renders each.
PAGE_KINDS: dict[str, Callable[[Renderer, PageJob], str]] = {
    "event": Renderer._event_page, "home": Renderer._home_page, "places": Renderer._places_page,
    "page": Renderer._content_page, "404": Renderer._not_found_page, "index": render_index,
    "search": Renderer._search_page,
    **{kind: render_list for kind in ("actor", "year", "kind", "tag", "place")},
}
# The templates each kind of page is rendered with, and the cards' (those they extend or import, base.html and
# macros.html in the bundled templates, are loaded when the first page is rendered: a site's own may have others).
SHARED_TEMPLATES = ("card.html",)
PAGE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "event": ("event.html",), "home": ("home.html",), "places": ("places.html",), "page": ("page.html",),
    "404": ("404.html",), "index": ("actors.html", "index-list.html"), "search": ("search.html",),
    "actor": ("actor.html",), **{kind: ("list.html",) for kind in ("year", "kind", "tag", "place")},
}
