"""site.yaml's map: which countries the home page's map highlights and what part of the world it frames.

    map:
      focus: [LBY]              # ISO 3166-1 alpha-3 codes, drawn highlighted
      frame: [4, 19, 34, 38.5]  # west, south, east, north in degrees; computed when left out
      title: Map of …           # the map's accessible title; from the focus countries' names when left out
      labels:                   # more names to write on the map (seas, deserts): name: [latitude, longitude]
        Mediterranean Sea: [35.3, 20.6]
        Gulf of Sidra: {at: [31.5, 18.5], name: {en: Gulf of Sidra, ar: خليج سرت}}  # the name per language

`map: false` turns the map off. Without a `map:` key the map frames the gazetteer's places.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from generator.model.types import MapConfig, Place
from generator.read.fields import Fields, suggest, type_name
from generator.read.world import Box, load_world

MAP_KEY = "map"
MAP_KEYS = ("focus", "frame", "title", "labels")
NEAR_KM = 800.0  # places this close to the focus countries are framed with them
KM_PER_DEGREE = 111.32
MARGIN = 0.08  # of the frame's width and height, at least MIN_MARGIN degrees, added on each side
MIN_MARGIN = 1.0
TALLEST, WIDEST = 0.75, 0.45  # the frame's height over its width (true to scale) is kept within these


def read_map(site: Fields, places: dict[str, Place]) -> MapConfig | None:
    """The map's configuration; None when there is no map (map: false, or nothing to frame)."""
    raw: Any = site.mapping.get(MAP_KEY, True)
    if raw is False:
        return None
    if raw is True or raw is None:
        raw = {}
    if not isinstance(raw, dict):
        site.error(MAP_KEY, f"'map' must be a mapping (focus, frame, title, labels) or false, found {type_name(raw)}")
        return None
    fields = site.child(MAP_KEY, raw)
    fields.unknown_keys(MAP_KEYS, "map field")
    focus = _focus(fields, raw.get("focus"))
    labels = _labels(fields, raw.get("labels"))
    title = fields.text("title")
    frame: Box | None = None
    if raw.get("frame") is not None:
        frame = _frame(fields, raw["frame"])
    if frame is None:
        if not focus and not places:
            return None
        frame = auto_frame(focus, places.values())
    return MapConfig(tuple(focus), frame, title, tuple(labels))


def _focus(fields: Fields, raw: Any) -> list[str]:
    if raw is None:
        return []
    codes = [raw] if isinstance(raw, str) else raw
    if not isinstance(codes, list):
        fields.error("focus", f"'focus' must be a list of ISO 3166-1 alpha-3 country codes such as [LBY], "
                              f"found {type_name(raw)}")
        return []
    world = load_world()
    names = {country.name.casefold(): code for code, country in world.items()}
    focus = []
    for code in codes:
        if isinstance(code, str) and code in world:
            focus.append(code)
            continue
        hint = f" (did you mean '{names[code.casefold()]}'?)" if isinstance(code, str) and \
            code.casefold() in names else suggest(str(code).upper(), world)
        fields.error("focus", f"unknown country code {code!r} in 'focus': use ISO 3166-1 alpha-3 codes such as "
                              f"LBY or YEM{hint}")
    return focus


def _frame(fields: Fields, raw: Any) -> Box | None:
    numbers = raw if isinstance(raw, list) else []
    if len(numbers) != 4 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
        fields.error("frame", f"'frame' must be [west, south, east, north] in degrees, found {type_name(raw)}")
        return None
    west, south, east, north = (float(v) for v in numbers)
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        fields.error("frame", f"'frame' [{west:g}, {south:g}, {east:g}, {north:g}] must have west < east "
                              f"(longitudes -180 to 180) and south < north (latitudes -85 to 85)")
        return None
    return west, south, east, north


def _labels(fields: Fields, raw: Any) -> list[tuple[str, float, float]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        fields.error("labels", f"'labels' must be a mapping of names to [latitude, longitude], found {type_name(raw)}")
        return []
    labels = []
    for key, value in raw.items():
        name = str(key)
        if isinstance(value, dict):  # {at: [latitude, longitude], name: its name in this language}
            entry = fields.child("labels", raw).child(key, value)
            entry.unknown_keys(("at", "name"), "label field")
            name = entry.text("name") or name
            value = value.get("at")
        ok = isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        if not ok or not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
            fields.child("labels", raw).error(key, f"label '{key}' must be [latitude, longitude] in degrees (or "
                                                   f"{{at: [latitude, longitude], name: …}}), found {type_name(value)}")
            continue
        labels.append((name, float(value[0]), float(value[1])))
    return labels


def auto_frame(focus: Iterable[str], places: Iterable[Place]) -> Box:
    """The focus countries and the places within NEAR_KM of them (every place when there is no focus), with a
    margin, widened or heightened so that the map is neither a strip nor a tower."""
    world = load_world()
    boxes = [world[code].box for code in focus]
    points = [(place.lon, place.lat) for place in places]
    if boxes:
        west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
        east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
        points = [p for p in points if _distance_km(p, (west, south, east, north)) <= NEAR_KM]
    else:
        west, south, east, north = points[0][0], points[0][1], points[0][0], points[0][1]
    for lon, lat in points:
        west, south, east, north = min(west, lon), min(south, lat), max(east, lon), max(north, lat)
    dx, dy = max(MIN_MARGIN, (east - west) * MARGIN), max(MIN_MARGIN, (north - south) * MARGIN)
    west, south, east, north = west - dx, south - dy, east + dx, north + dy
    squeeze = math.cos(math.radians((south + north) / 2))
    width, height = (east - west) * squeeze, north - south
    if height > TALLEST * width:
        grow = (height / TALLEST / squeeze - (east - west)) / 2
        west, east = west - grow, east + grow
    elif height < WIDEST * width:
        grow = (WIDEST * width - height) / 2
        south, north = south - grow, north + grow
    return (round(max(-180.0, west), 2), round(max(-85.0, south), 2), round(min(180.0, east), 2),
            round(min(85.0, north), 2))


def _distance_km(point: tuple[float, float], box: Box) -> float:
    lon, lat = point
    west, south, east, north = box
    dlat = max(0.0, south - lat, lat - north)
    dlon = max(0.0, west - lon, lon - east) * math.cos(math.radians(lat))
    return math.hypot(dlat, dlon) * KM_PER_DEGREE
