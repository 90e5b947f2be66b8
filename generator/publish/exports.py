"""Open data: data/events.json (versioned), data/events.csv and data/timeline.json (TimelineJS3).

The shape of events.json is documented in README.md ("Open data"); EVENTS_VERSION changes whenever
a field is renamed or removed or changes meaning (adding a field does not change it). Everything is
serialised compactly with sorted keys, so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import json
from typing import Callable, TYPE_CHECKING, Any, Iterator

from markupsafe import Markup, escape

from generator.output.joined import Fragments
from generator.publish.citations import headline, summary_with_sources
from generator.model.dates import PartialDate
from generator.publish.filterindex import event_row
from generator.model.types import Actor, EndDate, Event, Involvement, Part, SiteConfig, Source
from generator.model.site import Site

if TYPE_CHECKING:
    from generator.output.joined import Join, Joined

EVENTS_FORMAT = "timeline-generator/events"
EVENTS_VERSION = 2  # 2: each event's actors are {id, role, acts, supports, status}; "sides" added
# (added within version 2: each event's "language", of its title and summary, and the site's "languages")
EVENTS_JSON = "data/events.json"
EVENTS_CSV = "data/events.csv"
TIMELINE_JSON = "data/timeline.json"
CSV_COLUMNS = ("slug", "url", "title", "date", "end", "approximate", "actors", "actor_roles", "actor_sides",
               "actor_statuses", "kind", "sides", "status", "denied_by", "location", "tags", "milestone", "draft", "updated", "corrections", "sources",
               "source_urls", "summary")
LIST_SEPARATOR = "; "  # between ids and tags in a CSV cell; sources and corrections take a line each
# actors, actor_roles, actor_sides and actor_statuses are parallel lists: the n-th of each is the n-th actor's
# part (its side empty when it backed none), as ACLED gives each actor's role ("inter") beside it


_MARKER = "\x00events\x00"




def render_exports(site: Site, join: Join) -> Iterator[tuple[str, bytes | Joined]]:
    """The three open data files, in UTF-8, joined from each event's fragments (see Join)."""
    head, tail = _around_events(events_document(site, with_events=False))
    yield EVENTS_JSON, join(EVENTS_JSON, head + b"[", b",", b"]" + tail, 0)
    yield EVENTS_CSV, join(EVENTS_CSV, _csv_line(list(CSV_COLUMNS)).encode("utf-8"), b"", b"", 1)
    head, tail = _around_events(timeline_document(site, with_events=False))
    yield TIMELINE_JSON, join(TIMELINE_JSON, head + b"[", b",", b"]" + tail, 2)


def event_fragments(site: Site, event: Event) -> Fragments:
    """What one event contributes to each open data file (identical to serialising the whole file)."""
    record = event_record(site, event)
    return (_json(record).rstrip("\n").encode("utf-8"), _csv_line(csv_row(event, record)).encode("utf-8"),
            _json(timeline_slide(event, site.config, site.gettext)).rstrip("\n").encode("utf-8"), event_row(event, site.config))


def _around_events(document: dict[str, Any]) -> tuple[bytes, bytes]:
    """The serialised document before and after its list of events (which is left out)."""
    document["events"] = _MARKER
    head, tail = _json(document).split(json.dumps(_MARKER), 1)
    return head.encode("utf-8"), tail.encode("utf-8")


def _csv_line(cells: list[str]) -> str:
    """The row as csv.writer(lineterminator="\r\n") writes it, in a fifth of the time (long summaries)."""
    if cells == [""]:
        return '""\r\n'
    return ",".join('"' + cell.replace('"', '""') + '"' if '"' in cell or "," in cell or "\n" in cell or "\r" in cell
                    else cell for cell in cells) + "\r\n"


def _json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def _end(end: EndDate) -> str | None:
    return end.iso() if isinstance(end, PartialDate) else end


