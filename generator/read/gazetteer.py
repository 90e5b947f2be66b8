"""The gazetteer (site.yaml's places:) and how an event's free-text location is placed with it.

An entry is `name: [latitude, longitude]`, or `name: Other name` to make an alias of a place listed
with coordinates (`Mitiga airport: Tripoli`). A region is a mapping: `name: {at: [latitude, longitude],
radius: KM}` (an area around a point, drawn as one) or `name: {country: ISO3}` (a whole country, drawn
as its outline; `at:` may move its representative point). Names match case-insensitively. A location that is not
an entry itself is split into parts ("Tripoli and Misrata", "Tripoli to Sirte"), and each part may
drop a leading "near" or "off" and be read as its comma-separated pieces ("Skhirat, Morocco").
"""

from __future__ import annotations

from typing import Any, Mapping

from generator.read.fields import Fields, suggest, type_name
from generator.model.places import normal, place_location
from generator.model.text import slugify
from generator.model.types import Event, Place
from generator.read.world import centroid, load_world, ring_area

PLACES_KEY = "places"


def read_places(site: Fields) -> dict[str, Place]:
    """places: from site.yaml, validated, with aliases resolved: a normalised name -> its place."""
    if not site.has(PLACES_KEY):
        return {}
    raw = site.mapping[PLACES_KEY]
    if not isinstance(raw, dict):
        site.error(PLACES_KEY, f"'{PLACES_KEY}' must be a mapping of place names to [latitude, longitude], "
                               f"found {type_name(raw)}")
        return {}
    fields = site.child(PLACES_KEY, raw)
    places: dict[str, Place] = {}
    aliases: dict[str, str] = {}
    written: dict[str, str] = {}  # normalised -> as written, to report duplicates
    slugs: dict[str, str] = {}
    for name, value in raw.items():
        text = str(name).strip()
        key = normal(text)
        if not key or not slugify(text):
            fields.error(name, f"place name '{name}' has no letters or digits")
            continue
        if key in written:
            fields.error(name, f"place '{text}' is listed twice (also as '{written[key]}')")
            continue
        written[key] = text
        if isinstance(value, str) and value.strip():
            aliases[key] = value.strip()
            continue
        place = _region(fields.child(name, value), text, value) if isinstance(value, dict) else None
        coordinates = _coordinates(value)
        if place is None and coordinates is None:
            if not isinstance(value, dict):
                fields.error(name, f"place '{text}' must be [latitude, longitude] in degrees (latitude -90 to 90, "
                                   f"longitude -180 to 180), a region ({{at: [latitude, longitude], radius: km}} or "
                                   f"{{country: ISO3}}) or the name of another place, found {type_name(value)}")
            continue
        slug = slugify(text)
        if slug in slugs:
            fields.error(name, f"places '{text}' and '{slugs[slug]}' would share the page places/{slug}/")
            continue
        slugs[slug] = text
        places[key] = place or Place(text, *(coordinates or (0.0, 0.0)))
    for key, target in aliases.items():
        place = places.get(normal(target))
        if place is None:
            known = [p.name for p in places.values()]
            hint = " (an alias must name a place listed with coordinates)" if normal(target) in aliases else ""
            fields.error(written[key], f"place '{written[key]}' is an alias of '{target}', which is not a place "
                                       f"with coordinates{hint or suggest(target, known)}")
            continue
        places[key] = place
    return places


def _region(fields: Fields, name: str, value: dict[str, Any]) -> Place | None:
    """A region: {at: [lat, lon], radius: km} or {country: ISO3, at: optional}; None (reported) when wrong."""
    fields.unknown_keys(("at", "radius", "country"), "region field")
    at = _coordinates(value["at"]) if "at" in value else None
    if "at" in value and at is None:
        fields.error("at", f"'at' of place '{name}' must be [latitude, longitude] in degrees, "
                           f"found {type_name(value['at'])}")
        return None
    if "country" in value:
        code = value["country"]
        country = load_world().get(code) if isinstance(code, str) else None
        if country is None:
            known = {c.name.casefold(): c.code for c in load_world().values()}
            hint = f" (did you mean '{known[code.casefold()]}'?)" if isinstance(code, str) and \
                code.casefold() in known else suggest(str(code), load_world())
            fields.error("country", f"'country' of place '{name}' must be an ISO 3166-1 alpha-3 code such as "
                                    f"LBY, found {type_name(code)}{hint}")
            return None
        if at is None:
            lon, lat = centroid(max(country.outer_rings(), key=ring_area))
            at = (round(lat, 2), round(lon, 2))
        return Place(name, *at, country=country.code)
    radius = value.get("radius")
    if at is None or not isinstance(radius, (int, float)) or isinstance(radius, bool) or not 0 < radius <= 5000:
        fields.error(None, f"region '{name}' needs 'at: [latitude, longitude]' and 'radius' in km (above 0, at "
                           f"most 5000), or 'country: ISO3'")
        return None
    return Place(name, *at, radius=float(radius))


def _coordinates(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def check_location(fields: Fields, event: Event, places: Mapping[str, Place]) -> None:
    """Warn about an event location the gazetteer cannot place (an error under --strict)."""
    if event.location and not place_location(event.location, places):
        fields.warn("location", f"location '{event.location}' is not in the gazetteer: add it to places: in "
                                f"site.yaml (name: [latitude, longitude]) so the map can show it")
