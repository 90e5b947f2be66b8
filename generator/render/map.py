"""Where the events happened: events grouped by place, and the static SVG map of Libya and its neighbours.

The map is drawn once per build from generator/data/libya-region.json (Natural Earth, simplified;
see generator/data/README.md), in an equirectangular projection true to scale at the frame's middle
latitude. Each place with events gets a circle sized by its count that links to the place's page;
places beyond the frame are listed under "Elsewhere".
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup, escape

from generator.model.text import slugify
from generator.model.types import Event, Place
from generator.model.site import Site

REGION_FILE = Path(__file__).parent.parent / "data" / "libya-region.json"
MAP_WIDTH = 800.0
FOCUS_COUNTRY = "Libya"
# Country names are placed at their largest visible part's centroid, except where that sits badly.
LABEL_AT = {"Libya": (19.6, 25.2), "Greece": (22.2, 37.4), "Turkey": (31.0, 37.8), "Egypt": (29.2, 25.0),
            "Tunisia": (9.3, 33.2), "Algeria": (6.6, 26.5), "Niger": (9.5, 19.8), "Chad": (19.4, 19.8),
            "Sudan": (29.0, 19.8)}
HIDDEN_LABELS = {"Mali", "N. Cyprus", "Cyprus", "Malta", "Italy"}
SEA_LABEL = ("Mediterranean Sea", 20.6, 35.3)
LABEL_SIZE = 15.0  # user units; the map is drawn 800 units wide
PHONE_ENLARGE = 1.8  # circles on a phone, where the map is drawn at under half size (see style.css)


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
    return PlaceIndex(sorted(entries, key=lambda e: (-len(e.events), e.place.name.casefold())))


@dataclass(frozen=True)
class Projection:
    """Degrees to map units: equirectangular, true to scale at the frame's middle latitude."""

    west: float
    south: float
    east: float
    north: float
    width: float = MAP_WIDTH

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * math.cos(math.radians((self.south + self.north) / 2)))

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        squeeze = math.cos(math.radians((self.south + self.north) / 2))
        return (lon - self.west) * self.scale * squeeze, (self.north - lat) * self.scale

    def contains(self, place: Place) -> bool:
        return self.west <= place.lon <= self.east and self.south <= place.lat <= self.north


@lru_cache(maxsize=1)
def load_region() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REGION_FILE.read_text(encoding="utf-8"))
    return document


@lru_cache(maxsize=1)
def region_key() -> str:
    """A hash of the map's data, for the keys of the pages that show the map (it is not a template)."""
    return hashlib.blake2b(REGION_FILE.read_bytes(), digest_size=16).hexdigest()


def region_projection() -> Projection:
    west, south, east, north = load_region()["extent"]
    return Projection(west, south, east, north)


def marker_radius(count: int) -> float:
    """A circle's radius in map units: its area grows with the number of events."""
    return min(28.0, 5.0 + 4.0 * math.sqrt(count - 1))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path(ring: list[float], projection: Projection) -> str:
    points = [projection.point(ring[i], ring[i + 1]) for i in range(0, len(ring), 2)]
    return "M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in points) + "Z"


def _events_text(count: int) -> str:
    return f"{count} event{'s' if count != 1 else ''}"


