"""Where the events happened: events grouped by place, and the static SVG map that site.yaml's map: frames.

The map is drawn once per build from generator/data/world-50m.json (Natural Earth, simplified; see
generator/data/README.md), in an equirectangular projection true to scale at the frame's middle latitude
(render/map_geo.py), its focus countries highlighted. Each place with events gets a circle sized by its count
that links to the place's page; a region (a whole country, or an area with a radius) is drawn as an area
instead. Names are laid out without overlaps (render/map_labels.py), twice: for a wide screen, and bigger, for
the busiest places only, for a phone. Places beyond the frame are listed under "Elsewhere".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Protocol

from babel.lists import format_list
from markupsafe import Markup, escape

from generator.model.text import slugify
from generator.model.types import Event, Place
from generator.model.site import Site
from generator.model.types import MapConfig
from generator.read.world import load_world, world_key
from generator.render.map_geo import Projection, Shape, country_shapes, fmt
from generator.render.map_labels import LabelLayout

LABEL_SIZE = 15.0  # map units (the map is drawn 800 units wide): the names of places, regions and seas
COUNTRY_SIZE, FOCUS_SIZE = 14.0, 22.0
PHONE_ENLARGE = 1.8  # circles on a phone, where the map is drawn at under half size (see style.css)
PHONE_SCALE = 2.0  # names on a phone, likewise
PHONE_PLACES = 8  # the places named on a phone (the busiest)


@dataclass
class PlacedEvents:
    place: Place
    slug: str
    events: list[Event] = field(default_factory=list)  # chronological


@dataclass
class PlaceIndex:
    """Every place that has events, most events first."""

    places: list[PlacedEvents]
    by_slug: dict[str, PlacedEvents] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_slug = {entry.slug: entry for entry in self.places}


def index_places(site: Site) -> PlaceIndex:
    """The site's events grouped by the places their locations name (site.by_place), most events first."""
    named: dict[str, Place] = {}
    for place in site.config.places.values():
        named.setdefault(place.name, place)
    entries = [PlacedEvents(named[name], slugify(name), events) for name, events in site.by_place.items()]
    return PlaceIndex(sorted(entries, key=lambda e: (-len(e.events), e.place.shown.casefold())))


def region_key() -> str:
    """A hash of the map's data, for the keys of the pages that show the map (it is not a template)."""
    return world_key()


def marker_radius(count: int) -> float:
    """A circle's radius in map units: its area grows with the number of events."""
    return min(28.0, 5.0 + 4.0 * math.sqrt(count - 1))


class MapWords(Protocol):
    """The map's words in the page's language (render/language.py's Words)."""

    @property
    def locale(self) -> str: ...
    def gettext(self, text: str) -> str: ...
    def ngettext(self, singular: str, plural: str, count: int) -> str: ...
    def country_name(self, code: str, name: str) -> str: ...


