"""Extract Libya and its neighbours from Natural Earth (via the npm package world-atlas) into a small file.

Run once, by hand, when the map's data should change; the output is committed as
generator/data/libya-region.json (see generator/data/README.md for its origin and licence):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/extract_natural_earth.py package/countries-50m.json > generator/data/libya-region.json

It decodes the TopoJSON arcs, keeps the countries that reach into the map's extent, clips their rings
to the extent plus a margin (the SVG viewBox crops the rest, so no border is drawn along the frame),
simplifies them (Douglas-Peucker) and rounds coordinates to 0.01 degrees.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

# The map's extent, in degrees (west, south, east, north), and the margin kept around it.
EXTENT = (4.0, 19.0, 34.0, 38.5)
MARGIN = 1.0
TOLERANCE = 0.03  # degrees: about a pixel on a 900-pixel-wide map
Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clip(points: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman clipping of a closed ring to a rectangle."""
    west, south, east, north = box
    edges = [(lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north))]
    for inside, cross in edges:
        if not points:
            break
        output: list[Point] = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    output.append(cross(previous, point))
                output.append(point)
            elif inside(previous):
                output.append(cross(previous, point))
            previous = point
        points = output
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        best, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > best:
                best, index = distance, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def area(points: list[Point]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1]))) / 2


def centroid(points: list[Point]) -> Point:
    cx = cy = total = 0.0
    for a, b in zip(points, points[1:] + points[:1]):
        cross = a[0] * b[1] - b[0] * a[1]
        total += cross
        cx += (a[0] + b[0]) * cross
        cy += (a[1] + b[1]) * cross
    if total == 0:
        return points[0]
    return (cx / (3 * total), cy / (3 * total))


def main(path: str) -> None:
    topology = json.load(open(path, encoding="utf-8"))
    arcs = decode_arcs(topology)
    west, south, east, north = EXTENT
    box = (west - MARGIN, south - MARGIN, east + MARGIN, north + MARGIN)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = []
        for polygon in polygons:
            for indexes in polygon:
                clipped = clip(ring(arcs, indexes), box)
                simple = simplify(clipped + clipped[:1], TOLERANCE)[:-1] if clipped else []
                rounded = list(dict.fromkeys((round(x, 2), round(y, 2)) for x, y in simple))
                if len(rounded) >= 3 and area(rounded) > 0.002:
                    rings.append(rounded)
        if not rings:
            continue
        visible = [clip(r, EXTENT) for r in rings]
        largest = max(visible, key=lambda r: area(r) if len(r) >= 3 else 0)
        if len(largest) < 3 or area(largest) == 0:
            continue
        label = centroid(largest)
        countries.append({"id": geometry.get("id", ""), "name": geometry["properties"]["name"],
                          "label": [round(label[0], 2), round(label[1], 2)],
                          "rings": [[c for point in r for c in point] for r in rings]})
    countries.sort(key=lambda c: c["name"])
    document = {
        "source": "Natural Earth 1:50m Admin 0 countries, version 4.1.0, via the npm package world-atlas 2.0.2 "
                  "(countries-50m.json); public domain",
        "extent": list(EXTENT),
        "countries": countries,
    }
    json.dump(document, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
