"""Everything published beside the pages: feeds, sitemap, robots.txt, open data and the event schema."""

from __future__ import annotations

from typing import Iterable, Iterator

from .exports import render_exports
from .feeds import render_feeds
from .schema import SCHEMA_PATH, schema_text
from .site import Site
from .sitemap import render_robots, render_sitemap


def render_publishing(site: Site, pages: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) of every published file; `pages` are the output paths of the rendered pages."""
    files: list[tuple[str, str]] = [
        *render_feeds(site),
        *render_sitemap(site, pages),
        ("robots.txt", render_robots(site)),
        *render_exports(site),
        (SCHEMA_PATH, schema_text()),
    ]
    for rel, text in files:
        yield rel, text.encode("utf-8")
