"""The Jinja2 environment and the page plan: every output page as a job with a key, and its rendering.

A page's key is a hash of everything it shows (the layout: templates, configuration and the list of
content pages; plus the events on it), so a build can skip any page whose key has not changed.
"""

from __future__ import annotations

import math
import types
from bisect import bisect_left
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import jinja2.compiler
import jinja2.runtime
import markupsafe
from markupsafe import Markup

from generator.model.digest import digest, digest_many
from generator.render.chart import ChartRenderer, Texts
from generator.model.dates import PartialDate, display_range, language_name
from generator.model.text import slugify
from generator.model.places import place_location
from generator.render.map import MapRenderer, PlaceIndex, index_places, region_key
from generator.model.types import Actor, EndDate, Event, Involvement, Part, SiteConfig
from generator.model.roles import role_groups
from generator.model.site import SORT_KEY, Site

HOME_RECENT = 100  # events on the home page of a site too large to list whole


def make_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The templates' environment; compiled templates are kept in bytecode_dir, if given (compiling them
    is a tenth of a second of every build)."""
    cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            cache = None
    return _Environment(
        bytecode_cache=cache,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders with the templates as they were when it started
    )


_new_str = str.__new__


def _escape(value: Any) -> Markup:
    """markupsafe.escape(value), quicker for the plain strings and markup that nearly every {{ }} shows:
    a string without a character to escape is made Markup as it is, and Markup is already safe (its
    escape() makes a copy of it through two Python calls)."""
    kind = type(value)
    if kind is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return markupsafe.escape(value)
        return _new_str(Markup, value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    return markupsafe.escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, but each {{ }} of an autoescaped template is escaped by _escape (through
    the environment: the compiled code has no other way to reach it). A fifth of an event page's time
    went into markupsafe.escape. (The compiled templates are kept in a folder named after the build cache's
    fingerprint, which covers this code: Jinja2 would load the old code.)"""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


_PLAIN: dict[types.FunctionType, bool] = {}  # whether a method's function takes no context from Jinja


class _Context(jinja2.runtime.Context):
    """Jinja2's context, calling plain methods, built-in methods and macros straight away: its own call() looks
    for pass_context and the like on every callable, at every call in a template (a tenth of the
    rendering time of an event page)."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja2's names
        kind = type(__obj)
        if kind is types.MethodType:
            function = __obj.__func__
            plain = _PLAIN.get(function)
            if plain is None:
                plain = _PLAIN[function] = not hasattr(function, "jinja_pass_arg")
        else:  # (a built-in cannot be marked pass_context, nor is a macro)
            plain = kind is types.BuiltinMethodType or kind is jinja2.runtime.Macro
        if not plain:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration "
                                                "exception")


class _Environment(jinja2.Environment):
    """The templates' environment, with the code generator, escaping and context above."""

    code_generator_class = _CodeGenerator
    context_class = _Context
    escape_output = staticmethod(_escape)


class PageJob(NamedTuple):
    """One output page: where it goes, what it depends on, and what to render."""

    rel: str
    key: str
    kind: str  # event, home, list, actor, index, page, 404
    args: tuple[Any, ...] = ()


def paged_rel(base: str, index: int) -> str:
    """'years/2020/' + page 0 -> 'years/2020/index.html'; page 2 -> 'years/2020/page/3/index.html'."""
    return f"{base}index.html" if index == 0 else f"{base}page/{index + 1}/index.html"