def _iso(date: PartialDate | None) -> str | None:
    return date.iso() if date else None


# -- events.json ---------------------------------------------------------------------------------
def events_document(site: Site, with_events: bool = True) -> dict[str, Any]:
    """Every event with all its fields and rendered summary, plus the ids it refers to."""
    config = site.config
    return {
        "format": EVENTS_FORMAT,
        "version": EVENTS_VERSION,
        "site": {"title": config.title, "description": config.description, "base_url": config.base_url,
                 "language": config.language,
                 "period": {"start": config.period_start.iso(), "end": config.period_end.iso()}},
        "languages": [{"code": language.code, "name": language.name, "locale": language.locale,
                       "direction": language.direction,
                       "events": site.absolute_asset_url(("" if n == 0 else language.code + "/") + EVENTS_JSON)}
                      for n, language in enumerate(config.languages)],
        "sides": {s.id: {"name": s.name, "short": s.short, "description": s.description}
                  for s in config.sides.values()},
        "kinds": dict(config.kinds),
        "roles": {r.id: {"label": r.label, "with_side": r.with_side, "acts": r.acts, "description": r.description}
                  for r in config.roles.values()},
        "actors": {a.id: actor_record(site, a) for a in config.actors.values()},
        "events": [event_record(site, event) for event in site.events] if with_events else [],
    }


def event_record(site: Site, event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug, "url": site.absolute_url(f"events/{event.slug}/"), "title": event.title,
        "language": event.language or site.config.default_language,
        "date": event.date.iso(), "date_precision": event.date.precision, "approximate": event.approximate,
        "end": _end(event.end), "actors": [part_record(part) for part in event.parts], "kind": event.kind,
        "supports": event.supports, "sides": list(event.sides),
        "status": event.status, "denied_by": list(event.denied_by), "location": event.location,
        "tags": list(event.tags), "milestone": event.milestone, "draft": event.draft,
        "updated": _iso(event.updated),
        "corrections": [{"date": c.date.iso(), "note": c.note} for c in event.corrections],
        "sources": [source_record(source) for source in event.sources],
        "summary_html": event.html,
    }


def part_record(part: Part) -> dict[str, Any]:
    return {"id": part.id, "role": part.role, "acts": part.acts, "supports": part.supports, "status": part.status}


def source_record(source: Source) -> dict[str, Any]:
    return {"url": source.url, "title": source.title, "publisher": source.publisher, "language": source.language,
            "date": source.date.iso() if source.date else "n.d." if source.undated else None,
            "archive_url": source.archive_url, "archived": source.archived.iso() if source.archived else None,
            "dead": source.dead.iso() if source.dead else None}


def actor_record(site: Site, actor: Actor) -> dict[str, Any]:
    return {"name": actor.name, "type": actor.type, "foreign": actor.foreign, "colour": actor.colour,
            "aliases": list(actor.aliases), "url": site.absolute_url(f"actors/{actor.id}/"),
            "involvement": [{"start": p.start.iso(), "end": _end(p.end), "kind": p.kind, "supports": p.supports,
                             "status": p.status, "note": p.note,
                             "sources": [source_record(s) for s in p.sources]} for p in actor.involvement]}