class EnglishWords:
    """MapWords for a map drawn outside a site (tests, tools): English, as the data names countries."""

    locale = "en"

    @staticmethod
    def gettext(text: str) -> str:
        return text

    @staticmethod
    def ngettext(singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural

    @staticmethod
    def country_name(code: str, name: str) -> str:
        return name


def map_title(config: MapConfig, words: MapWords = EnglishWords()) -> str:
    """site.yaml's map title, else one from the focus countries' names."""
    if config.title:
        return config.title
    _ = words.gettext
    world = load_world()
    names = [words.country_name(code, world[code].name) for code in config.focus]
    if not names:
        return _("Map of the places of events")
    return words.ngettext("Map of {countries} and its neighbours with the places of events",
                          "Map of {countries} and their neighbours with the places of events",
                          len(names)).format(countries=format_list(names, locale=words.locale.replace("-", "_")))


class MapRenderer:
    """Draws the map once; `svg()` is the same Markup for every page that shows it. On a page written from right
    to left, a place's name goes first on its circle's left."""

    def __init__(self, index: PlaceIndex, url: Callable[[str], str], config: MapConfig,
                 words: MapWords = EnglishWords(), rtl: bool = False) -> None:
        self.index = index
        self.url = url
        self.config = config
        self.words = words
        self.rtl = rtl
        self.projection = Projection.of(config.frame)
        self.on_map = [e for e in index.places if self.projection.contains(e.place)]
        self.elsewhere = [e for e in index.places if not self.projection.contains(e.place)]
        self.points = [e for e in self.on_map if not e.place.is_region]
        self.regions = [e for e in self.on_map if e.place.is_region]
        self.unnamed: set[str] = set()  # the places whose names did not fit on the wide map
        self._svg: Markup | None = None

    def place_url(self, entry: PlacedEvents) -> str:
        return self.url(f"places/{entry.slug}/")

    def svg(self, drawn: str | None = None) -> Markup:
        """The map (drawn: as an earlier build drew it for the same places and layout)."""
        if self._svg is None:
            self._svg = Markup(drawn if drawn is not None else self._draw())
        return self._svg

    def _draw(self) -> str:
        p = self.projection
        shapes = country_shapes(self.config, p)
        wide, narrow = self._layout(shapes, 1.0, 1.0, len(self.points)), \
            self._layout(shapes, PHONE_SCALE, PHONE_ENLARGE, PHONE_PLACES)
        self.unnamed = {entry.slug for entry in self.points} - wide.named
        parts = [f'<svg class="map-svg" viewBox="0 0 {fmt(p.width)} {fmt(p.height)}" role="group" '
                 f'aria-labelledby="map-title">',
                 f'<title id="map-title">{escape(map_title(self.config, self.words))}</title>',
                 f'<rect class="sea" width="{fmt(p.width)}" height="{fmt(p.height)}"/>']
        parts += [f'<path class="land{" focus" if shape.focus else ""}" d="{shape.d}"/>' for shape in shapes]
        parts.append(f'<g class="regions">{"".join(self._regions(shapes))}</g>')
        parts.append(f'<g class="markers">{"".join(self._markers(wide))}</g>')
        parts.append(f'<g class="map-labels" aria-hidden="true" direction="ltr">{self._labels(wide, "wide")}'
                     f'{self._labels(narrow, "narrow")}</g>')
        parts.append("</svg>")
        return "".join(parts)

    def _link(self, entry: PlacedEvents, shape: str, note: str = "") -> str:
        count = len(entry.events)
        events = self.words.ngettext("{count} event", "{count} events", count).format(count=count)
        text = self.words.gettext("{place}: {events}").format(place=entry.place.shown, events=events)
        return (f'<a href="{escape(self.place_url(entry))}" aria-label="{escape(text)}">'
                f'<title>{escape(text + note)}</title>{shape}</a>')

    def _regions(self, shapes: list[Shape]) -> list[str]:
        """Regions as areas, the largest first so that smaller ones stay on top: a country by its outline, an
        area by a circle of its radius."""
        by_code = {shape.code: shape for shape in shapes}
        drawn = []
        for entry in self.regions:
            place = entry.place
            if place.country in by_code:
                size = math.inf
                shape = f'<path class="region-area" d="{by_code[place.country].d}"/>'
            else:
                x, y = self.projection.point(place.lon, place.lat)
                size = self.projection.km(place.radius or 100.0)
                shape = f'<circle class="region-area" cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(size)}"/>'
            drawn.append((size, self._link(entry, shape)))
        return [link for size, link in sorted(drawn, key=lambda d: -d[0])]

    def _markers(self, wide: LabelLayout) -> list[str]:
        """Circles, biggest first so that smaller ones stay on top."""
        markers = []
        for entry in self.points:
            x, y = self.projection.point(entry.place.lon, entry.place.lat)
            note = " " + self.words.gettext("(its name is left off the map: no room beside its circle)") \
                if entry.slug in self.unnamed else ""
            markers.append(self._link(entry, f'<circle class="marker" cx="{fmt(x)}" cy="{fmt(y)}" '
                                             f'r="{fmt(marker_radius(len(entry.events)))}"/>', note))
        return markers

    def _layout(self, shapes: list[Shape], scale: float, enlarge: float, limit: int) -> LabelLayout:
        """Every name of one layout: places (the busiest first), regions, focus countries, other countries (on a
        wide screen) and the names site.yaml adds (seas)."""
        p = self.projection
        layout = LabelLayout(p.width, p.height, rtl=self.rtl)
        placed = [(entry, *p.point(entry.place.lon, entry.place.lat)) for entry in self.points]
        for entry, x, y in placed:
            layout.block_circle(x, y, marker_radius(len(entry.events)) * enlarge)
        for entry, x, y in placed[:limit]:
            if layout.beside(entry.place.shown, LABEL_SIZE * scale, x, y, marker_radius(len(entry.events)) * enlarge):
                layout.named.add(entry.slug)
        by_code = {shape.code: shape for shape in shapes}
        for entry in self.regions[:limit]:
            place = entry.place
            if place.country in by_code:
                continue  # named with its country
            x, y = p.point(place.lon, place.lat)
            layout.around(place.shown, "region-label", LABEL_SIZE * scale, x, y, p.km(place.radius))
        for shape in sorted(shapes, key=lambda s: (not s.focus, -_area(s))):
            if shape.focus or scale == 1.0:
                layout.within(self.words.country_name(shape.code, shape.name), (FOCUS_SIZE if shape.focus else COUNTRY_SIZE) * scale, shape.visible,
                              shape.focus)
        if scale == 1.0:
            for name, lat, lon in self.config.labels:
                layout.around(name, "sea-label", LABEL_SIZE, *p.point(lon, lat), 60.0)
        return layout

    @staticmethod
    def _labels(layout: LabelLayout, which: str) -> str:
        texts = [f'<path class="leader" d="{"".join(f"M{fmt(a)} {fmt(b)}L{fmt(c)} {fmt(d)}" for a, b, c, d in leaders)}"/>'
                 for leaders in [[label.leader for label in layout.labels if label.leader]] if leaders]
        for label in layout.labels:
            texts.append(f'<text class="{label.cls}" x="{fmt(label.x)}" y="{fmt(label.y)}" '
                         f'text-anchor="{label.anchor}" style="font-size:{fmt(label.size)}px">{escape(label.text)}</text>')
        return f'<g class="{which}">{"".join(texts)}</g>'


def _area(shape: Shape) -> float:
    ring = shape.visible[0]
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], *ring[:1]]))) / 2
