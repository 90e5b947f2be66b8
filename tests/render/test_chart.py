"""The involvement chart: its geometry (dates to x, graded edges, open ends, rows, ticks) and its SVG."""

from __future__ import annotations

import re

import pytest

from generator import BuildOptions, build

from generator.pipeline.build import Builder
from generator.render.chart import PLOT_WIDTH, Scale, build_lane, event_x, period_bar, stack, year_band
from generator.render.chart_texts import Texts
from generator.model.dates import PartialDate
from generator.model.types import Actor, Event, Involvement, SiteConfig

CONFIG = SiteConfig(title="t", description="", base_url="/", language="en-GB", period_start=PartialDate(2014),
                    period_end=PartialDate(2021), sides={}, kinds={"military": "Military action"}, actors={})
SCALE = Scale.of(CONFIG)


def period(start: PartialDate, end: PartialDate | str = "ongoing", status: str = "confirmed") -> Involvement:
    return Involvement(start=start, end=end, kind="military", status=status)


def bar(start: PartialDate, end: PartialDate | str = "ongoing", status: str = "confirmed"):
    return period_bar(SCALE, period(start, end, status), 1, "label")


def event(slug: str, date: PartialDate, status: str = "confirmed", milestone: bool = False) -> Event:
    return Event(slug=slug, path=f"{slug}.md", title=slug.title(), date=date, actors=("turkey",), kind="military",
                 sources=(), body="", status=status, milestone=milestone)


TEXTS = Texts(when=lambda e: e.date.iso(), period_range=lambda p: f"since {p.start}",
              event_url=lambda e: f"/events/{e.slug}/",
              actor_url=lambda a, e: f"/actors/{a.id}/" + (f"#m-{e.date.iso()[:7]}" if e else ""),
              kinds={"military": "Military action"}, sides={})
TURKEY = Actor(id="turkey", name="Turkey", type="state", colour="#047c9a",
               involvement=(period(PartialDate(2015)), period(PartialDate(2016, 3), PartialDate(2019))))


def test_the_axis_spans_the_period_in_one_band_per_year():
    years = SCALE.years()
    assert [year for year, _, _ in years] == list(range(2014, 2022))
    assert years[0][1] == 0 and years[-1][2] == PLOT_WIDTH
    widths = [right - left for _, left, right in years]
    assert max(widths) - min(widths) < 0.5  # leap years are a day wider, no more


def test_a_2015_start_lands_in_the_2015_band_and_fades_in_across_it():
    left, right = year_band(SCALE, 2015)
    drawn = bar(PartialDate(2015))
    assert left <= drawn.x < right
    assert drawn.x == pytest.approx(left)
    assert drawn.fade_in == pytest.approx(right - left)  # not a false exact day: graded over the year


def test_a_month_start_fades_in_across_that_month_and_a_day_start_is_sharp():
    march = bar(PartialDate(2016, 3))
    assert march.x == pytest.approx(SCALE.span(PartialDate(2016, 3))[0])
    assert march.fade_in == pytest.approx(PLOT_WIDTH * 31 / SCALE_DAYS(), rel=1e-6)
    assert bar(PartialDate(2016, 3, 14)).fade_in == 0


def SCALE_DAYS() -> int:
    return (SCALE.end - SCALE.start).days


def test_an_ongoing_period_reaches_the_right_edge_open_ended():
    drawn = bar(PartialDate(2019, 5))
    assert drawn.ongoing
    assert drawn.right == pytest.approx(PLOT_WIDTH)
    assert drawn.fade_out == 0


def test_a_period_that_ended_stops_there_with_a_graded_end_when_the_end_is_imprecise():
    drawn = bar(PartialDate(2016, 1, 1), PartialDate(2018))
    assert not drawn.ongoing
    assert drawn.right == pytest.approx(year_band(SCALE, 2018)[1])
    assert drawn.fade_in == 0
    assert drawn.fade_out == pytest.approx(year_band(SCALE, 2018)[1] - year_band(SCALE, 2018)[0])
    exact = bar(PartialDate(2016, 1, 1), PartialDate(2016, 6, 30))
    assert exact.fade_out == 0 and exact.right == pytest.approx(SCALE.x(PartialDate(2016, 7, 1).first_day()))


