"""Accessibility, print, dark mode and the weight of every page, on the bundled site in a real browser.

axe-core (shipped inside axe-playwright-python, nothing downloaded) runs in Debian's chromium against
the home, an event, an actor, a year, a place and the about page, in light and dark colour schemes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

EVENT = "events/2020-01-02-turkish-parliament-authorises-troops/"
PAGES = ["", EVENT, "actors/russia/", "years/2020/", "about/", "places/tripoli/", "places/"]
BUDGET = 100 * 1024  # bytes of CSS and JavaScript a page may load, uncompressed


@pytest.fixture
def bundled(bundled_output) -> Path:
    return bundled_output


@pytest.fixture
def served(bundled, static_server) -> str:
    return static_server(bundled)


TRANSLATED = [f"{language}/{path}" for language in ("ar", "id") for path in ("", EVENT, "actors/russia/")]


# -- axe --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES + TRANSLATED)
def test_axe_finds_no_violations(browser, served, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
        results = Axe().run(page).response
        assert results["passes"], "axe ran no checks"
        problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                    for v in results["violations"]]
        assert problems == []
    finally:
        context.close()


def test_axe_finds_no_violations_in_filtered_results(page, served):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(served + "?actor=russia&status=alleged")
    page.wait_for_function("document.getElementById('filter-count').textContent.includes(' of ')")
    assert Axe().run(page).response["violations"] == []


# -- keyboard -----------------------------------------------------------------------------------------
def test_the_skip_link_comes_first_shows_on_focus_and_moves_to_the_content(page, served):
    page.goto(served)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


FOCUSABLE = """() => Array.from(document.querySelectorAll('a[href], select, button, [tabindex="0"]'))
    .filter(el => el.checkVisibility({visibilityProperty: true}))"""


def focus_ring(page) -> str:
    """What shows focus on the focused element: its outline, or for SVG links the stroke of their shape."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (el instanceof SVGElement) {
            const shape = el.querySelector('.bar, .tick, .marker, .region-area, .milestone-mark');
            const style = getComputedStyle(shape);
            return style.stroke === 'rgb(217, 119, 6)' && style.strokeWidth !== '0px' ? 'stroke ' + style.stroke
                : 'none ' + el.outerHTML.slice(0, 80);
        }
        const style = getComputedStyle(el);
        return style.outlineStyle === 'none' ? 'none ' + el.outerHTML.slice(0, 80) : 'outline ' + style.outlineColor;
    }""")


@pytest.mark.parametrize("path", ["", "actors/russia/"])
def test_tab_reaches_every_link_and_filter_with_a_visible_focus(page, served, path):
    page.goto(served + path)
    page.wait_for_load_state("networkidle")
    count = page.evaluate(f"({FOCUSABLE})().length")
    page.evaluate(f"() => ({FOCUSABLE})().forEach((el, n) => el.setAttribute('data-reach', n))")
    reached, rings = set(), set()
    for _ in range(count * 2):
        page.keyboard.press("Tab")
        mark = page.evaluate("document.activeElement.getAttribute('data-reach')")
        if mark is None:
            continue
        if mark in reached:  # round again
            break
        reached.add(mark)
        ring = focus_ring(page)
        rings.add(ring if ring.startswith("none") else ring.split(" ")[0])
    missed = page.evaluate("r => Array.from(document.querySelectorAll('[data-reach]'))"
                           ".filter(el => !r.includes(el.getAttribute('data-reach'))).map(el => el.outerHTML.slice(0, 90))",
                           sorted(reached))
    assert missed == []
    assert rings <= {"outline", "stroke"}, rings
    if path == "":
        assert page.evaluate("() => ['f-actor','f-kind','f-side','f-status','f-from','f-to']"
                             ".every(id => document.getElementById(id).hasAttribute('data-reach'))")


def test_focus_on_an_svg_link_is_drawn_in_the_focus_colour(page, served):
    page.goto(served)
    page.locator("svg.lane a").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    assert focus_ring(page) == "stroke rgb(217, 119, 6)"


# -- motion, colour scheme, print --------------------------------------------------------------------
def test_reduced_motion_is_respected(browser, served):
    for motion, expected in (("no-preference", "smooth"), ("reduce", "auto")):
        context = browser.new_context(reduced_motion=motion)
        try:
            page = context.new_page()
            page.goto(served)
            assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == expected
            duration = page.evaluate("getComputedStyle(document.querySelector('.marker')).transitionDuration")
            assert (duration == "0s") == (motion == "reduce")
        finally:
            context.close()


def test_dark_mode_follows_the_system(browser, served):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(served)
            colours[scheme] = page.evaluate("""() => [getComputedStyle(document.documentElement).backgroundColor,
                getComputedStyle(document.querySelector('.sea')).fill]""")
        finally:
            context.close()
    assert colours["light"][0] == "rgb(255, 255, 255)" and colours["dark"][0] == "rgb(18, 22, 28)"
    assert colours["light"][1] != colours["dark"][1]


def test_an_event_prints_cleanly_with_its_source_urls(page, served):
    page.goto(served + EVENT)
    page.emulate_media(media="print")
    navs = page.locator(".site-header nav").all()
    assert len(navs) == 2 and all(nav.is_hidden() for nav in navs) and page.locator(".prev-next").is_hidden()
    urls = page.locator(".sources .print-url").all_inner_texts()
    assert urls and all(url.startswith("http") for url in urls)
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_the_timeline_prints_cleanly_with_its_source_urls(page, served):
    page.goto(served)
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden() and page.locator(".chart-legend").is_hidden()
    first = page.locator("#timeline-all .event-card").first
    assert first.locator(".print-sources").is_visible()
    assert first.locator(".print-sources li").first.inner_text().startswith("http")
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-scroll')).overflowX") == "visible"
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_the_chart_scrolls_inside_its_box_on_a_phone_with_its_labels_in_view(browser, served):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(served)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself does not scroll
        box = page.locator(".chart-scroll")
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        label = page.locator(".lane-label").first
        before = label.bounding_box()
        box.evaluate("el => el.scrollLeft = 400")
        after = label.bounding_box()
        assert before is not None and after is not None and after["x"] == before["x"]  # sticky: still in view
        assert page.locator(".map-svg").bounding_box()["width"] <= 360
    finally:
        context.close()


@pytest.mark.parametrize("path", ["ar/", f"ar/{EVENT}", "ar/actors/russia/", "ar/events/2020-08-31-russia-turkey-"
                                  "consultations-moscow/", "ar/places/", "ar/about/", "ar/years/2020/"])
def test_arabic_pages_do_not_overflow_a_phone_and_read_from_the_right(browser, served, path):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        heading = page.locator("h1").bounding_box()
        assert heading is not None and heading["x"] + heading["width"] > 375 - 40  # set against the right edge
    finally:
        context.close()


def test_the_arabic_chart_runs_from_right_to_left_with_its_labels_on_the_right(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(served + "ar/")
        label = page.locator(".lane-label").first.bounding_box()
        lane = page.locator("svg.lane").first.bounding_box()
        assert label is not None and lane is not None and label["x"] > lane["x"]  # the names on the right
        years = page.locator(".chart-axis .year-label")
        first, last = years.first.bounding_box(), years.last.bounding_box()
        assert first is not None and last is not None and first["x"] > last["x"]  # the first year on the right
    finally:
        context.close()


# -- weight and hosts, over every page ---------------------------------------------------------------
class Resources(HTMLParser):
    """The files a page loads: stylesheets, scripts, images, frames, media."""

    def __init__(self) -> None:
        super().__init__()
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        rel = values.get("rel", "").split()
        if tag == "link" and "stylesheet" in rel:
            self.styles.append(values["href"])
        elif tag == "link" and set(rel) & {"icon", "apple-touch-icon", "preload", "modulepreload", "manifest"}:
            self.others.append(values["href"])
        elif tag == "script" and "src" in values:
            self.scripts.append(values["src"])
        elif tag in ("img", "iframe", "audio", "video", "source", "embed", "track") and values.get("src"):
            self.others.append(values["src"])
        elif tag == "object" and values.get("data"):
            self.others.append(values["data"])
        for key in ("style",):
            self.others += re.findall(r"url\(['\"]?([^'\")]+)", values.get(key, ""))


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def test_no_page_loads_more_than_100_kb_of_css_and_js_or_anything_from_another_host(bundled):
    pages = sorted(bundled.rglob("*.html"))
    assert len(pages) > 150
    sizes: dict[str, int] = {}
    for html in pages:
        found = Resources()
        found.feed(html.read_text(encoding="utf-8"))
        loaded = found.styles + found.scripts + found.others
        assert all(is_local(url) for url in loaded), (html, [u for u in loaded if not is_local(u)])
        total = 0
        for url in found.styles + found.scripts:
            file = bundled / urlsplit(url).path.lstrip("/")
            if url not in sizes:
                sizes[url] = file.stat().st_size
                text = file.read_text(encoding="utf-8")
                assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text), url
                assert not re.search(r"""(?:fetch|import)\(\s*['"](?:https?:)?//""", text), url
            total += sizes[url]
        assert total <= BUDGET, f"{html.relative_to(bundled)} loads {total} bytes of CSS and JavaScript"


def test_the_browser_requests_nothing_from_another_host(page, served):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    for path in ("", EVENT, "actors/russia/", "places/", "?actor=turkey"):
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(served).netloc}
