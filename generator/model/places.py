"""Placing an event's free-text location with the gazetteer (site.yaml's places:, read by read.gazetteer).

Names match case-insensitively. A location that is not an entry itself is split into parts ("Tripoli
and Misrata", "Tripoli to Sirte"), and each part may drop a leading "near" or "off" and be read as its
comma-separated pieces ("Skhirat, Morocco").
"""

from __future__ import annotations

import re
from typing import Mapping

from generator.model.types import Place

_PARTS = re.compile(r"\s+(?:and|to|&)\s+", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:near|off|outside)\s+", re.IGNORECASE)


def normal(name: str) -> str:
    """How names are compared: case-folded, with single spaces."""
    return " ".join(name.casefold().split())


def place_location(location: str, places: Mapping[str, Place]) -> tuple[Place, ...]:
    """The places a free-text location names, in order; () when any part of it cannot be placed."""
    whole = _place_part(location, places)
    if whole is not None:
        return (whole,)
    parts = [part for part in _PARTS.split(location) if part.strip()]
    if len(parts) < 2:
        return ()
    found: list[Place] = []
    for part in parts:
        place = _place_part(part, places)
        if place is None:
            return ()
        if place not in found:
            found.append(place)
    return tuple(found)


def _place_part(text: str, places: Mapping[str, Place]) -> Place | None:
    for candidate in (text, _PREFIX.sub("", text.strip()), *text.split(",")):
        place = places.get(normal(candidate))
        if place is not None:
            return place
    return None
