"""The world's country outlines (generator/data/world-50m.json: Natural Earth 1:50m, simplified; see the README
there), decoded once per process: each country's polygons as rings of (longitude, latitude) in degrees."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

WORLD_FILE = Path(__file__).parent.parent / "data" / "world-50m.json"
Point = tuple[float, float]  # (longitude, latitude)
Ring = tuple[Point, ...]
Box = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3 (or a user-assigned X.. code for the few units without one)
    name: str  # as Natural Earth writes it
    polygons: tuple[tuple[Ring, ...], ...]  # each: an outer ring, then its holes

    @property
    def box(self) -> Box:
        """The bounding box of its main parts (those at least a tenth the area of the largest), so that a
        far-away island or territory does not stretch a map framed on it."""
        areas = [ring_area(polygon[0]) for polygon in self.polygons]
        main = [polygon[0] for polygon, area in zip(self.polygons, areas) if area >= max(areas) / 10]
        return bounding_box([point for ring in main for point in ring])

    def outer_rings(self) -> list[Ring]:
        return [polygon[0] for polygon in self.polygons]

    def rings(self) -> list[Ring]:
        return [ring for polygon in self.polygons for ring in polygon]


@lru_cache(maxsize=1)
def load_world() -> dict[str, Country]:
    """Every country, by code."""
    document = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    unit = float(document["unit"])
    exact = unit == 0.01  # (as the file is made: an integer / 100 is then the point rounded to 2 decimals)
    arcs: list[list[Point]] = []
    for flat in document["arcs"]:  # each: x, y of the first point, then of each step from the last
        xs, ys = accumulate(flat[0::2]), accumulate(flat[1::2])
        if exact:
            arcs.append([(x / 100, y / 100) for x, y in zip(xs, ys)])
        else:
            arcs.append([(round(x * unit, 2), round(y * unit, 2)) for x, y in zip(xs, ys)])
    countries = {}
    for entry in document["countries"]:
        polygons = []
        for polygon in entry["polygons"]:
            rings = []
            for indexes in polygon:
                points: list[Point] = []
                for index in indexes:
                    arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                    points.extend(arc if not points else arc[1:])
                rings.append(tuple(points))
            polygons.append(tuple(rings))
        countries[entry["id"]] = Country(entry["id"], entry["name"], tuple(polygons))
    return countries


@lru_cache(maxsize=1)
def world_key() -> str:
    """A hash of the map's data, for the keys of the pages that show the map (it is not a template)."""
    return hashlib.blake2b(WORLD_FILE.read_bytes(), digest_size=16).hexdigest()


def bounding_box(points: list[Point]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def ring_area(ring: Ring | list[Point]) -> float:
    """In square degrees (unsigned)."""
    total: float = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], *ring[:1]]))
    return abs(total) / 2


def centroid(ring: Ring | list[Point]) -> Point:
    cx = cy = total = 0.0
    for a, b in zip(ring, [*ring[1:], *ring[:1]]):
        cross = a[0] * b[1] - b[0] * a[1]
        total += cross
        cx += (a[0] + b[0]) * cross
        cy += (a[1] + b[1]) * cross
    if total == 0:
        return ring[0]
    return cx / (3 * total), cy / (3 * total)


def inside(point: Point, ring: Ring | list[Point]) -> bool:
    """Whether a point lies inside a ring (even-odd rule)."""
    x, y = point
    result = False
    for (ax, ay), (bx, by) in zip(ring, [*ring[1:], *ring[:1]]):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            result = not result
    return result


def clip(ring: Ring | list[Point], box: Box) -> list[Point]:
    """Sutherland-Hodgman clipping of a closed ring to a rectangle."""
    west, south, east, north = box
    points = list(ring)
    for axis, limit, keep_above in ((0, west, True), (0, east, False), (1, south, True), (1, north, False)):
        if not points:
            break
        output: list[Point] = []
        previous = points[-1]
        for point in points:
            now_in = (point[axis] >= limit) if keep_above else (point[axis] <= limit)
            before_in = (previous[axis] >= limit) if keep_above else (previous[axis] <= limit)
            if now_in != before_in:
                output.append(_crossing(previous, point, axis, limit))
            if now_in:
                output.append(point)
            previous = point
        points = output
    return points


def _crossing(a: Point, b: Point, axis: int, limit: float) -> Point:
    t = (limit - a[axis]) / (b[axis] - a[axis])
    other = a[1 - axis] + t * (b[1 - axis] - a[1 - axis])
    return (limit, other) if axis == 0 else (other, limit)
