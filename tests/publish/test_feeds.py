"""Atom feeds, the sitemap, robots.txt and the metadata in every page's head."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from generator import BuildOptions, build

BASE = "https://example.org/some/path/"
A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def add_fields(path, *lines: str) -> None:
    """Insert front matter lines after the title of a scratch event."""
    text = path.read_text()
    path.write_text(text.replace("kind:", "\n".join(lines) + "\nkind:", 1))


@pytest.fixture
def published(site):
    site.event("troops", title="Turkish troops deploy", date="2020-01-05", actors="turkey")
    site.event("talks", title="Russian talks", date="2015", actors="russia", kind="diplomacy",
               body="First paragraph & more.\n\nSecond paragraph.")
    corrected = site.event("vote", title="UN vote", date="2020-01", actors="un, russia", kind="diplomacy")
    add_fields(corrected, "updated: 2020-03", "corrections:", "  - date: 2020-04-02", "    note: Fixed the count.",
               "  - date: 2020-02-10", "    note: Added a source.")
    alleged = site.event("flights", title="Cargo flights", date="2020-01-05", actors="russia")
    add_fields(alleged, "status: alleged", "updated: 2020-01-07")
    build(BuildOptions(site.root, base_url=BASE))
    return site


def parse(site, rel: str) -> ET.Element:
    return ET.fromstring(site.read(rel).encode("utf-8"))


def test_the_site_feed_is_valid_atom_with_absolute_links_under_base_url(published):
    feed = parse(published, "feed.xml")
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{required}") is not None, required
    assert feed.findtext(f"{A}author/{A}name") == "Test timeline"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 4
    for entry in entries:
        for required in ("id", "title", "updated", "published", "content"):
            assert entry.find(f"{A}{required}") is not None, required
        href = entry.find(f"{A}link[@rel='alternate']").get("href")
        assert href.startswith(BASE + "events/") and href.endswith("/")
        assert entry.findtext(f"{A}id") == href
        assert entry.get("{http://www.w3.org/XML/1998/namespace}base") == href  # for the summary's own links
    for element in feed.iter():
        for name in ("href", "scheme"):
            if element.get(name):
                assert element.get(name).startswith(BASE), element.get(name)


def test_entries_are_latest_first_and_updates_and_corrections_make_them_updated(published):
    feed = parse(published, "feed.xml")
    entries = {e.findtext(f"{A}title"): e for e in feed.findall(f"{A}entry")}
    # By event date (2020-01-05 twice, then 2020-01, then 2015), ties by last update.
    assert list(entries) == ["Cargo flights (alleged)", "Turkish troops deploy", "UN vote", "Russian talks"]
    vote = entries["UN vote"]
    assert vote.findtext(f"{A}published") == "2020-01-01T00:00:00Z"  # a month becomes its first day
    assert vote.findtext(f"{A}updated") == "2020-04-02T00:00:00Z"  # the latest correction, not `updated`
    assert entries["Cargo flights (alleged)"].findtext(f"{A}updated") == "2020-01-07T00:00:00Z"
    assert entries["Russian talks"].findtext(f"{A}updated") == "2015-01-01T00:00:00Z"
    assert feed.findtext(f"{A}updated") == "2020-04-02T00:00:00Z"  # the newest entry's
    content = entries["Cargo flights (alleged)"].findtext(f"{A}content")
    assert "Alleged" in content and 'href="https://example.org/flights"' in content
    assert entries["Russian talks"].findtext(f"{A}summary") == "First paragraph &amp; more."


def test_a_feed_holds_the_latest_fifty_events(site):
    for day in range(1, 29):
        for month in (1, 2):
            site.event(f"e-{month}-{day}", title=f"Event {month}/{day}", date=f"2020-{month:02d}-{day:02d}")
    build(BuildOptions(site.root))
    entries = parse(site, "feed.xml").findall(f"{A}entry")
    assert len(entries) == 50
    published = [e.findtext(f"{A}published") for e in entries]
    assert published == sorted(published, reverse=True)
    assert published[0] == "2020-02-28T00:00:00Z" and published[-1] == "2020-01-07T00:00:00Z"


def test_each_actor_has_a_feed_of_its_own_events_linked_from_its_page(published):
    feed = parse(published, "actors/russia/feed.xml")
    titles = [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]
    assert titles == ["Cargo flights (alleged)", "UN vote", "Russian talks"]
    assert feed.find(f"{A}link[@rel='self']").get("href") == BASE + "actors/russia/feed.xml"
    assert feed.find(f"{A}link[@rel='alternate']").get("href") == BASE + "actors/russia/"
    page = published.read("actors/russia/index.html")
    assert ('<link rel="alternate" type="application/atom+xml" title="Russia · Test timeline" '
            'href="/some/path/actors/russia/feed.xml">') in page


def test_an_edit_renders_again_only_the_feeds_that_show_the_event(published, tmp_path, monkeypatch):
    """Each feed is made from its own entries: the edit of Turkey's event renders the site's feed and Turkey's
    again, and leaves Russia's and the UN's alone; the result is what a build from scratch makes."""
    from generator.publish import publishing

    rendered: list[str] = []
    real = publishing.atom_feed

    def counted(site, events, path, title, page):  # noqa: ANN001
        rendered.append(f"{site.config.lang}:{path}")
        return real(site, events, path, title, page)

    monkeypatch.setattr(publishing, "atom_feed", counted)
    published.event("troops", title="Turkish troops land", date="2020-01-05", actors="turkey")
    result = build(BuildOptions(published.root, base_url=BASE))
    assert sorted(rendered) == ["en:actors/turkey/feed.xml", "en:feed.xml"]
    assert {"feed.xml", "actors/turkey/feed.xml"} <= set(result.changed)
    assert "Turkish troops land" in published.read("actors/turkey/feed.xml")
    build(BuildOptions(published.root, base_url=BASE, use_cache=False, output_dir=tmp_path / "fresh"))
    for rel in ("feed.xml", "actors/turkey/feed.xml", "actors/russia/feed.xml", "actors/un/feed.xml"):
        assert published.read(rel) == (tmp_path / "fresh" / rel).read_text(), rel


def test_an_empty_feed_takes_its_date_from_the_content_or_source_date_epoch(published, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    published.write("site.yaml", published.root.joinpath("site.yaml").read_text() + "  egypt:\n    name: Egypt\n")
    build(BuildOptions(published.root, base_url=BASE))
    empty = parse(published, "actors/egypt/feed.xml")
    assert empty.findall(f"{A}entry") == []
    assert empty.findtext(f"{A}updated") == "2014-01-01T00:00:00Z"  # the start of the site's period
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    build(BuildOptions(published.root, base_url=BASE))
    assert parse(published, "actors/egypt/feed.xml").findtext(f"{A}updated") == "2020-09-13T12:26:40Z"
    assert parse(published, "feed.xml").findtext(f"{A}updated") == "2020-04-02T00:00:00Z"  # content wins


def test_every_page_links_the_feed_the_favicon_and_has_social_metadata(published):
    out = published.root / "output"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text()
        head = html.split("</head>")[0]
        assert '<link rel="alternate" type="application/atom+xml" title="Test timeline" href="/some/path/feed.xml">' \
            in head, page
        assert '<link rel="icon" href="/some/path/static/favicon.svg" type="image/svg+xml">' in head, page
        title = re.search(r"<title>(.*?)</title>", head).group(1)
        assert f'<meta property="og:title" content="{title}">' in head, page
        assert f'<meta name="twitter:title" content="{title}">' in head, page
        assert '<meta name="twitter:card" content="summary">' in head
        assert re.search(r'<meta property="og:description" content="[^"]*">', head)
    assert (out / "static/favicon.svg").is_file() and (out / "static/apple-touch-icon.png").is_file()
    event = published.read("events/talks/index.html")
    assert '<meta property="og:description" content="First paragraph &amp; more.">' in event
    assert f'<meta property="og:image" content="{BASE}static/apple-touch-icon.png">' in event


def built_pages(site) -> set[str]:
    out = site.root / "output"
    urls = set()
    for page in out.rglob("*.html"):
        rel = page.relative_to(out).as_posix()
        if rel != "404.html":
            urls.add(BASE + rel.removesuffix("index.html"))
    return urls


def test_the_sitemap_lists_exactly_the_built_pages(published):
    sitemap = parse(published, "sitemap.xml")
    assert sitemap.tag == f"{SM}urlset"
    locs = [loc.text for loc in sitemap.iter(f"{SM}loc")]
    assert len(locs) == len(set(locs))
    assert set(locs) == built_pages(published)
    assert BASE in locs and BASE + "events/troops/" in locs and BASE + "404.html" not in locs
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in sitemap.iter(f"{SM}url")}
    assert lastmod[BASE + "events/vote/"] == "2020-04-02"
    assert lastmod[BASE + "events/troops/"] is None


def test_robots_txt_points_to_the_sitemap(published):
    assert published.read("robots.txt") == f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"


def test_the_404_page_links_under_the_base_path(published):
    page = published.read("404.html")
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert links and all(link.startswith(("/some/path/", "https://example.org/some/path/", "#")) for link in links)


def test_latest_ranks_by_date_then_last_update_then_slug():
    from hypothesis import given, settings, strategies as st

    from conftest import examples
    from generator.model.dates import PartialDate
    from generator.publish.feeds import entry_updated, latest
    from generator.model.types import Correction, Event

    dates = st.builds(lambda y, m, d: PartialDate(y, m, d if m else 0), st.integers(2019, 2020), st.integers(0, 2),
                      st.integers(0, 2))

    @settings(max_examples=examples(200), deadline=None)
    @given(st.lists(st.tuples(dates, st.none() | dates, st.lists(dates, max_size=2)), max_size=12))
    def check(specs):
        events = [Event(slug=f"e{n:02d}", path="", title="t", date=date, actors=(), kind="k", sources=(), body="",
                        updated=updated, corrections=tuple(Correction(c, "n") for c in corrections))
                  for n, (date, updated, corrections) in enumerate(specs)]
        expected = sorted(events, key=lambda e: (e.date, entry_updated(e), e.slug), reverse=True)
        assert [e.slug for e in latest(events, 50)] == [e.slug for e in expected]

    check()