def test_a_period_within_one_month_fades_in_and_out_about_its_middle():
    drawn = bar(PartialDate(2015, 4), PartialDate(2015, 4))
    assert drawn.fade_in + drawn.fade_out == pytest.approx(drawn.width)
    assert drawn.fade_in == pytest.approx(drawn.width / 2)


def test_dates_outside_the_period_are_clamped_to_the_plot():
    early = bar(PartialDate(2011), PartialDate(2012))
    assert early.x == 0 and early.width >= 3
    assert bar(PartialDate(2010)).fade_in == 0  # the start is off the chart: nothing to grade


def test_overlapping_periods_stack_into_rows_and_later_ones_reuse_free_rows():
    bars = [bar(PartialDate(2015)), bar(PartialDate(2016), PartialDate(2017)),
            period_bar(SCALE, period(PartialDate(2014), PartialDate(2014, 6)), 3, "x")]
    rows = {b.x: b.row for b in stack(bars)}
    assert sorted(rows.values()) == [0, 0, 1]
    assert rows[SCALE.x(PartialDate(2015).first_day())] == 0  # the 2014 bar ended before, so 2015 shares its row


def test_ticks_sit_mid_date_and_events_within_a_few_pixels_share_one():
    june = event("june", PartialDate(2020, 6))
    assert year_band(SCALE, 2020)[0] < event_x(SCALE, june) < year_band(SCALE, 2020)[1]
    assert event_x(SCALE, june) == pytest.approx(sum(SCALE.span(PartialDate(2020, 6))) / 2)
    lane = build_lane(SCALE, TURKEY, [event("a", PartialDate(2020, 1, 2)), event("b", PartialDate(2020, 1, 3)),
                                      event("c", PartialDate(2020, 9, 1), status="alleged")], TEXTS)
    assert [(t.count, t.status) for t in lane.ticks] == [(2, "confirmed"), (1, "alleged")]
    assert lane.ticks[0].href == "/actors/turkey/#m-2020-01"
    assert lane.ticks[0].label == "Turkey: 2 events, 2020-01-02 to 2020-01-03"
    assert lane.ticks[1].href == "/events/c/"
    assert lane.ticks[1].label == "Turkey: C (alleged), 2020-09-01"


def test_a_lane_names_its_periods_for_screen_readers():
    lane = build_lane(SCALE, TURKEY, [], TEXTS)
    assert [b.label for b in lane.bars] == ["Turkey: Military action, since 2015",
                                            "Turkey: Military action, since 2016-03"]
    assert lane.rows == 2


# -- the chart in the built pages --------------------------------------------------------------------
@pytest.fixture
def charted(site):
    config = (site.root / "site.yaml").read_text()
    config = config.replace("""      - start: 2020-01
        supports: gna
        kind: military
""", """      - start: 2020-01
        supports: gna
        kind: military
      - start: 2019
        end: 2019-06
        kind: military
        status: alleged
""")
    (site.root / "site.yaml").write_text(config)
    site.event("troops", title="Turkish troops deploy", date="2020-03-05")
    path = site.event("conference", title="Berlin conference", date="2020-01-19", actors="turkey, russia, un",
                      kind="diplomacy")
    path.write_text(path.read_text().replace("kind: diplomacy", "kind: diplomacy\nmilestone: true"))
    build(BuildOptions(site.root))
    return site


def test_the_home_page_draws_a_lane_per_actor_grouped_by_side(charted):
    home = charted.read("index.html")
    chart = home[home.index('<figure class="chart'):home.index("</figure>", home.index('<figure class="chart'))]
    groups = re.findall(r'<div class="chart-group"><span>([^<]+)</span>', chart)
    assert groups == ["Backing the GNA", "Backing the LNA", "Mediators and others"]  # the sides' order
    labels = re.findall(r'<a class="lane-label" href="/actors/([a-z-]+)/">', chart)
    assert labels == ["turkey", "russia", "un"]
    assert chart.count('<svg class="lane"') == 3


