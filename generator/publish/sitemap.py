"""sitemap.xml (every page of the site, with absolute addresses under base_url) and robots.txt.

A sitemap holds at most 50,000 addresses; a larger site gets sitemap-1.xml, sitemap-2.xml… and
sitemap.xml becomes their index. An event page's <lastmod> is its last `updated`/corrections date.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterable, Iterator
from urllib.parse import quote, urlsplit

from generator.publish.feeds import last_change
from generator.model.site import Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SITEMAP_PATH = "sitemap.xml"
SITEMAP_LIMIT = 50_000
NOT_LISTED = ("404.html",)


_PLAIN = re.compile(r"[A-Za-z0-9/._~-]*")  # what quote() leaves as it is


def escape(text: str) -> str:
    """XML text escaping, as xml.sax.saxutils.escape (whose module imports urllib.request: 20 ms a build)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page_address(rel: str) -> str:
    """An output file's address below the base path: 'events/x/index.html' -> 'events/x/', 'index.html' -> ''."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return rel if _PLAIN.fullmatch(rel) else quote(rel, safe="/-._~")


def listed_pages(paths: Iterable[str]) -> list[str]:
    """The HTML pages a sitemap lists, as addresses, sorted: every page but the 404 page."""
    return sorted(page_address(p) for p in paths if p.endswith((".html", ".htm")) and p not in NOT_LISTED)


def lastmods(site: Site) -> dict[str, str]:
    """The <lastmod> of the pages that have one: the event pages of events updated or corrected (in every
    language)."""
    found = {f"events/{e.slug}/": changed.first_day().isoformat()
             for e in site.events if (e.updated or e.corrections) and (changed := last_change(e)) is not None}
    for code in site.translations:
        found.update({f"{code}/{page}": day for page, day in list(found.items()) if page.startswith("events/")})
    return found


def _alternates(site: Site, page: str) -> str:
    """The <xhtml:link> alternates of a page in each of the site's languages (none for one language)."""
    languages = site.config.languages
    if len(languages) < 2:
        return ""
    base = page
    for language in languages[1:]:
        if page.startswith(language.code + "/"):
            base = page[len(language.code) + 1:]
    links = [(language.locale, base if n == 0 else f"{language.code}/{base}") for n, language in enumerate(languages)]
    links.append(("x-default", base))
    return "".join(f'\n    <xhtml:link rel="alternate" hreflang="{escape(code)}" '
                   f'href="{escape(site.absolute_url(address))}"/>' for code, address in links)


def render_sitemap(site: Site, paths: Iterable[str], lastmod: dict[str, str] | None = None
                   ) -> Iterator[tuple[str, str]]:
    """sitemap.xml (or an index and its parts) listing the built pages given as output paths."""
    lastmod = lastmods(site) if lastmod is None else lastmod
    pages = listed_pages(paths)
    if len(pages) <= SITEMAP_LIMIT:
        yield SITEMAP_PATH, _urlset(site, pages, lastmod)
        return
    parts = [pages[i:i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, part in enumerate(parts, 1):
        name = f"sitemap-{number}.xml"
        ET.SubElement(ET.SubElement(index, "sitemap"), "loc").text = site.absolute_url(name)
        yield name, _urlset(site, part, lastmod)
    yield SITEMAP_PATH, _serialise(index)


def _urlset(site: Site, pages: list[str], lastmod: dict[str, str]) -> str:
    """The <urlset>, written out directly (as ElementTree would write it, at a fraction of the time)."""
    if not pages:
        return _serialise(ET.Element("urlset", {"xmlns": SITEMAP_NS}))
    entries = []
    for page in pages:
        changed = f"\n    <lastmod>{escape(lastmod[page])}</lastmod>" if page in lastmod else ""
        entries.append(f"  <url>\n    <loc>{escape(site.absolute_url(page))}</loc>{changed}"
                       f"{_alternates(site, page)}\n  </url>\n")
    namespaces = f' xmlns:xhtml="{XHTML_NS}"' if len(site.config.languages) > 1 else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP_NS}"{namespaces}>\n'
            + "".join(entries) + "</urlset>\n")


def _serialise(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_robots(site: Site) -> str:
    """robots.txt: everything may be crawled; the sitemap's address when base_url is absolute.

    Crawlers read robots.txt only at a host's root: under a sub-path, copy its Sitemap line into
    the root robots.txt of the host.
    """
    lines = ["User-agent: *", "Disallow:", ""]
    if urlsplit(site.config.base_url).netloc:
        lines += [f"Sitemap: {site.absolute_url(SITEMAP_PATH)}", ""]
    return "\n".join(lines)