class MapRenderer:
    """Draws the map once; `svg()` is the same Markup for every page that shows it."""

    def __init__(self, index: PlaceIndex, url: Callable[[str], str]) -> None:
        self.index = index
        self.url = url
        self.projection = region_projection()
        self.on_map = [e for e in index.places if self.projection.contains(e.place)]
        self.elsewhere = [e for e in index.places if not self.projection.contains(e.place)]
        self._svg: Markup | None = None

    def place_url(self, entry: PlacedEvents) -> str:
        return self.url(f"places/{entry.slug}/")

    def svg(self) -> Markup:
        if self._svg is None:
            self._svg = Markup(self._draw())
        return self._svg

    def _draw(self) -> str:
        p = self.projection
        parts = [f'<svg class="map-svg" viewBox="0 0 {_fmt(p.width)} {_fmt(p.height)}" role="group" '
                 f'aria-labelledby="map-title">',
                 '<title id="map-title">Map of Libya and its neighbours with the places of events</title>',
                 f'<rect class="sea" width="{_fmt(p.width)}" height="{_fmt(p.height)}"/>']
        labels = []
        for country in load_region()["countries"]:
            focus = " focus" if country["name"] == FOCUS_COUNTRY else ""
            d = "".join(_path(ring, p) for ring in country["rings"])
            parts.append(f'<path class="land{focus}" d="{d}"/>')
            if country["name"] not in HIDDEN_LABELS:
                lon, lat = LABEL_AT.get(country["name"], country["label"])
                x, y = p.point(lon, lat)
                labels.append(f'<text class="country-label{focus}" x="{_fmt(x)}" y="{_fmt(y)}">'
                              f'{escape(country["name"])}</text>')
        name, lon, lat = SEA_LABEL
        x, y = p.point(lon, lat)
        labels.append(f'<text class="sea-label" x="{_fmt(x)}" y="{_fmt(y)}">{name}</text>')
        parts.append(f'<g aria-hidden="true">{"".join(labels)}</g>')
        markers, names = self._markers()
        parts.append(f'<g class="markers">{"".join(markers)}</g>')
        parts.append(f'<g class="marker-labels" aria-hidden="true">{"".join(names)}</g>')
        parts.append("</svg>")
        return "".join(parts)

    def _markers(self) -> tuple[list[str], list[str]]:
        """Circles, biggest first so that smaller ones stay on top, and their names where they fit.

        Names are laid out twice: small for a wide screen, and bigger, for the busiest places only, for a
        phone, where the map is drawn at under half its size and the circles are enlarged (style.css)."""
        p = self.projection
        placed = [(entry, *p.point(entry.place.lon, entry.place.lat)) for entry in self.on_map]
        markers = []
        for entry, x, y in placed:
            r = marker_radius(len(entry.events))
            text = f"{entry.place.name}: {_events_text(len(entry.events))}"
            markers.append(f'<a href="{escape(self.place_url(entry))}" aria-label="{escape(text)}">'
                           f'<title>{escape(text)}</title>'
                           f'<circle class="marker" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(r)}"/></a>')
        names = [f'<g class="wide">{"".join(self._names(placed, LABEL_SIZE, 1.0, len(placed), True))}</g>',
                 f'<g class="narrow">{"".join(self._names(placed, LABEL_SIZE * 2, PHONE_ENLARGE, 8, False))}</g>']
        return markers, names

    def _names(self, placed: list[tuple[PlacedEvents, float, float]], size: float, enlarge: float,
               limit: int, avoid_circles: bool) -> list[str]:
        """Names beside their circles (right, left, above or below), skipping any that would collide."""
        width_of_map = self.projection.width
        taken = [(x - r, y - r, x + r, y + r) for entry, x, y in placed
                 for r in [marker_radius(len(entry.events)) * enlarge]] if avoid_circles else []
        names = []
        for entry, x, y in placed[:limit]:
            r = marker_radius(len(entry.events)) * enlarge
            width = 0.56 * size * len(entry.place.name)
            candidates = [(x + r + 3, y + size * 0.35, "start"), (x - r - 3, y + size * 0.35, "end"),
                          (x, y - r - 4, "middle"), (x, y + r + size * 0.8, "middle")]
            for tx, ty, anchor in candidates:
                left = tx if anchor == "start" else tx - width if anchor == "end" else tx - width / 2
                box = (left, ty - size * 0.75, left + width, ty + size * 0.2)
                if box[0] < 0 or box[2] > width_of_map or box[1] < 0 or any(_overlaps(box, o) for o in taken):
                    continue
                taken.append(box)
                names.append(f'<text class="marker-label" x="{_fmt(tx)}" y="{_fmt(ty)}" '
                             f'text-anchor="{anchor}">{escape(entry.place.name)}</text>')
                break
        return names


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