def test_every_bar_and_tick_is_a_named_link_with_a_title(charted):
    home = charted.read("index.html")
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"><title>([^<]+)</title>', home)
    bars = [link for link in links if "#period-" in link[0]]
    assert [(href, label) for href, label, _ in bars if "/turkey/" in href] == [
        ("/actors/turkey/#period-1", "Turkey: Military action, 2019 – June 2019 (alleged)"),
        ("/actors/turkey/#period-2", "Turkey: Military action, supporting the GNA, since January 2020")]
    ticks = [link for link in links if link[0].startswith("/events/")]
    assert ("/events/troops/", "Turkey: Turkish troops deploy, 5 March 2020") in [(h, a) for h, a, _ in ticks]
    assert all(label == title for _, label, title in links)


def test_alleged_periods_are_hatched_imprecise_edges_graded_ongoing_ones_open(charted):
    home = charted.read("index.html")
    turkey = home[home.index('aria-label="Turkey: involvement periods and events"'):]
    turkey = turkey[:turkey.index("</svg>")]
    assert 'id="c-turkey-hatch"' in turkey and 'fill="url(#c-turkey-hatch)"' in turkey
    assert 'mask="url(#c-turkey-fade-1)"' in turkey  # the 2019 start: known only to the year
    assert 'class="bar-arrow"' in turkey  # the ongoing period from January 2020


def test_milestones_are_vertical_markers_linking_to_their_events(charted):
    home = charted.read("index.html")
    assert '<a href="/events/conference/" aria-label="Milestone: Berlin conference, 19 January 2020">' in home
    assert home.count('class="milestone-line"') == 3  # across every lane


def test_the_legend_explains_colours_and_patterns(charted):
    legend = charted.read("index.html").split('<ul class="chart-legend"', 1)[1].split("</ul>", 1)[0]
    for words in ("actor’s colour", "Alleged", "Denied", "known only to the month or year", "Ongoing",
                  "An event", "A milestone"):
        assert words in legend


def test_an_actor_page_shows_its_own_lane(charted):
    page = charted.read("actors/turkey/index.html")
    assert page.count('<svg class="lane"') == 1
    assert 'aria-label="Turkey: involvement periods and events"' in page
    assert 'id="period-1"' in page and 'id="period-2"' in page  # what the bars link to


def test_a_tick_for_several_events_links_to_the_right_page_and_month_of_the_actor(site):
    config = (site.root / "site.yaml").read_text().replace("language: en-GB", "language: en-GB\npage_size: 10")
    (site.root / "site.yaml").write_text(config)
    for n in range(1, 13):
        site.event(f"e{n:02d}", title=f"Event {n}", date=f"2020-{n:02d}-01")
    site.event("e12b", title="Event 12b", date="2020-12-02")
    build(BuildOptions(site.root))
    page = site.read("actors/turkey/index.html")
    assert '<a href="/actors/turkey/page/2/#m-2020-12" aria-label="Turkey: 2 events, 1 December 2020 to ' \
           '2 December 2020">' in page
    assert 'id="m-2020-12"' in site.read("actors/turkey/page/2/index.html")


def test_the_actor_page_is_rebuilt_when_an_event_on_another_page_of_its_list_changes(site):
    config = (site.root / "site.yaml").read_text().replace("language: en-GB", "language: en-GB\npage_size: 10")
    (site.root / "site.yaml").write_text(config)
    for n in range(1, 13):
        site.event(f"e{n:02d}", title=f"Event {n}", date=f"2020-{n:02d}-01")
    build(BuildOptions(site.root))
    last = site.root / "content/events/e12.md"
    last.write_text(last.read_text().replace("title: Event 12", "title: Renamed event"))
    build(BuildOptions(site.root))
    assert "Turkey: Renamed event, 1 December 2020" in site.read("actors/turkey/index.html")
    assert "Turkey: Renamed event, 1 December 2020" in site.read("index.html")


