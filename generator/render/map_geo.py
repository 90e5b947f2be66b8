"""The map's geometry: a projection of the frame site.yaml names (map: frame) and the outlines of the countries
that reach into it, clipped and projected once per build."""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.model.types import MapConfig, Place
from generator.read.world import Box, Point, bounding_box, clip, load_world, ring_area

MAP_WIDTH = 800.0
CLIP_MARGIN = 1.0  # degrees kept around the frame (the viewBox crops them, so no border runs along the frame)
MIN_AREA = 0.002  # square degrees: a smaller piece inside the frame is not drawn
KM_PER_DEGREE = 111.32
XY = tuple[float, float]


@dataclass(frozen=True)
class Projection:
    """Degrees to map units: equirectangular, true to scale at the frame's middle latitude."""

    west: float
    south: float
    east: float
    north: float
    width: float = MAP_WIDTH

    @classmethod
    def of(cls, frame: Box) -> Projection:
        return cls(*frame)

    @property
    def squeeze(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        """Map units per degree of latitude."""
        return self.width / ((self.east - self.west) * self.squeeze)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale

    def point(self, lon: float, lat: float) -> XY:
        return (lon - self.west) * self.scale * self.squeeze, (self.north - lat) * self.scale

    def km(self, distance: float) -> float:
        """A distance on the ground in map units (true to scale north-south)."""
        return distance / KM_PER_DEGREE * self.scale

    def contains(self, place: Place) -> bool:
        return self.west <= place.lon <= self.east and self.south <= place.lat <= self.north


@dataclass(frozen=True)
class Shape:
    """A country as drawn: its SVG path and the projected rings of its parts inside the frame."""

    code: str
    name: str
    d: str
    visible: tuple[tuple[XY, ...], ...]  # its parts inside the frame, largest first, in map units
    focus: bool


def fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def path(points: list[XY] | tuple[XY, ...]) -> str:
    return "M" + "L".join(f"{fmt(x)} {fmt(y)}" for x, y in points) + "Z"


def country_shapes(config: MapConfig, projection: Projection) -> list[Shape]:
    """The countries that reach into the frame, in the world file's order (focus countries last, so that their
    heavier border is drawn over their neighbours')."""
    frame: Box = (projection.west, projection.south, projection.east, projection.north)
    wider: Box = (frame[0] - CLIP_MARGIN, frame[1] - CLIP_MARGIN, frame[2] + CLIP_MARGIN, frame[3] + CLIP_MARGIN)
    shapes = []
    for country in load_world().values():
        if not _meets(_extent(country.outer_rings()), wider):
            continue
        rings: list[list[Point]] = []
        visible: list[list[Point]] = []
        for polygon in country.polygons:
            if not _meets(bounding_box(list(polygon[0])), wider):
                continue
            for number, ring in enumerate(polygon):
                kept = clip(ring, wider)
                if len(kept) >= 3 and ring_area(kept) > MIN_AREA:
                    rings.append(kept)
                    seen = clip(ring, frame)
                    if number == 0 and len(seen) >= 3 and ring_area(seen) > MIN_AREA:
                        visible.append(seen)
        if not visible:
            continue
        visible.sort(key=ring_area, reverse=True)
        d = "".join(path([projection.point(*p) for p in ring]) for ring in rings)
        shapes.append(Shape(country.code, country.name, d,
                            tuple(tuple(projection.point(*p) for p in ring) for ring in visible),
                            country.code in config.focus))
    return sorted(shapes, key=lambda shape: shape.focus)


def _extent(rings: list[tuple[Point, ...]]) -> Box:
    boxes = [bounding_box(list(ring)) for ring in rings]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _meets(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
