"""Search on the bundled site, in chromium: the query, the filters, the address, the keyboard, axe.

Each language's search page is one line of SEARCHES (its path, a query in its language, an event it must
find); the tests that do not depend on the language run on the first.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT
from generator import BuildOptions, build
from generator.publish.search_bundle import SIGNATURE

SEARCHES = [  # (search page, query, the slug of an event it must list)
    ("search/", "Wagner", "2019-09-wagner-deploys-to-tripoli-front"),
    ("id/search/", "gencatan", "2020-08-31-russia-turkey-consultations-moscow"),  # (ceasefire)
    ("ar/search/", "موسكو", "2020-08-31-russia-turkey-consultations-moscow"),  # (Moscow)
]
LANGUAGES = ("id/", "ar/")
SEARCH = SEARCHES[0][0]


@pytest.fixture(scope="session")
def bundled(bundled_output) -> Path:
    return bundled_output


@pytest.fixture(scope="module")
def records(bundled) -> dict[str, dict]:
    """Pagefind's record of each indexed page, by URL (what a result can be checked against)."""
    found = {}
    for file in (bundled / "pagefind/fragment").iterdir():
        record = json.loads(gzip.decompress(file.read_bytes())[len(SIGNATURE):])
        found[record["url"]] = record
    return found


@pytest.fixture
def served(bundled, static_server) -> str:
    return static_server(bundled)


def settled(page) -> str:
    """Wait for the search to finish drawing; the status line."""
    page.wait_for_function("""() => {
        const node = document.getElementById('search-status'), status = node.textContent;
        const shown = document.querySelectorAll('#search-results > li').length;
        return status && status !== node.dataset.searching && (shown > 0 || !/\\d/.test(status)) && shown <= 20;
    }""")
    return page.inner_text("#search-status")


def all_results(page) -> list[str]:
    """Every result's address (showing more until all are drawn)."""
    settled(page)
    while page.is_visible("#search-more"):
        before = page.locator("#search-results > li").count()
        page.click("#search-more")
        page.wait_for_function(f"document.querySelectorAll('#search-results > li').length > {before}")
    return [urlsplit(href).path for href in page.eval_on_selector_all(
        "#search-results > li h2 a", "links => links.map(a => a.getAttribute('href'))")]


def count(status: str) -> int:
    found = re.search(r"\d+", status)
    assert found, status
    return int(found[0])


def language_of(url: str) -> str:
    """The folder of a page's language ('' for the default)."""
    return next((prefix for prefix in LANGUAGES if url.startswith("/" + prefix)), "")


@pytest.mark.parametrize("path, query, slug", SEARCHES)
def test_a_query_lists_the_events_that_mention_it(page, served, records, path, query, slug):
    page.goto(served + path)
    page.fill("#q", query)
    page.press("#q", "Enter")
    results = all_results(page)
    language = language_of("/" + path)
    assert f"/{language}events/{slug}/" in results
    assert all(language_of(url) == language for url in results)  # each language searches its own pages
    assert page.locator("html").get_attribute("lang") == {"": "en-GB", "id/": "id", "ar/": "ar"}[language]
    assert count(page.inner_text("#search-status")) == len(results) > 5
    titled = {url for url, record in records.items()
              if language_of(url) == language and query.lower() in record["meta"]["title"].lower()}
    assert titled <= set(results)  # every event with the word in its title
    assert all(query.lower() in records[url]["content"].lower() for url in results)
    first = page.locator("#search-results > li").first
    assert first.locator("mark").count() >= 1  # the excerpt marks the words found
    assert first.locator(".result-date").inner_text()  # the date as precisely as known


def test_filters_narrow_a_query_and_alleged_claims_keep_their_label(page, served, records):
    page.goto(served + SEARCH + "?q=Wagner")
    everything = set(all_results(page))
    page.select_option("#s-actor", "russia")
    page.select_option("#s-status", "alleged")
    narrowed = all_results(page)
    assert 0 < len(narrowed) < len(everything) and set(narrowed) <= everything
    assert parse_qs(urlsplit(page.url).query) == {"q": ["Wagner"], "actor": ["russia"], "status": ["alleged"]}
    for url in narrowed:
        assert "Russia" in records[url]["filters"]["actor"] and "Alleged" in records[url]["filters"]["status"]
    expected = {url for url in everything if "Russia" in records[url]["filters"].get("actor", [])
                and "Alleged" in records[url]["filters"].get("status", [])}
    assert set(narrowed) == expected
    # an alleged event shows its label; in a confirmed one, the part that is alleged says so beside the name
    unlabelled = page.eval_on_selector_all("#search-results > li", """items => items.filter(item =>
        !item.querySelector('.badge-alleged') && !item.querySelector('.result-roles').textContent.includes('(alleged)')
    ).map(item => item.textContent)""")
    assert unlabelled == []
    assert page.locator("#search-results > li.status-alleged .badge-alleged").count() >= 1


def test_sorting_by_date_orders_the_results(page, served, records):
    page.goto(served + SEARCH + "?q=Wagner&sort=asc")
    oldest = all_results(page)
    dates = [event_date(url) for url in oldest if url.startswith("/events/")]
    assert dates == sorted(dates) and len(dates) > 5
    page.select_option("#s-sort", "desc")
    newest = [event_date(url) for url in all_results(page) if url.startswith("/events/")]
    assert newest == sorted(dates, reverse=True)


def event_date(url: str) -> str:
    """The date an event's address starts with (the bundled events' slugs begin with their date)."""
    found = re.match(r"/events/(\d{4}(?:-\d{2}(?:-\d{2})?)?)", url)
    assert found, url
    return found.group(1)


