"""Verifying a built site as a visitor's browser would see it, offline, one file at a time.

Every internal link and asset (href, src, srcset, poster, CSS url() and @import, Open Graph images)
must resolve to a file of the output, honouring base_url's path; every #fragment must name an
element of its page; every page needs a <title> and exactly one <h1>; XML and JSON files must parse,
and the links of the sitemap and feeds must resolve too. Pages are parsed one at a time and nothing
of a page is kept but the fragments that other pages point into it: those pages are read once more
at the end, for their ids alone.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Sequence
from urllib.parse import unquote, urlsplit

from generator.read.config import load_config
from generator.model.errors import Problem, Problems
from generator.publish.feeds import FEED_PATH
from generator.engine.parallel import map_chunks, shared

HTML_SUFFIXES = (".html", ".htm")
LINK_ATTRIBUTES = {"href", "src", "poster"}
META_LINKS = {"og:image", "og:image:url", "og:url", "og:audio", "og:video", "twitter:image"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CHUNK = 1 << 16


@dataclass
class LinkReport:
    pages: int = 0
    links: int = 0
    problems: list[Problem] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects a page's ids, links, <title> text and <h1> count."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.titles: list[str] = []
        self.h1 = 0
        self._in: str | None = None  # 'title' or 'style' while inside one
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for name in LINK_ATTRIBUTES & values.keys():
            self.links.append(values[name])
        if "srcset" in values:
            self.links.extend(srcset_urls(values["srcset"]))
        if "style" in values:
            self.links.extend(css_urls(values["style"]))
        if tag == "object" and "data" in values:
            self.links.append(values["data"])
        if tag == "meta" and (values.get("property") or values.get("name")) in META_LINKS and "content" in values:
            self.links.append(values["content"])
        if tag == "h1":
            self.h1 += 1
        if tag in ("title", "style"):
            self._in, self._text = tag, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("title", "style"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            text = "".join(self._text)
            if tag == "title":
                self.titles.append(text.strip())
            else:
                self.links.extend(css_urls(text))
            self._in = None


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a srcset ('a.png 1x, b.png 2x'), split as browsers do: a URL may contain commas."""
    urls: list[str] = []
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors ('2x', '100w') up to the next comma
            comma = srcset.find(",", position)
            position = length if comma < 0 else comma + 1
        if url:
            urls.append(url)
    return urls


def css_urls(css: str) -> list[str]:
    return [next(group for group in match.groups() if group is not None) for match in CSS_URL.finditer(css)]