class Renderer:
    """Plans and renders every page of a Site with the templates of one folder."""

    def __init__(self, site: Site, templates_dir: Path, layout_key: str,
                 environment: jinja2.Environment | None = None, known: dict[str, Any] | None = None) -> None:
        """known: what an earlier build made that this one may reuse where its key matches (the `used` of
        the last Renderer: event page jobs, list digests, and the chart's lanes and SVG)."""
        self.site = site
        self.known = known
        self.used: dict[str, Any] = {}  # what this build made that the next may reuse (with the chart's)
        self.config: SiteConfig = site.config
        self.layout_key = layout_key
        self.card_key_prefix = f"card:{layout_key}:"  # + an event's fingerprint: the key of its card
        self.cards: dict[str, str] = {}  # card key -> card HTML (the build cache's), filled before lists render
        self._place_links: dict[str, list[tuple[str, str]]] = {}  # location -> places_of()
        self.env = environment or make_environment(templates_dir)
        self.env.globals.update(
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
            return " – ongoing"
        if isinstance(end, PartialDate):
            return " – " + end.display(self.config.language)
        return ""

    def involvement_range(self, period: Involvement) -> str:
        start = period.start.display(self.config.language)
        if not isinstance(period.end, PartialDate):
            return f"since {start}"
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
                      self.actor_url, self.config.kinds, sides, {r.id: r.label for r in self.config.roles.values()})
        lanes = {actor: digest(self.layout_key, *self._actor_digests(actor)) for actor in self.config.actors}
        return ChartRenderer(self.config, self.actor_groups(include_local=True), self.site.by_actor,
                             self.site.events, texts, self.known, lanes, self.site.by_other_part)

    def _actor_digests(self, actor: str) -> list[str]:
        """The digests of an actor's pages of events, and of the events where it had another part."""
        return [*self._page_digests(self.site.by_actor.get(actor, [])),
                "others", *self._page_digests(self.site.by_other_part.get(actor, []))]

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
            extra = digest(profile.html if profile else "", *self._actor_digests(actor.id)) + milestones
            jobs.extend(self._paged("actor", actor.id, f"actors/{actor.id}/", events, extra))
        for year, events in site.by_year.items():
            jobs.extend(self._paged("year", year, f"years/{year}/", events))
        for kind, events in site.by_kind.items():
            jobs.extend(self._paged("kind", kind, f"kinds/{kind}/", events))
        for tag, events in site.by_tag.items():
            jobs.extend(self._paged("tag", tag, f"tags/{tag}/", events))
        for entry in self.places.places:
            jobs.extend(self._paged("place", entry.slug, f"places/{entry.slug}/", entry.events))
        jobs.append(PageJob("places/index.html", digest("places", layout, region_key(), everything), "places"))
        counts = digest(*(f"{a}:{len(e)}" for a, e in site.by_actor.items()),
                        *(f"{y}:{len(e)}" for y, e in site.by_year.items()),
                        *(f"{k}:{len(e)}" for k, e in site.by_kind.items()),
                        *(f"{t}:{len(e)}" for t, e in site.by_tag.items()))
        for index in ("actors", "years", "kinds", "tags"):
            jobs.append(PageJob(f"{index}/index.html", digest("index", layout, index, counts), "index", (index,)))
        for page in site.pages:
            jobs.append(PageJob(f"{page.slug}/index.html", digest("page", layout, page.slug, page.html), "page",
                                (page.slug,)))
        jobs.append(PageJob("404.html", digest("404", layout), "404"))
        return jobs

    def _event_jobs(self) -> dict[str, PageJob]:
        """The event pages' jobs, by slug; when the site was updated from the last one planned, only those
        of the events it touched are made again."""
        site = self.site
        known = (self.known or {}).get("event-jobs")
        if known is not None and site.base and id(known[0]) == site.base and known[1] == self.layout_key:
            jobs: dict[str, PageJob] = dict(known[2])
            for slug in site.touched:
                jobs[slug] = self._event_job(site.event_by_slug[slug])
        else:
            jobs = {event.slug: self._event_job(event) for event in site.events}
        self.used["event-jobs"] = (site, self.layout_key, jobs)
        return jobs

    def _event_job(self, event: Event) -> PageJob:
        # the key of a page that shows one event (and its neighbours' titles) joins their fingerprints
        previous, following = self.site.previous.get(event.slug), self.site.following.get(event.slug)
        key = f"event:{self.layout_key}:{event.fingerprint}:{previous.fingerprint if previous else ''}:" \
              f"{following.fingerprint if following else ''}"
        return PageJob(f"events/{event.slug}/index.html", key, "event", (event.slug,))

    def _paged(self, kind: str, ident: Any, base: str, events: list[Event], extra: str = "") -> list[PageJob]:
        size = self.config.page_size
        pages = max(1, math.ceil(len(events) / size))
        shown = self._page_digests(events)
        return [PageJob(paged_rel(base, n), digest(kind, self.layout_key, str(ident), str(n), str(pages), extra,
                                                   shown[n]), kind, (ident, n, pages)) for n in range(pages)]

    def _page_digests(self, events: list[Event]) -> list[str]:
        """The digest of the events on each page of a list; reused while the list is the same object (the
        preview server's site copies only the lists an edit changes)."""
        key = f"pages:{id(events)}:{self.config.page_size}"
        known = (self.known or {}).get(key)
        if known is not None and known[0] is events:
            digests: list[str] = known[1]
        else:
            size = self.config.page_size
            digests = [digest_many("events", [e.fingerprint for e in events[n:n + size]])
                       for n in range(0, max(1, len(events)), size)]
        self.used[key] = (events, digests)
        return digests

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
        site = self.site
        if job.kind == "event":
            event = site.event_by_slug[job.args[0]]
            return self.page("event.html", event=event, previous=site.previous.get(event.slug),
                             following=site.following.get(event.slug))
        if job.kind == "home":
            full = len(site.events) <= self.config.page_size
            shown = site.events if full else site.events[-HOME_RECENT:]
            return self.page("home.html", timeline=group_by_month(shown), complete=full,
                             actor_groups=self.actor_groups(), chart=self.chart.home(), map=self.map,
                             actor_groups_all=self.actor_groups(include_local=True))
        if job.kind == "places":
            return self.page("places.html", map=self.map, places=self.places.places)
        if job.kind in ("actor", "year", "kind", "tag", "place"):
            return self.render_list(job)
        if job.kind == "index":
            return self.render_index(job.args[0])
        if job.kind == "page":
            page = next(p for p in site.pages if p.slug == job.args[0])
            return self.page("page.html", page=page)
        return self.page("404.html")

    def render_list(self, job: PageJob) -> str:
        ident, index, pages = job.args
        size = self.config.page_size
        site = self.site
        if job.kind == "actor":
            events = site.by_actor.get(ident, [])
            base = f"actors/{ident}/"
        elif job.kind == "year":
            events, base = site.by_year[ident], f"years/{ident}/"
        elif job.kind == "kind":
            events, base = site.by_kind[ident], f"kinds/{ident}/"
        elif job.kind == "place":
            events, base = self.places.by_slug[ident].events, f"places/{ident}/"
        else:
            events, base = site.by_tag[ident], f"tags/{ident}/"
        shown = events[index * size:(index + 1) * size]
        pagination = {
            "index": index, "pages": pages, "total": len(events),
            "first": index * size + 1, "last": index * size + len(shown),
            "urls": [site.url(paged_rel(base, n).removesuffix("index.html")) for n in range(pages)],
        }
        common = dict(timeline=group_by_month(shown), pagination=pagination)
        if job.kind == "actor":
            others = site.by_other_part.get(ident, []) if index == 0 else []
            return self.page("actor.html", actor=self.config.actors[ident], profile=site.profiles.get(ident),
                             events=events, chart=self.chart.actor(ident) if index == 0 else "",
                             other_parts=self.other_parts(ident, others), **common)
        if job.kind == "year":
            title = heading = f"Events of {ident}"
        elif job.kind == "kind":
            title = heading = self.config.kinds[ident]
        elif job.kind == "place":
            title = heading = f"Place: {self.places.by_slug[ident].place.name}"
        else:
            name = site.tag_names[ident]
            title, heading = f"Tag: {name}", f"Events tagged “{name}”"
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
        site = self.site
        if which == "actors":
            return self.page("actors.html", actor_groups=self.actor_groups(include_local=True))
        if which == "years":
            entries = [(str(y), site.url(f"years/{y}/"), len(e)) for y, e in site.by_year.items()]
            return self.page("index-list.html", title="Years", entries=entries)
        if which == "kinds":
            entries = [(self.config.kinds[k], site.url(f"kinds/{k}/"), len(e)) for k, e in site.by_kind.items()]
            return self.page("index-list.html", title="Kinds of involvement", entries=entries)
        entries = [(site.tag_names[t], site.url(f"tags/{t}/"), len(e)) for t, e in site.by_tag.items()]
        return self.page("index-list.html", title="Tags", entries=entries)

    def actor_groups(self, include_local: bool = False) -> list[tuple[str, list[Actor]]]:
        """Actors grouped under the side they mainly supported (the side most of their periods name)."""
        groups: dict[str, list[Actor]] = defaultdict(list)
        for actor in self.config.actors.values():
            if not actor.foreign:
                if include_local:
                    groups["Local parties"].append(actor)
                continue
            sides = [p.supports for p in actor.involvement if p.supports]
            side = max(sorted(set(sides)), key=sides.count) if sides else None
            label = f"Backing the {self.config.sides[side].short}" if side else "Mediators and others"
            groups[label].append(actor)
        order = [f"Backing the {s.short}" for s in self.config.sides.values()]
        order += ["Mediators and others", "Local parties"]
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
