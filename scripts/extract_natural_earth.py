"""Extract the world's country outlines from Natural Earth (via the npm package world-atlas) into a small file.

Run once, by hand, when the map's data should change; the output is committed as generator/data/world-50m.json
(see generator/data/README.md for its origin, version and licence). Nothing is downloaded at build or test time.

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 -m venv /tmp/ne && /tmp/ne/bin/pip install pycountry==26.2.16
    /tmp/ne/bin/python scripts/extract_natural_earth.py /tmp/package/countries-50m.json > generator/data/world-50m.json

It decodes the TopoJSON arcs, simplifies each arc on its own (Douglas-Peucker), so that two neighbours still share
their border exactly, rounds coordinates to 0.01 degrees and stores the arcs delta-coded in those units. Country
ids become ISO 3166-1 alpha-3 codes (pycountry's table, used here only); the few Natural Earth units without an
ISO number get the user-assigned codes in EXTRA_CODES.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pycountry  # type: ignore[import-not-found]

TOLERANCE = 0.03  # degrees: about a pixel on a map of a country drawn 800 pixels wide
UNIT = 100  # coordinates are stored in hundredths of a degree
MIN_AREA = 0.002  # square degrees: smaller islands are left out
# Natural Earth units with no ISO 3166-1 number in world-atlas, given user-assigned codes (X..).
EXTRA_CODES = {"Kosovo": "XKX", "N. Cyprus": "XNC", "Somaliland": "XSL", "Indian Ocean Ter.": "XIO",
               "Siachen Glacier": "XSG"}
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


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative; the first and last points stay (they are shared with the next arc)."""
    if len(points) < 3:
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


def area(points: list[tuple[int, int]]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1]))) / 2 / UNIT ** 2


def alpha3(geometry: dict[str, Any]) -> str:
    name = geometry["properties"]["name"]
    if name in EXTRA_CODES:
        return EXTRA_CODES[name]
    country = pycountry.countries.get(numeric=geometry["id"])
    if country is None:
        raise SystemExit(f"no ISO 3166-1 code for {name} ({geometry['id']}): add it to EXTRA_CODES")
    return str(country.alpha_3)


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        topology = json.load(file)
    arcs = [[(round(x * UNIT), round(y * UNIT)) for x, y in simplify(arc, TOLERANCE)]
            for arc in decode_arcs(topology)]
    used: dict[int, int] = {}  # old arc index -> new one, for the arcs of the rings that are kept
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        kept = []
        for polygon in polygons:
            rings = []
            for number, indexes in enumerate(polygon):
                points: list[tuple[int, int]] = []
                for index in indexes:
                    arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                    points.extend(arc if not points else arc[1:])
                if len(set(points)) >= 3 and area(points) > MIN_AREA:
                    rings.append([used.setdefault(i, len(used)) if i >= 0 else ~used.setdefault(~i, len(used))
                                  for i in indexes])
                elif number == 0:
                    break  # the outer ring is too small: the polygon and its holes are left out
            if rings:
                kept.append(rings)
        if kept:
            countries.append({"id": alpha3(geometry), "name": geometry["properties"]["name"], "polygons": kept})
    countries.sort(key=lambda c: c["id"])
    order = sorted(used, key=used.__getitem__)
    encoded = []
    for index in order:
        flat: list[int] = []
        last = (0, 0)
        for x, y in arcs[index]:
            flat += [x - last[0], y - last[1]]
            last = (x, y)
        encoded.append(flat)
    document = {
        "source": "Natural Earth 1:50m Admin 0 countries, version 4.1.0, via the npm package world-atlas 2.0.2 "
                  "(countries-50m.json); public domain. Simplified (Douglas-Peucker, 0.03 degrees) by "
                  "scripts/extract_natural_earth.py",
        "unit": 1 / UNIT,
        "arcs": encoded,
        "countries": countries,
    }
    json.dump(document, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
