"""Atom feeds: the latest events of the whole site (feed.xml) and of each actor (actors/<id>/feed.xml).

Every timestamp comes from the content, never from the clock, so two builds are byte-identical: an
entry is published on its event's date and updated on the latest of its `updated` and corrections
dates (a partial date counts as its first day, 00:00:00Z). A feed is updated when its newest entry
was; an empty feed falls back to SOURCE_DATE_EPOCH, else to the start of the site's period.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from generator.publish.citations import headline, summary_with_sources
from generator.model.dates import PartialDate
from generator.model.types import Event
from generator.model.site import Site

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
FEED_PATH = "feed.xml"
GENERATOR = "timeline generator"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def last_change(event: Event) -> PartialDate | None:
    """The latest of an event's `updated` and corrections dates, or None if it was never changed."""
    dates = [event.updated] if event.updated else []
    dates += [correction.date for correction in event.corrections]
    return max(dates, key=lambda date: (date.first_day(), date), default=None)


def moment(date: PartialDate) -> dt.datetime:
    """A partial date as an instant: its first day at midnight UTC."""
    return dt.datetime.combine(date.first_day(), dt.time(), dt.timezone.utc)


def entry_updated(event: Event) -> dt.datetime:
    return moment(last_change(event) or event.date)


def timestamp(instant: dt.datetime) -> str:
    """RFC 3339 in UTC, as Atom wants it: '2020-01-02T00:00:00Z'."""
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fallback_updated(site: Site) -> dt.datetime:
    """For a feed without entries: SOURCE_DATE_EPOCH when set (reproducible builds), else the period's start."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return moment(site.config.period_start)


def latest(events: Iterable[Event], limit: int = FEED_SIZE) -> list[Event]:
    """The newest events first: by event date, then by last update (entry_updated), then by slug."""
    return sorted(events, key=_rank, reverse=True)[:limit]


def _rank(event: Event) -> tuple[int, int, int, int, int, int, str]:
    # (date, entry_updated(event), slug) as plain integers, which sort many times faster
    date = event.date
    changed = last_change(event) if event.updated or event.corrections else None
    first = changed.first_day() if changed else date.first_day()
    return date.year, date.month, date.day, first.year, first.month, first.day, event.slug


def latest_entries(site: Site, limit: int = FEED_SIZE) -> dict[str, list[Event]]:
    """latest() of the whole site (under '') and of each actor (under its id), from one sort of the events."""
    ranked = latest(site.events, len(site.events))
    entries: dict[str, list[Event]] = {"": ranked[:limit], **{actor: [] for actor in site.config.actors}}
    wanting = set(site.config.actors)
    for event in ranked:
        if not wanting:
            break
        for actor in event.actors:
            if actor in wanting:
                entries[actor].append(event)
                if len(entries[actor]) == limit:
                    wanting.discard(actor)
    return entries


def feeds(site: Site) -> list[tuple[str, str, str, str]]:
    """Each feed: (whose: '' for the site's, else an actor's id; its path; its title; the page it is the feed of):
    feed.xml and one actors/<id>/feed.xml for every actor (an actor page exists for each)."""
    config = site.config
    return [("", FEED_PATH, config.title, ""), *((actor.id, actor_feed_path(actor.id), f"{actor.name} · {config.title}",
                                                 f"actors/{actor.id}/") for actor in config.actors.values())]


def actor_feed_path(actor_id: str) -> str:
    return f"actors/{actor_id}/{FEED_PATH}"


def atom_feed(site: Site, events: Iterable[Event], path: str, title: str, page: str) -> str:
    """One Atom 1.0 document of the latest events, with absolute links under base_url."""
    config = site.config
    entries = latest(events)
    updated = max((entry_updated(event) for event in entries), default=None) or fallback_updated(site)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.language})
    _text(feed, "id", iri(site, path))
    _text(feed, "title", title)
    if config.description:
        _text(feed, "subtitle", config.description)
    _text(feed, "updated", timestamp(updated))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": site.absolute_url(path)})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": site.absolute_url(page)})
    _text(ET.SubElement(feed, "author"), "name", config.title)
    _text(feed, "generator", GENERATOR)
    for event in entries:
        feed.append(atom_entry(site, event))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def atom_entry(site: Site, event: Event) -> ET.Element:
    config = site.config
    page = f"events/{event.slug}/"
    # Relative links in the summary (footnotes, '../other/') resolve as they do on the event's page.
    entry = ET.Element("entry", {"xml:base": site.absolute_url(page)})
    if (written := text_locale(site, event)) != config.language:  # shown untranslated
        entry.set("xml:lang", written)
    _text(entry, "id", iri(site, page))
    _text(entry, "title", headline(event, site.gettext))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": site.absolute_url(page)})
    _text(entry, "published", timestamp(moment(event.date)))
    _text(entry, "updated", timestamp(entry_updated(event)))
    ET.SubElement(entry, "category", {"term": event.kind, "label": config.kinds.get(event.kind, event.kind),
                                      "scheme": site.absolute_url("kinds/")})
    for actor in event.actors:
        name = config.actors[actor].name if actor in config.actors else actor
        ET.SubElement(entry, "category", {"term": actor, "label": name, "scheme": site.absolute_url("actors/")})
    if event.excerpt:
        _text(entry, "summary", event.excerpt, type="html")
    _text(entry, "content", summary_with_sources(event, config, site.gettext), type="html")
    return entry


def iri(site: Site, path: str) -> str:
    """A permanent id: the absolute address when base_url has a host, else a name-based URN."""
    if urlsplit(site.config.base_url).netloc:
        return site.absolute_url(path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, site.config.title + '/' + path)}"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def text_locale(site: Site, event: Event) -> str:
    """The locale of the language an event's title and summary are in."""
    code = event.language or site.config.default_language
    return next((language.locale for language in site.config.languages if language.code == code),
                site.config.language)