def test_a_filter_alone_lists_its_events(page, served, records):
    page.goto(served + SEARCH + "?year=2014&kind=arms")
    results = all_results(page)
    assert results and all(records[url]["filters"]["year"] == ["2014"] and
                           records[url]["filters"]["kind"] == ["Arms and equipment"] for url in results)


def test_the_query_survives_a_reload_and_the_back_button(page, served):
    page.goto(served + SEARCH)
    page.fill("#q", "Pantsir")
    page.press("#q", "Enter")
    page.wait_for_url("**/search/?q=Pantsir")
    shown = all_results(page)
    assert shown
    page.reload()
    assert page.input_value("#q") == "Pantsir"
    assert all_results(page) == shown
    page.click("#search-results > li h2 a")
    page.wait_for_url("**/events/**")
    page.go_back()
    page.wait_for_url("**/search/?q=Pantsir")
    assert page.input_value("#q") == "Pantsir"
    assert all_results(page) == shown


def test_a_publishers_name_finds_the_events_that_cite_it(page, served):
    page.goto(served + SEARCH + "?q=Afrigate")
    assert all_results(page) == ["/events/2015-04-14-al-thinni-visits-moscow/"]


def test_the_keyboard_alone_reaches_the_field_the_filters_and_the_results(page, served):
    page.goto(served + SEARCH)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Wagner")
    page.keyboard.press("Enter")
    before = count(settled(page))
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "s-actor":
            break
    assert page.evaluate("document.activeElement.id") == "s-actor"
    page.keyboard.press("ArrowDown")  # a closed select takes the next option
    page.wait_for_function("new URLSearchParams(location.search).has('actor')")
    after = count(settled(page))
    assert after < before
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#search-results')"):
            break
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href and href.startswith("/")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)


def test_without_javascript_the_page_says_so_and_links_to_the_lists(browser, served):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + SEARCH)
        assert page.is_visible("#search-nojs") and not page.is_visible("#search")
        assert "Search needs JavaScript" in page.inner_text("#search-nojs")
        for href in ("/actors/russia/", "/kinds/military/", "/years/2020/"):
            assert page.locator(f'#search-nojs a[href="{href}"]').count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("address", [SEARCH, SEARCH + "?q=Wagner&status=alleged", SEARCH + "?q=zzzzqqq",
                                     "ar/search/?q=موسكو", "id/search/?q=zzzzqqq"])
def test_axe_finds_no_violations_on_the_search_page(browser, served, address, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served + address)
        if "?" in address:
            settled(page)
        results = Axe().run(page).response
        assert results["passes"], "axe ran no checks"
        assert [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in results["violations"]] == []
    finally:
        context.close()


def test_the_first_query_downloads_little_and_nothing_from_another_host(page, served):
    loaded: dict[str, int] = {}
    hosts = set()

    def seen(response) -> None:
        hosts.add(urlsplit(response.url).netloc)
        if "/pagefind/" in response.url:
            loaded[response.url] = len(response.body())

    page.on("response", seen)
    page.goto(served + SEARCH)
    page.wait_for_load_state("networkidle")
    assert loaded == {}  # Pagefind loads only once a search is made
    page.goto(served + SEARCH + "?q=Wagner")
    settled(page)
    page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(served).netloc}
    assert 0 < sum(loaded.values()) <= 300 * 1024, loaded


@pytest.mark.parametrize("query", ["مشاورات", "المشاورات"])  # (consultations) without and with the article
def test_arabic_search_finds_a_word_with_or_without_its_article(page, served, query):
    """The title says مشاورات; Pagefind's Arabic stemmer takes ال off the query as off the text."""
    page.goto(served + "ar/search/?q=" + query)
    results = all_results(page)
    assert "/ar/events/2020-08-31-russia-turkey-consultations-moscow/" in results
    assert all(url.startswith("/ar/") for url in results)


def test_an_arabic_result_lists_its_actors_with_the_arabic_comma(page, served):
    page.goto(served + "ar/search/?q=" + "روسيا")
    all_results(page)
    lists = page.eval_on_selector_all(".result-roles dd", "items => items.map(dd => dd.textContent)")
    several = [text for text in lists if "،" in text or "," in text]
    assert several and all("،" in text and "," not in text for text in several), several


@pytest.mark.parametrize("address", ["search/?q=Wagner", "ar/search/?q=موسكو", "id/search/?q=gencatan"])
def test_results_fit_a_phone_screen(browser, served, address):
    """Long words in results (a role heading, an address in an excerpt) wrap instead of widening the page."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(served + address)
        all_results(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        page.close()


def test_the_first_draw_loads_ten_results_and_the_keyboard_asks_for_the_next(page, served):
    """Each result drawn loads its own fragment: the first draw loads ten, the next ten come when the "more"
    button is pressed (here from the keyboard), and the focus moves to the first of them."""
    fragments: list[str] = []
    page.on("request", lambda request: fragments.append(request.url) if "/pagefind/fragment/" in request.url
            else None)
    page.goto(served + SEARCH + "?q=Russia")
    total = count(settled(page))
    page.wait_for_load_state("networkidle")
    assert total > 20
    assert page.locator("#search-results > li").count() == 10
    assert len(fragments) == len(set(fragments)) == 10
    page.focus("#search-results > li:last-child h2 a")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-more"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.closest('#search-results > li:nth-child(11)') !== null")
    page.wait_for_load_state("networkidle")
    assert page.locator("#search-results > li").count() == 20
    assert len(fragments) == len(set(fragments)) == 20
    shown = page.eval_on_selector_all("#search-results > li h2 a", "links => links.map(a => a.href)")
    assert len(set(shown)) == 20  # the next ten, not the first ten again