def test_the_chart_and_the_places_are_computed_once_per_build(site, monkeypatch):
    # in one process: with worker processes, each computes them at most once (or the parent, up front,
    # when many pages show them)
    import generator.engine.parallel as parallel
    import generator.render.pages as render

    monkeypatch.setattr(parallel, "workers", lambda: 1)

    calls = {"chart": 0, "places": 0}
    real_chart, real_places = render.ChartRenderer, render.index_places

    def counting_chart(*args, **kwargs):
        calls["chart"] += 1
        return real_chart(*args, **kwargs)

    def counting_places(*args, **kwargs):
        calls["places"] += 1
        return real_places(*args, **kwargs)

    monkeypatch.setattr(render, "ChartRenderer", counting_chart)
    monkeypatch.setattr(render, "index_places", counting_places)
    for n in range(1, 6):
        site.event(f"e{n}", title=f"Event {n}", date=f"2020-0{n}-01", actors="turkey, russia")
    build(BuildOptions(site.root, use_cache=False))
    assert calls == {"chart": 1, "places": 1}


@pytest.fixture
def lanes_made(monkeypatch) -> list[str]:
    """The actors whose chart lane is made (from their events) from now on."""
    import generator.render.chart as chart

    made: list[str] = []
    real = chart.build_lane

    def counting(scale, actor, *rest):
        made.append(actor.id)
        return real(scale, actor, *rest)

    monkeypatch.setattr(chart, "build_lane", counting)
    return made


def test_a_new_build_after_an_edit_makes_only_the_lanes_of_the_edited_events_actors(charted, lanes_made, tmp_path):
    made = lanes_made
    charted.event("troops", title="Turkish troops deploy, renamed", date="2020-03-05")
    build(BuildOptions(charted.root))  # a new builder, as from the command line: the other lanes come from the cache
    assert made == ["turkey"]
    assert "Turkish troops deploy, renamed" in charted.read("index.html")
    fresh = tmp_path / "fresh"
    build(BuildOptions(charted.root, output_dir=fresh, use_cache=False))
    assert (fresh / "index.html").read_bytes() == (charted.root / "output/index.html").read_bytes()
    assert (fresh / "actors/russia/index.html").read_bytes() == \
        (charted.root / "output/actors/russia/index.html").read_bytes()


def test_in_every_language_an_edit_makes_only_the_lanes_of_the_edited_events_actors(charted, lanes_made, tmp_path):
    """The site in its other languages keeps its chart's lanes in the cache too (it drew all of them on each
    edit, a third of the time of an edit on a two-language site of 10,000 events)."""
    charted.write("site.yaml", (charted.root / "site.yaml").read_text().replace(
        "language: en-GB\n", "languages:\n  en: {name: English, locale: en-GB}\n  id: {name: Bahasa Indonesia, locale: id}\n"))
    charted.write("content/events/troops.id.md", "---\ntitle: Pasukan Turki dikerahkan\ntranslated_from: en\n---\nTeks.\n")
    build(BuildOptions(charted.root))
    lanes_made.clear()
    charted.event("troops", title="Turkish troops deploy, renamed", date="2020-03-05")
    build(BuildOptions(charted.root))
    assert lanes_made == ["turkey", "turkey"]  # once per language
    assert "Turkish troops deploy, renamed" in charted.read("index.html")
    fresh = tmp_path / "fresh"
    build(BuildOptions(charted.root, output_dir=fresh, use_cache=False))
    for page in ("index.html", "id/index.html", "id/actors/russia/index.html"):
        assert (fresh / page).read_bytes() == (charted.root / "output" / page).read_bytes(), page


def test_the_preview_s_quick_build_and_the_rest_after_it_keep_every_lane_for_the_next_edit(charted, lanes_made):
    """The quick build draws the home page's lanes, the rest only an actor page's: the next edit still has
    every other actor's lane."""
    builder = Builder(BuildOptions(charted.root, trust_output=True))
    builder.run()
    lanes_made.clear()
    made = lanes_made
    for title in ("Turkish troops deploy, renamed", "Turkish troops deploy, renamed again"):
        charted.event("troops", title=title, date="2020-03-05")
        quick = builder.run(changed={"content/events/troops.md"}, first={"index.html"})
        assert "actors/turkey/index.html" in quick.deferred and title in charted.read("index.html")
        assert "actors/turkey/index.html" in builder.run(changed=set()).changed
        assert made == ["turkey"]
        made.clear()


