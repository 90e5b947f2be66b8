"""Open data: events.json (documented, versioned), events.csv and timeline.json (TimelineJS3)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings, strategies as st

from conftest import examples
from generator import BuildOptions, build
from generator.read.content import EVENT_KEYS
from generator.publish.exports import EVENTS_VERSION, _csv_line

BASE = "https://example.org/some/path/"


@pytest.fixture
def exported(site):
    site.event("troops", title='Turkish troops deploy, "at last"', date="2020-01-05", actors="turkey, russia")
    site.event("talks", title="Russian talks", date="2015", actors="russia", kind="diplomacy",
               body="First paragraph, with a comma.\n\nSecond paragraph; and a [link](https://example.org/x).")
    vote = site.event("vote", title="UN vote", date="2020-01", actors="un", kind="diplomacy")
    vote.write_text(vote.read_text().replace("kind: diplomacy", "\n".join([
        "kind: diplomacy", "approximate: true", "end: ongoing", "status: denied", "denied_by: [un]",
        "location: New York", "tags: [votes, security council]", "milestone: true", "updated: 2020-02",
        "corrections:", "  - date: 2020-02-03", "    note: Fixed the count."])).replace(
        "    date: 2020-01-02\n", "    date: n.d.\n").replace("language: en", "language: en\n"
        "  - url: https://example.org/second\n    title: Second report\n    publisher: Other\n"
        "    date: 2020-02\n    language: fr\n    archive_url: https://web.archive.org/x\n    archived: 2020-02-03\n"
        "    dead: 2026-12"))
    span = site.event("span", title="Span", date="2020-03-01", actors="turkey")
    span.write_text(span.read_text().replace("kind: military", "kind: military\nend: 2020-04"))
    build(BuildOptions(site.root, base_url=BASE))
    return site


def load(site, rel: str):
    return json.loads(site.read(rel))


def test_events_json_has_every_event_with_all_its_fields_and_summary(exported):
    document = load(exported, "data/events.json")
    assert document["format"] == "timeline-generator/events" and document["version"] == EVENTS_VERSION == 2
    assert document["site"] == {"title": "Test timeline", "description": "A test site.", "base_url": BASE,
                                "language": "en-GB", "period": {"start": "2014", "end": "2021"}}
    assert set(document) == {"format", "version", "site", "languages", "sides", "kinds", "roles", "actors", "events"}
    assert document["languages"] == [{"code": "en", "name": "English", "locale": "en-GB", "direction": "ltr",
                                      "events": BASE + "data/events.json"}]
    assert document["roles"]["supplier"] == {"label": "Supplied", "with_side": "Supplied the {side}", "acts": True,
                                             "description": "Provided weapons, equipment, fighters, money or "
                                                            "other material support."}
    events = {event["slug"]: event for event in document["events"]}
    assert [e["slug"] for e in document["events"]] == ["talks", "vote", "troops", "span"]  # chronological
    for event in events.values():
        assert set(EVENT_KEYS) <= set(event), set(EVENT_KEYS) - set(event)
        assert set(event) == set(EVENT_KEYS) | {"url", "date_precision", "summary_html", "sides", "language"}
        assert event["language"] == "en"
    vote = events["vote"]
    assert vote["url"] == BASE + "events/vote/"
    assert (vote["date"], vote["date_precision"], vote["end"], vote["approximate"]) == ("2020-01", "month",
                                                                                        "ongoing", True)
    assert (vote["status"], vote["denied_by"], vote["milestone"]) == ("denied", ["un"], True)
    assert vote["tags"] == ["votes", "security council"] and vote["updated"] == "2020-02"
    assert vote["corrections"] == [{"date": "2020-02-03", "note": "Fixed the count."}]
    assert vote["sources"] == [
        {"url": "https://example.org/vote", "title": "A report", "publisher": "Example News", "language": "en",
         "date": "n.d.", "archive_url": None, "archived": None, "dead": None},
        {"url": "https://example.org/second", "title": "Second report", "publisher": "Other", "language": "fr",
         "date": "2020-02", "archive_url": "https://web.archive.org/x", "archived": "2020-02-03", "dead": "2026-12"}]
    assert events["talks"]["date"] == "2015" and events["talks"]["end"] is None
    assert events["talks"]["summary_html"].startswith("<p>First paragraph, with a comma.</p>")
    assert events["troops"]["actors"] == [
        {"id": actor, "role": "acted", "acts": True, "supports": None, "status": "confirmed"}
        for actor in ("turkey", "russia")] and events["troops"]["supports"] is None
    assert events["troops"]["sides"] == []
    assert document["actors"]["russia"]["involvement"] == [
        {"start": "2015", "end": "ongoing", "kind": "diplomacy", "supports": "lna", "status": "confirmed",
         "note": "", "sources": []}]
    assert document["kinds"] == {"military": "Military action", "diplomacy": "Diplomacy"}


def test_events_csv_round_trips_through_the_csv_module(exported):
    raw = (exported.root / "output/data/events.csv").read_bytes()
    text = raw.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    events = load(exported, "data/events.json")["events"]
    assert len(rows) == len(events) == 4
    for row, event in zip(rows, events):
        assert row["slug"] == event["slug"] and row["title"] == event["title"] and row["date"] == event["date"]
        assert row["actors"].split("; ") == [actor["id"] for actor in event["actors"]]
        assert row["actor_roles"].split("; ") == [actor["role"] for actor in event["actors"]]
        assert row["kind"] == event["kind"] and row["url"] == event["url"]
        assert row["source_urls"].split("\n") == [source["url"] for source in event["sources"]]
        assert len(row["sources"].split("\n")) == len(event["sources"])
    troops, vote = rows[2], rows[1]
    assert troops["title"] == 'Turkish troops deploy, "at last"'
    assert vote["end"] == "ongoing" and vote["approximate"] == "true" and vote["milestone"] == "true"
    assert vote["tags"] == "votes; security council" and vote["denied_by"] == "un"
    assert vote["corrections"] == "2020-02-03: Fixed the count."
    assert vote["sources"].split("\n") == [
        "Example News: A report (n.d., en) https://example.org/vote",
        "Other: Second report (2020-02, fr) https://example.org/second (archived: https://web.archive.org/x)"]
    assert rows[0]["summary"].startswith("First paragraph, with a comma.\n\nSecond paragraph;")
    assert rows[0]["sides"] == "" and rows[0]["actor_sides"] == "" and rows[0]["end"] == ""
    assert raw.startswith(b"slug,url,title,date,end,") and raw.endswith(b"\r\n")  # RFC 4180, UTF-8 without BOM


def test_timeline_json_follows_the_timelinejs3_format(exported):
    timeline = load(exported, "data/timeline.json")
    assert timeline["title"]["text"] == {"headline": "Test timeline", "text": "<p>A test site.</p>"}
    slides = timeline["events"]
    assert len(slides) == 4
    ids = [slide["unique_id"] for slide in slides]
    assert len(ids) == len(set(ids)) and set(ids) == {"talks", "vote", "troops", "span"}
    for slide in slides:
        for key in ("start_date", "end_date"):
            if key in slide:
                date = slide[key]
                assert isinstance(date["year"], int)
                assert set(date) <= {"year", "month", "day"}
                assert 1 <= date.get("month", 1) <= 12 and 1 <= date.get("day", 1) <= 31
        assert slide["text"]["headline"] and "<p>Sources:</p>" in slide["text"]["text"]
    by_id = {slide["unique_id"]: slide for slide in slides}
    assert by_id["talks"]["start_date"] == {"year": 2015} and "end_date" not in by_id["talks"]
    assert by_id["troops"]["start_date"] == {"year": 2020, "month": 1, "day": 5}
    assert by_id["span"]["end_date"] == {"year": 2020, "month": 4}
    assert by_id["vote"]["display_date"] == "around January 2020 – ongoing"
    assert "display_date" not in by_id["troops"]
    assert by_id["troops"]["group"] == "Turkey" and by_id["vote"]["group"] == "United Nations"
    assert by_id["vote"]["text"]["headline"] == "UN vote (denied)"
    assert by_id["talks"]["text"]["text"].startswith("<p>First paragraph, with a comma.</p>")
    assert '<a href="https://example.org/talks" hreflang="en">A report</a>, Example News, 2 January 2020' \
        in by_id["talks"]["text"]["text"]


def test_timeline_eras_are_the_actors_involvement_periods(exported):
    eras = load(exported, "data/timeline.json")["eras"]
    assert eras == [
        {"start_date": {"year": 2015}, "end_date": {"year": 2021},
         "text": {"headline": "Russia: Diplomacy, supporting the LNA"}},
        {"start_date": {"year": 2020, "month": 1}, "end_date": {"year": 2021},
         "text": {"headline": "Turkey: Military action, supporting the GNA"}},
    ]
    for era in eras:  # both dates, the end not before the start
        start, end = era["start_date"], era["end_date"]
        assert (end["year"], end.get("month", 12)) >= (start["year"], start.get("month", 1))


def test_exports_are_byte_identical_across_builds(exported, tmp_path):
    before = {rel: exported.read(rel) for rel in ("data/events.json", "data/events.csv", "data/timeline.json")}
    build(BuildOptions(exported.root, base_url=BASE, output_dir=tmp_path / "again"))
    for rel, text in before.items():
        assert (tmp_path / "again" / rel).read_text(encoding="utf-8") == text, rel


def test_the_schema_is_published_with_the_data(exported):
    schema = load(exported, "schema/event.schema.json")
    assert set(schema["required"]) == {"title", "date", "actors", "kind", "sources"}


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(['a', ' ', '"', ',', '\r', '\n', '\t', "'", 'é', '\x00', ';']),
                        max_size=6), min_size=1, max_size=5))
def test_csv_lines_are_what_the_csv_module_writes(cells):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    assert _csv_line(cells) == buffer.getvalue()


def test_fields_that_timelinejs_shows_as_html_are_escaped(site):
    """TimelineJS puts headlines, dates and group names into the page with innerHTML: a title must not run a
    script in the page of whoever embeds timeline.json. Consumers of plain text get the text as written."""
    from html.parser import HTMLParser

    from conftest import SITE_YAML

    site.write("site.yaml", SITE_YAML.replace("title: Test timeline", "title: Timeline <i>&</i> more").replace(
        "name: Turkey", 'name: "<b onmouseover=alert(1)>Turkey</b>"'))
    title = "<img src=x onerror=alert(1)>"
    site.event("xss", title=title, body="A <script>alert(2)</script> summary <img src=y onerror=alert(3)>.")
    span = site.event("around", title="Around <svg onload=alert(4)>", date="2020-02")
    span.write_text(span.read_text().replace("kind: military", "kind: military\napproximate: true\nend: ongoing"))
    build(BuildOptions(site.root))
    timeline = load(site, "data/timeline.json")
    by_id = {slide["unique_id"]: slide for slide in timeline["events"]}
    assert by_id["xss"]["text"]["headline"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert by_id["xss"]["group"] == "&lt;b onmouseover=alert(1)&gt;Turkey&lt;/b&gt;"
    assert by_id["around"]["display_date"] == "around February 2020 – ongoing"
    assert timeline["title"]["text"]["headline"] == "Timeline &lt;i&gt;&amp;&lt;/i&gt; more"
    assert timeline["eras"][1]["text"]["headline"] == \
        "&lt;b onmouseover=alert(1)&gt;Turkey&lt;/b&gt;: Military action, supporting the GNA"

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.append((tag, attrs))

    def tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
        parser = Tags()
        parser.feed(html)
        return parser.found

    for slide in [timeline["title"], *timeline["events"], *timeline["eras"]]:
        for text in (slide["text"]["headline"], slide.get("display_date", ""), slide.get("group", "")):
            assert tags(text) == [], text  # nothing but text
        for tag, attrs in tags(slide["text"].get("text", "")):  # the sanitised summary and its sources
            assert tag not in ("script", "svg") and not any(name.startswith("on") for name, _ in attrs)
    record = next(e for e in load(site, "data/events.json")["events"] if e["slug"] == "xss")
    assert record["title"] == title and "onerror" not in record["summary_html"]
    assert title in [row["title"] for row in csv.DictReader(io.StringIO(site.read("data/events.csv")))]