class LinkChecker:
    """Checks one output folder against the base_url the site was built with."""

    def __init__(self, output_dir: Path, base_url: str) -> None:
        self.root = output_dir
        parts = urlsplit(base_url)
        self.base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.host = parts.netloc.lower() or None
        self.files = set(_walk(output_dir))
        self.current: tuple[str, set[str]] = ("", set())  # the page being checked and its ids
        self.pending: dict[str, list[tuple[str, str, str]]] = {}  # target page -> [(page, link, fragment)]
        self.report = LinkReport()

    def problem(self, page: str, link: str, reason: str) -> None:
        self.report.problems.append(Problem(page, None, f"{link}: {reason}"))

    def run(self) -> LinkReport:
        pages = sorted(rel for rel in self.files if rel.endswith(HTML_SUFFIXES))
        report, pending = LinkReport(), dict[str, list[tuple[str, str, str]]]()
        for problems, links, outgoing in map_chunks(_check_pages, pages, shared=self):
            report.pages += 1
            report.links += links
            report.problems.extend(problems)
            for target, page, link, fragment in outgoing:
                pending.setdefault(target, []).append((page, link, fragment))
        self.report, self.pending = report, pending  # the workers (or the inline run) used their own
        for rel in sorted(self.files):
            if rel.endswith(".css"):
                self.check_links(rel, css_urls((self.root / rel).read_text("utf-8", errors="replace")))
            elif rel.endswith(".xml"):
                self.check_xml(rel)
            elif rel.endswith(".json"):
                self.check_json(rel)
        for target, requests in sorted(self.pending.items()):
            ids = self.parse(target).ids
            for page, link, fragment in requests:
                self.check_fragment(page, link, target, fragment, ids)
        self.report.problems.sort(key=lambda p: (p.path, p.message))
        return self.report

    # -- pages ---------------------------------------------------------------------------------
    def check_page(self, rel: str) -> None:
        parser = self.parse(rel)
        self.report.pages += 1
        self.current = (rel, parser.ids)
        if not parser.titles:
            self.problem(rel, "<title>", "missing")
        elif not parser.titles[0]:
            self.problem(rel, "<title>", "empty")
        if parser.h1 != 1:
            self.problem(rel, "<h1>", f"found {parser.h1}, expected exactly one")
        self.check_links(rel, parser.links)
        self.current = ("", set())

    def parse(self, rel: str) -> PageParser:
        parser = PageParser()
        with open(self.root / rel, encoding="utf-8", errors="replace") as file:
            while chunk := file.read(CHUNK):
                parser.feed(chunk)
        parser.close()
        return parser

    def check_links(self, rel: str, links: list[str]) -> None:
        for link in links:
            self.report.links += 1
            self.check_link(rel, link)

    def check_link(self, page: str, link: str) -> None:
        parts = urlsplit(link.strip())
        if parts.scheme not in ("", "http", "https"):
            return  # mailto:, tel:, data:…
        if parts.netloc:
            if parts.netloc.lower() != self.host or not parts.path.startswith(self.base_path):
                return  # another site, or another site on our host: not ours to check offline
        target = self.resolve(page, parts.path)
        if target is None:
            self.problem(page, link, f"outside the site's base path {self.base_path} (base_url)")
            return
        found = self.find(target)
        if found is None:
            shown = target + "index.html" if target.endswith("/") or not target else target
            self.problem(page, link, f"no such file in the output ({shown})")
            return
        if parts.fragment and found.endswith(HTML_SUFFIXES):
            if found == self.current[0]:
                self.check_fragment(page, link, found, parts.fragment, self.current[1])
            else:
                self.pending.setdefault(found, []).append((page, link, parts.fragment))

    def resolve(self, page: str, path: str) -> str | None:
        """The output-relative path a link's path points to; None when it leaves the base path."""
        if not path:
            return page
        if not path.startswith("/"):
            path = posixpath.dirname(self.base_path + page).rstrip("/") + "/" + path
        normal = posixpath.normpath(path)
        if path.endswith(("/", "/.", "/..")) and not normal.endswith("/"):
            normal += "/"
        if normal + "/" == self.base_path:
            normal += "/"
        if not normal.startswith(self.base_path):
            return None
        return unquote(normal[len(self.base_path):])

    def find(self, target: str) -> str | None:
        """The file a path serves: itself, or a folder's index.html (with or without the final slash)."""
        if target == "" or target.endswith("/"):
            index = target + "index.html"
            return index if index in self.files else None
        if target in self.files:
            return target
        if target + "/index.html" in self.files:
            return target + "/index.html"
        return None

    def check_fragment(self, page: str, link: str, target: str, fragment: str, ids: set[str]) -> None:
        if fragment.lower() == "top":  # scrolls to the top even without such an element
            return
        if fragment not in ids and unquote(fragment) not in ids:
            where = "this page" if target == page else target
            self.problem(page, link, f"no element with id '{fragment}' on {where}")

    # -- data files ----------------------------------------------------------------------------
    def check_xml(self, rel: str) -> None:
        try:
            root = ET.parse(self.root / rel).getroot()
        except ET.ParseError as error:
            self.problem(rel, "XML", f"does not parse: {error}")
            return
        if root.tag == f"{SITEMAP}urlset" or root.tag == f"{SITEMAP}sitemapindex":
            self.check_links(rel, [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP}loc")])
        elif root.tag == f"{ATOM}feed":
            self.check_feed(rel, root)

    def check_feed(self, rel: str, feed: ET.Element) -> None:
        for element, what in [(feed, "feed"), *((entry, "entry") for entry in feed.iter(f"{ATOM}entry"))]:
            for required in ("id", "title", "updated"):
                if element.find(f"{ATOM}{required}") is None:
                    ident = element.findtext(f"{ATOM}id") or ""
                    self.problem(rel, f"<{what}>{' ' + ident if ident else ''}", f"has no <{required}>")
        self.check_links(rel, [link.get("href", "") for link in feed.iter(f"{ATOM}link")])

    def check_json(self, rel: str) -> None:
        try:
            with open(self.root / rel, encoding="utf-8") as file:
                json.load(file, object_pairs_hook=_discard)  # parse only: keep no objects around
        except (ValueError, UnicodeDecodeError) as error:
            self.problem(rel, "JSON", f"does not parse: {error}")


def _discard(pairs: list[tuple[str, object]]) -> None:
    return None


PageOutcome = tuple[list[Problem], int, list[tuple[str, str, str, str]]]


def _check_pages(chunk: Sequence[str]) -> list[PageOutcome]:
    """Worker: check some pages; their problems, link counts and fragments pointing into other pages."""
    checker = shared(LinkChecker)
    outcomes: list[PageOutcome] = []
    for rel in chunk:
        checker.report, checker.pending = LinkReport(), {}
        checker.check_page(rel)
        pending = [(target, page, link, fragment) for target, links in checker.pending.items()
                   for page, link, fragment in links]
        outcomes.append((checker.report.problems, checker.report.links, pending))
    return outcomes


def _walk(root: Path) -> list[str]:
    files: list[str] = []
    for folder, _dirs, names in os.walk(root):
        prefix = Path(folder).relative_to(root).as_posix()
        files.extend(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return files


def published_base_url(output_dir: Path) -> str | None:
    """The base_url a built site was made with: its feed's self link without 'feed.xml' (None if unknown)."""
    try:
        feed = ET.parse(output_dir / FEED_PATH).getroot()
    except (OSError, ET.ParseError):
        return None
    for link in feed.iter(f"{ATOM}link"):
        href = link.get("href", "")
        if link.get("rel") == "self" and href.endswith("/" + FEED_PATH):
            return href[: -len(FEED_PATH)]
    return None


def check_output(output_dir: Path, base_url: str) -> LinkReport:
    """Verify a built site; every problem is reported as 'page: link: reason'."""
    return LinkChecker(output_dir, base_url).run()


def verify_built_site(output_dir: Path, site_dir: Path) -> LinkReport:
    """`check`'s verification of a built site, against the base_url it was built with.

    That is the one its feed records (a build may have overridden site.yaml's with --base-url),
    else site.yaml's.
    """
    if not output_dir.is_dir():
        report = LinkReport()
        report.problems.append(Problem(str(output_dir), None, "no built site here: run build first"))
        return report
    base_url = published_base_url(output_dir)
    if base_url is None:
        config = load_config(site_dir, Problems())
        base_url = config.base_url if config else "/"
    return check_output(output_dir, base_url)
