"""The gazetteer (site.yaml's places:) and how an event's free-text location is placed with it.

An entry is `name: [latitude, longitude]`, or `name: Other name` to make an alias of a place listed
with coordinates (`Mitiga airport: Tripoli`). A region is a mapping: `name: {at: [latitude, longitude],
radius: KM}` (an area around a point, drawn as one) or `name: {country: ISO3}` (a whole country, drawn
as its outline; `at:` may move its representative point). Any of the mappings may give the place's `name:` as
pages show it, a text or a text per language (`Tripoli: {at: [32.887, 13.191], name: {en: Tripoli, ar:
طرابلس}}`); the entry's own name stays its key (locations name it, its page's URL is made from it). Names
match case-insensitively. A location that is not
an entry itself is split into parts ("Tripoli and Misrata", "Tripoli to Sirte"), and each part may
drop a leading "near" or "off" and be read as its comma-separated pieces ("Skhirat, Morocco").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from generator.read.fields import Fields, suggest, type_name
from generator.model.places import normal, place_location
from generator.model.text import slugify
from generator.model.types import Event, Place
from generator.read.world import centroid, load_world, ring_area

PLACES_KEY = "places"


def read_places(site: Fields, code: str = "", default: str = "") -> dict[str, Place]:
    """places: from site.yaml, validated, with aliases resolved: a normalised name -> its place, with its name
    in the language code (the site's default language is default; read/languages.py checks the texts)."""
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
        place = _mapped(fields.child(name, value), text, value, code, default) if isinstance(value, dict) else None
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
        place = place or Place(text, *(coordinates or (0.0, 0.0)))
        if code != default and not (isinstance(value, dict) and "name" in value):
            place = replace(place, foreign=True)  # (its name is the default language's)
        places[key] = place
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


def _mapped(fields: Fields, name: str, value: dict[str, Any], code: str, default: str) -> Place | None:
    """A place given as a mapping: a region ({at: [lat, lon], radius: km} or {country: ISO3, at: optional}) or a
    point with its name ({at: [lat, lon], name: …}), any of them with its name; None (reported) when wrong."""
    fields.unknown_keys(("at", "radius", "country", "name"), "place field")
    at = _coordinates(value["at"]) if "at" in value else None
    if "at" in value and at is None:
        fields.error("at", f"'at' of place '{name}' must be [latitude, longitude] in degrees, "
                           f"found {type_name(value['at'])}")
        return None
    label, foreign = _label(fields, name, value["name"], code, default) if "name" in value else ("", False)
    if "name" in value and not label:
        return None
    if "country" in value or "radius" in value or at is None or "name" not in value:
        place = _region(fields, name, value, at)
    else:
        place = Place(name, *at)
    return replace(place, label="" if label == name else label, foreign=foreign) \
        if place is not None and label else place


def _label(fields: Fields, name: str, names: Any, code: str, default: str) -> tuple[str, bool]:
    """A place's name in the language code, and whether it is the default language's instead (this one has none);
    ("", False) when it is wrong (reported, unless read/languages.py reports it)."""
    if isinstance(names, dict):  # a text per language
        own = names.get(code)
        if isinstance(own, str) and own.strip():
            return own.strip(), False
        fallback = names.get(default)
        return (fallback.strip(), code != default) if isinstance(fallback, str) else ("", False)
    if not isinstance(names, str) or not names.strip():
        fields.error("name", f"'name' of place '{name}' must be a text, or a text per language ({{en: …, ar: …}}), "
                             f"found {type_name(names)}")
        return "", False
    return names.strip(), False


def _region(fields: Fields, name: str, value: dict[str, Any], at: tuple[float, float] | None) -> Place | None:
    """A region: {at: [lat, lon], radius: km} or {country: ISO3, at: optional}; None (reported) when wrong."""
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