# -- events.csv ----------------------------------------------------------------------------------
def csv_row(event: Event, record: dict[str, Any]) -> list[str]:
    lists = {
        "actors": LIST_SEPARATOR.join(part.id for part in event.parts),
        "actor_roles": LIST_SEPARATOR.join(part.role for part in event.parts),
        "actor_sides": LIST_SEPARATOR.join(part.supports or "" for part in event.parts),
        "actor_statuses": LIST_SEPARATOR.join(part.status for part in event.parts),
        "sides": LIST_SEPARATOR.join(event.sides),
        "denied_by": LIST_SEPARATOR.join(event.denied_by),
        "tags": LIST_SEPARATOR.join(event.tags),
        "corrections": "\n".join(f"{c.date.iso()}: {c.note}" for c in event.corrections),
        "sources": "\n".join(_source_line(s) for s in event.sources),
        "source_urls": "\n".join(s.url for s in event.sources),
        "summary": event.body.strip(),
    }
    return [lists[column] if column in lists else _cell(record[column]) for column in CSV_COLUMNS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _source_line(source: Source) -> str:
    date = source.date.iso() if source.date else "n.d." if source.undated else "no date given"
    line = f"{source.publisher}: {source.title} ({date}, {source.language}) {source.url}"
    return line + (f" (archived: {source.archive_url})" if source.archive_url else "")


# -- timeline.json (Knight Lab TimelineJS3) --------------------------------------------------------
def timelinejs_date(date: PartialDate) -> dict[str, int]:
    """Only the parts the date has: {'year': 2015}, {'year': 2020, 'month': 1}…"""
    parts = {"year": date.year}
    if date.month:
        parts["month"] = date.month
    if date.day:
        parts["day"] = date.day
    return parts


def timeline_document(site: Site, with_events: bool = True) -> dict[str, Any]:
    """A title slide from site.yaml, a slide per event, an era per involvement period of each actor."""
    config = site.config
    title: dict[str, Any] = {"text": {"headline": _html(config.title),
                                      "text": _paragraph(config.description) if config.description else ""}}
    return {
        "title": title,
        "events": [timeline_slide(event, config, site.gettext) for event in site.events] if with_events else [],
        "eras": [era for actor in config.actors.values() for era in actor_eras(actor, config)],
    }


def timeline_slide(event: Event, config: SiteConfig, site_gettext: Callable[[str], str] = str) -> dict[str, Any]:
    """The event's slide; TimelineJS shows its texts as HTML, so they are escaped (the summary is sanitised)."""
    slide: dict[str, Any] = {
        "start_date": timelinejs_date(event.date),
        "text": {"headline": _html(headline(event, site_gettext)), "text": summary_with_sources(event, config,
                                                                                                 site_gettext)},
        "unique_id": event.slug,
    }
    if isinstance(event.end, PartialDate):
        slide["end_date"] = timelinejs_date(event.end)
    if event.approximate or event.end == "ongoing":
        slide["display_date"] = _html(event.date.display(config.language, event.approximate) +
                                      _end_text(event, config))
    acting = event.acting
    if acting:  # TimelineJS groups slides in rows: by the first actor that acted
        first = acting[0].id
        slide["group"] = _html(config.actors[first].name if first in config.actors else first)
    return slide


def _end_text(event: Event, config: SiteConfig) -> str:
    if event.end == "ongoing":
        return " – ongoing"
    if isinstance(event.end, PartialDate):
        return " – " + event.end.display(config.language)
    return ""


def actor_eras(actor: Actor, config: SiteConfig) -> Iterator[dict[str, Any]]:
    """An era per involvement period; an ongoing one ends with the site's period (never before it starts)."""
    for period in actor.involvement:
        end = period.end if isinstance(period.end, PartialDate) else config.period_end
        if end.last_day() < period.start.first_day():
            end = period.start
        yield {"start_date": timelinejs_date(period.start), "end_date": timelinejs_date(end),
               "text": {"headline": _html(era_headline(actor, period, config))}}


def era_headline(actor: Actor, period: Involvement, config: SiteConfig) -> str:
    text = f"{actor.name}: {config.kinds.get(period.kind, period.kind)}"
    if period.supports and period.supports in config.sides:
        text += f", supporting the {config.sides[period.supports].short}"
    return text + (f" ({period.status})" if period.status != "confirmed" else "")


def _paragraph(text: str) -> str:
    return str(Markup("<p>{}</p>").format(text))


def _html(text: str) -> str:
    """Plain text for a field TimelineJS shows as HTML (innerHTML: headlines, dates, groups), escaped."""
    return str(escape(text))
