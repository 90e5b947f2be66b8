"""Everything published beside the pages: feeds, sitemap, robots.txt, open data and the event schema.

Each group of files is a job with a key over everything it shows, like the pages, so a build skips a
group whose key has not changed (the open data files of 10,000 events are about 100 MB).
"""

from __future__ import annotations

import os
from itertools import chain
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from generator.model.digest import digest, digest_many
from generator.publish.exports import render_exports
from generator.publish.feeds import atom_feed, feeds, latest_entries
from generator.publish.filterindex import render_filter_index
from generator.read.schema import SCHEMA_PATH, schema_text
from generator.model.site import Site
from generator.model.types import Event
from generator.publish.sitemap import lastmods, render_robots, render_sitemap

if TYPE_CHECKING:
    from generator.output.joined import Join, Joined


PUBLISHED = "publish:"


@dataclass(frozen=True)
class PublishJob:
    """A group of published files, the key of its inputs, and how to make them."""

    name: str
    key: str  # starts with "publish:", so a build that does not publish can keep these files as they are
    produce: Callable[[], Iterator[tuple[str, bytes | Joined]]]


def _encoded(files: Iterable[tuple[str, str]]) -> Iterator[tuple[str, bytes]]:
    """Text files as UTF-8, one at a time."""
    for rel, text in files:
        yield rel, text.encode("utf-8")


def publishing_jobs(site: Site, pages: list[str], layout_key: str, join: Join, language: str = "") -> list[PublishJob]:
    """The published files in groups; `pages` are the output paths of the rendered pages; `join` makes the
    files joined from the events' fragments (exports.Join). With a language (the site in one of its other
    languages), its feeds, open data and filter index, under its folder; the sitemap and schema are the
    default language's."""
    events = digest_many("events", [event.fingerprint for event in site.events])
    entries = latest_entries(site)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    lastmod = lastmods(site)
    jobs = [  # one job a feed: an edit changes the feeds of the edited event's actors, not all of them
        PublishJob(f"feed:{whose}", digest("feed", layout_key, epoch, whose, path,
                                           digest_many("feed", [event.fingerprint for event in entries[whose]])),
                   _feed(site, entries[whose], path, title, page))
        for whose, path, title, page in feeds(site)]
    jobs += [
        # the sitemap shows the pages' addresses and the events' last changes, not the events themselves
        PublishJob("sitemap", digest("sitemap", layout_key, digest_many("pages", sorted(pages)),
                                     digest_many("lastmod", [f"{page}:{day}" for page, day in lastmod.items()])),
                   lambda: _encoded(chain(render_sitemap(site, pages, lastmod),
                                          [("robots.txt", render_robots(site))]))),
        PublishJob("data", digest("data", layout_key, events),
                   lambda: render_exports(site, join)),
        PublishJob("schema", digest("schema", layout_key), lambda: _encoded([(SCHEMA_PATH, schema_text())])),
        PublishJob("filters", digest("filters", layout_key, events),
                   lambda: render_filter_index(site, join)),
    ]
    if language:
        return [PublishJob(f"{job.name}:{language}", PUBLISHED + digest(language, job.key), _under(language, job.produce))
                for job in jobs if job.name.startswith("feed:") or job.name in ("data", "filters")]
    return [PublishJob(job.name, PUBLISHED + job.key, job.produce) for job in jobs]


def _feed(site: Site, entries: list[Event], path: str, title: str, page: str
          ) -> Callable[[], Iterator[tuple[str, bytes | Joined]]]:
    return lambda: _encoded([(path, atom_feed(site, entries, path, title, page))])


def _under(folder: str, produce: Callable[[], Iterator[tuple[str, bytes | Joined]]]
           ) -> Callable[[], Iterator[tuple[str, bytes | Joined]]]:
    return lambda: ((f"{folder}/{rel}", content) for rel, content in produce())
