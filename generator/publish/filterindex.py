"""data/index.json: the compact index the home page's filters search, covering every event.

Ids are listed once; each event is a short array of small integers and strings:

    [slug, title, date, date as shown, [[actor, role, side, status]…], kind, status, sources, milestone]

with one [actor, role, side, status] for each actor's part in the event (side -1 when it backed none;
status the actor's own), where actor, role, side, kind and status are positions in the lists at the
top, date is the ISO partial date ('2015', '2020-01', '2020-01-02'), sources the number of sources
and milestone 0 or 1. About 160 bytes an event, so 10,000 events are some 1.6 MB (a few hundred KB
compressed), loaded only when a reader filters.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterator

from generator.read.config import STATUSES
from generator.model.dates import PartialDate
from generator.model.types import Event, SiteConfig
from generator.model.site import Site

if TYPE_CHECKING:
    from generator.output.joined import Join, Joined

INDEX_PATH = "data/index.json"
INDEX_VERSION = 2
_MARKER = "\x00events\x00"


def event_when(event: Event, language: str) -> str:
    """The event's date as its card shows it: '2 January 2020', 'c. 2015', 'March 2019 – ongoing'."""
    text = event.date.display(language, event.approximate)
    if event.end == "ongoing":
        return text + " – ongoing"
    if isinstance(event.end, PartialDate):
        return text + " – " + event.end.display(language)
    return text


def _positions(config: SiteConfig) -> tuple[dict[str, int], ...]:
    return ({ident: n for n, ident in enumerate(config.actors)}, {ident: n for n, ident in enumerate(config.kinds)},
            {ident: n for n, ident in enumerate(config.sides)}, {status: n for n, status in enumerate(STATUSES)},
            {ident: n for n, ident in enumerate(config.roles)})


def event_row(event: Event, config: SiteConfig) -> bytes:
    """One event's entry in the index, serialised (each event's is made with the event, and cached)."""
    actors, kinds, sides, statuses, roles = _positions(config)
    parts = [[actors[p.id], roles[p.role], sides[p.supports] if p.supports else -1, statuses[p.status]]
             for p in event.parts]
    row = [event.slug, event.title, event.date.iso(), event_when(event, config.language), parts,
           kinds[event.kind], statuses[event.status], len(event.sources), int(event.milestone)]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def filter_index(site: Site, join: Join) -> bytes | Joined:
    """The index, joined from each event's row (see exports.Join)."""
    config = site.config
    document = {
        "version": INDEX_VERSION,
        "actors": [[a.id, a.name, a.colour] for a in config.actors.values()],
        "kinds": [[ident, label] for ident, label in config.kinds.items()],
        "sides": [[s.id, s.short] for s in config.sides.values()],
        "roles": [[r.id, r.label, r.with_side, int(r.acts)] for r in config.roles.values()],
        "statuses": list(STATUSES),
        "events": _MARKER,
    }
    head, tail = json.dumps(document, ensure_ascii=False, separators=(",", ":")).split(json.dumps(_MARKER), 1)
    return join(INDEX_PATH, head.encode("utf-8") + b"[", b",", b"]" + tail.encode("utf-8") + b"\n", 3)


def render_filter_index(site: Site, join: Join) -> Iterator[tuple[str, bytes | Joined]]:
    yield INDEX_PATH, filter_index(site, join)