# -- the bars' names on actor pages ----------------------------------------------------------------
def test_an_actor_page_names_each_bar_beside_it(charted):
    page = charted.read("actors/turkey/index.html")
    lane = page.split('<svg class="lane"', 1)[1].split("</svg>", 1)[0]
    names = re.findall(r'<text class="bar-name" x="[\d.]+" y="\d+" text-anchor="(?:start|end)" '
                       r'aria-hidden="true">([^<]+)</text>', lane)
    assert sorted(names) == ["Military action, alleged", "Military action, for the GNA"]
    assert '<div class="bar-key">' not in page  # every name fitted
    home = charted.read("index.html")
    assert 'class="bar-name' not in home  # the home page's lanes stay compact


def test_a_bar_whose_name_does_not_fit_gets_its_number_and_is_listed_under_the_chart(charted):
    path = charted.root / "site.yaml"
    text = path.read_text()
    extra = "".join(f"      - start: 2016-{month:02d}-01\n        end: 2016-{month:02d}-02\n        kind: military\n"
                    f"        supports: gna\n" for month in (3, 4, 5))
    path.write_text(text.replace("      - start: 2019\n        end: 2019-06\n", extra + "      - start: 2019\n"
                                                                                    "        end: 2019-06\n", 1))
    build(BuildOptions(charted.root))
    page = charted.read("actors/turkey/index.html")
    lane = page.split('<svg class="lane"', 1)[1].split("</svg>", 1)[0]
    named = re.findall(r'<text class="bar-name"[^>]*>([^<]+)</text>', lane)
    numbers = re.findall(r'<text class="bar-name bar-number"[^>]*>(\d+)</text>', lane)
    key = re.findall(r'<li value="(\d+)"><a href="/actors/turkey/#period-\1">([^<]+)</a>, ([^<]+)</li>',
                     page.split('<div class="bar-key">', 1)[1].split("</div>", 1)[0])
    assert len(named) + len(key) == 5  # every period: named beside its bar, or listed
    assert numbers and set(numbers) == {number for number, _, _ in key}  # each listed bar shows its number
    assert all(name == "Military action, for the GNA" for _, name, _ in key)


def test_bar_names_stay_inside_the_plot_and_apart_on_each_row():
    from generator.render.chart_labels import GAP, bar_labels, text_width
    from generator.render.chart import Bar

    bars = [Bar(1, 0, 300, 0, 0, False, "confirmed", "", 0), Bar(2, 305, 4, 0, 0, False, "confirmed", "", 0),
            Bar(3, 312, 3, 0, 0, False, "confirmed", "", 0), Bar(4, 700, 40, 0, 0, True, "confirmed", "", 1)]
    names = {1: "A long bar's name", 2: "Short bar", 3: "Another short bar", 4: "Near the right edge of the plot"}
    labels = {label.period: label for label in bar_labels(bars, names, 750)}
    assert labels[1].named and labels[1].x == 0 and labels[1].anchor == "start"
    assert labels[4].named and labels[4].x + text_width(names[4]) <= 750  # moved left to stay inside
    spans = [(label.row, label.x if label.anchor == "start" else label.x - text_width(label.text),
              label.x + text_width(label.text) if label.anchor == "start" else label.x) for label in labels.values()]
    assert all(left >= 0 and right <= 750 for _, left, right in spans)
    assert not any(r1 == r2 and a1 < b2 + GAP and a2 < b1 + GAP
                   for i, (r1, a1, b1) in enumerate(spans) for r2, a2, b2 in spans[i + 1:])
    assert not (labels[2].named and labels[3].named)  # no room for both names: one bar shows its number
    assert set(labels) == {1, 2, 3, 4}
