"""data/index.json: the compact index the home page's filters search, covering every event.

Ids are listed once; each event is a short array of small integers and strings:

    [slug, title, date, date as shown, [actor…], kind, side, status, sources, milestone]

where actor, kind, side and status are positions in the lists at the top (side -1 for none), date
is the ISO partial date ('2015', '2020-01', '2020-01-02'), sources the number of sources and
milestone 0 or 1. About 150 bytes an event, so 10,000 events are some 1.5 MB (a few hundred KB
compressed), loaded only when a reader filters.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from .config import STATUSES
from .dates import PartialDate
from .model import Event
from .site import Site

INDEX_PATH = "data/index.json"
INDEX_VERSION = 1


def event_when(event: Event, language: str) -> str:
    """The event's date as its card shows it: '2 January 2020', 'c. 2015', 'March 2019 – ongoing'."""
    text = event.date.display(language, event.approximate)
    if event.end == "ongoing":
        return text + " – ongoing"
    if isinstance(event.end, PartialDate):
        return text + " – " + event.end.display(language)
    return text


def filter_index(site: Site) -> dict[str, Any]:
    config = site.config
    actors = {ident: n for n, ident in enumerate(config.actors)}
    kinds = {ident: n for n, ident in enumerate(config.kinds)}
    sides = {ident: n for n, ident in enumerate(config.sides)}
    statuses = {status: n for n, status in enumerate(STATUSES)}
    events = [[event.slug, event.title, event.date.iso(), event_when(event, config.language),
               [actors[a] for a in event.actors], kinds[event.kind],
               sides[event.supports] if event.supports else -1, statuses[event.status], len(event.sources),
               int(event.milestone)] for event in site.events]
    return {
        "version": INDEX_VERSION,
        "actors": [[a.id, a.name, a.colour] for a in config.actors.values()],
        "kinds": [[ident, label] for ident, label in config.kinds.items()],
        "sides": [[s.id, s.short] for s in config.sides.values()],
        "statuses": list(STATUSES),
        "events": events,
    }


def render_filter_index(site: Site) -> Iterator[tuple[str, str]]:
    yield INDEX_PATH, json.dumps(filter_index(site), ensure_ascii=False, separators=(",", ":")) + "\n"
