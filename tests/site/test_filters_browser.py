"""The home page's filters, chart and map in a real browser (Debian's chromium via Playwright).

One scratch site of 110 events is built for the module: more than the home page lists (the latest
100), so filtering must search the published index, not the page. Expected counts are computed here
from the same specification the events were written from.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SITE_YAML
from generator import BuildOptions, build

TOTAL = 110
ACTOR_SETS = (("turkey",), ("russia",), ("un",), ("turkey", "russia"))


def spec(n: int) -> dict[str, object]:
    """The n-th event of the scratch site: every eighth has the UN as an enforcer beside Turkey, which acted."""
    status = "denied" if n % 15 == 0 else "alleged" if n % 10 == 0 else "confirmed"
    supports = ("gna", "lna", None, "gna", None, "lna", None)[n % 7]
    actors = ACTOR_SETS[n % 4]
    parts = [(actor, "acted", supports, status) for actor in actors]
    if n % 8 == 0:
        parts.append(("un", "enforcer", None, status))
    return {"slug": f"event-{n:03d}", "year": 2014 + n % 8, "month": 1 + n % 12, "day": 1 + n % 28,
            "actors": actors, "parts": parts, "kind": "diplomacy" if n % 3 == 0 else "military",
            "supports": supports, "status": status}


EVENTS = [spec(n) for n in range(TOTAL)]


def part_matches(part: tuple[str, str, str | None, str], want: dict[str, object]) -> bool:
    """Actor, role, side and status are matched against each actor's part: a side only by an acting part."""
    actor, role, side, status = part
    acts = role in ("acted", "supplier")
    return (want.get("actor", actor) == actor and (acts if want.get("role") == "acting" else
                                                   want.get("role", role) == role)
            and ("side" not in want or (acts and side == (None if want["side"] == "none" else want["side"])))
            and want.get("status", status) == status)


def matching(**want: object) -> set[str]:
    found = set()
    for event in EVENTS:
        if "kind" in want and event["kind"] != want["kind"]:
            continue
        if not any(part_matches(part, want) for part in event["parts"]):  # type: ignore[attr-defined]
            continue
        if "from" in want and event["year"] < int(want["from"]):  # type: ignore[call-overload, operator]
            continue
        if "to" in want and event["year"] > int(want["to"]):  # type: ignore[call-overload, operator]
            continue
        found.add(str(event["slug"]))
    return found


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("filters") / "site"
    root.mkdir()
    (root / "site.yaml").write_text(SITE_YAML + "page_size: 100\n", encoding="utf-8")
    shutil.copytree(ROOT / "templates", root / "templates")
    for event in EVENTS:
        lines = ["---", f"title: Event {str(event['slug'])[-3:]}",
                 f"date: {event['year']}-{event['month']:02d}-{event['day']:02d}",
                 f"actors: [{', '.join(event['actors'])}{', {id: un, role: enforcer}' if len(event['parts']) > len(event['actors']) else ''}]",  # type: ignore[arg-type]
                 f"kind: {event['kind']}",
                 f"status: {event['status']}", *([f"supports: {event['supports']}"] if event["supports"] else []),
                 "sources:", f"  - url: https://example.org/{event['slug']}", "    title: A report",
                 "    publisher: Example News", "    date: 2020-01-02", "    language: en", "---", "What happened.", ""]
        path = root / "content/events" / f"{event['slug']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    build(BuildOptions(root, use_cache=False))
    return root / "output"


@dataclass
class Home:
    page: object
    base: str


@pytest.fixture
def home(output, page, static_server):
    base = static_server(output)
    page.goto(base)
    page.wait_for_function("document.getElementById('filter-count').textContent.startsWith('All')")
    return Home(page, base)


def count_text(page) -> str:
    return page.locator("#filter-count").inner_text()


def shown_slugs(page) -> set[str]:
    hrefs = page.locator("#filter-results .event-title a").evaluate_all("links => links.map(a => a.pathname)")
    return {href.strip("/").split("/")[-1] for href in hrefs}


def wait_for_count(page, text: str) -> None:
    page.wait_for_function("t => document.getElementById('filter-count').textContent === t", arg=text)


def test_the_scratch_site_has_more_events_than_the_home_page_lists(output):
    html = (output / "index.html").read_text()
    assert html.count('class="event-card') == 100
    assert "event-000" not in html.split('id="timeline-all"')[1]


@pytest.mark.parametrize("name, value", [
    ("actor", "russia"), ("actor", "un"), ("kind", "diplomacy"), ("side", "lna"), ("side", "none"),
    ("status", "alleged"), ("status", "denied"), ("from", "2020"), ("to", "2015"), ("role", "enforcer"),
])
def test_each_filter_changes_the_visible_events_and_the_count(home, name, value):
    home, base = home.page, home.base
    expected = matching(**{name: value})
    assert 0 < len(expected) < TOTAL
    home.select_option(f"#f-{name}", value)
    wait_for_count(home, f"{len(expected)} of {TOTAL} events")
    assert home.locator("#timeline-all").is_hidden()
    assert shown_slugs(home) == expected  # fewer than 100: all on screen
    assert home.url == f"{base}?{name}={value}"


def test_filters_combine_and_their_state_round_trips_through_the_address_reload_and_back(home):
    home, base = home.page, home.base
    home.select_option("#f-actor", "turkey")
    wait_for_count(home, f"{len(matching(actor='turkey'))} of {TOTAL} events")
    home.select_option("#f-kind", "military")
    home.select_option("#f-from", "2019")
    combined = matching(actor="turkey", kind="military", **{"from": "2019"})
    wait_for_count(home, f"{len(combined)} of {TOTAL} events")
    assert home.url == base + "?actor=turkey&kind=military&from=2019"
    assert shown_slugs(home) == combined

    home.reload()
    wait_for_count(home, f"{len(combined)} of {TOTAL} events")
    assert [home.input_value(f"#f-{n}") for n in ("actor", "kind", "from", "to")] == ["turkey", "military",
                                                                                      "2019", ""]
    assert shown_slugs(home) == combined

    home.go_back()
    wait_for_count(home, f"{len(matching(actor='turkey', kind='military'))} of {TOTAL} events")
    assert home.url == base + "?actor=turkey&kind=military"
    assert home.input_value("#f-from") == ""
    home.go_back()
    home.go_back()
    wait_for_count(home, f"All {TOTAL} events")
    assert home.url == base
    assert home.input_value("#f-actor") == ""
    assert home.locator("#timeline-all").is_visible() and home.locator("#filter-results").is_hidden()
    home.go_forward()
    wait_for_count(home, f"{len(matching(actor='turkey'))} of {TOTAL} events")


def test_an_enforcer_is_never_found_as_a_backer(output, page, static_server):
    """"UN + LNA" lists the events where the UN acted for the LNA, not those where it enforced the embargo."""
    base = static_server(output)
    page.goto(base + "?actor=un&side=lna")
    expected = matching(actor="un", side="lna")
    enforced = {str(e["slug"]) for e in EVENTS if ("un", "enforcer", None, e["status"]) in e["parts"]}  # type: ignore[operator]
    assert expected and enforced and not expected & enforced
    assert enforced & matching(actor="turkey", side="lna")  # the events exist, with Turkey acting for the LNA
    wait_for_count(page, f"{len(expected)} of {TOTAL} events")
    assert shown_slugs(page) == expected
    page.goto(base + "?actor=un&role=enforcer")
    wait_for_count(page, f"{len(enforced)} of {TOTAL} events")
    assert shown_slugs(page) == enforced
    card = " ".join(page.locator("#filter-results .event-card").first.inner_text().split())
    assert "Enforced the embargo or sanctions: United Nations" in card
    page.goto(base + "?actor=un&role=acting")
    acted = matching(actor="un", role="acting")
    assert acted and not acted & enforced
    wait_for_count(page, f"{len(acted)} of {TOTAL} events")
    assert shown_slugs(page) == acted


def test_a_shared_address_opens_filtered_and_clear_resets(output, page, static_server):
    base = static_server(output)
    page.goto(base + "?actor=un&status=alleged&to=2030&kind=nonsense")
    expected = matching(actor="un", status="alleged")
    wait_for_count(page, f"{len(expected)} of {TOTAL} events")
    assert page.input_value("#f-actor") == "un" and page.input_value("#f-kind") == ""  # unknown values ignored
    page.get_by_role("button", name="Clear filters").click()
    wait_for_count(page, f"All {TOTAL} events")
    assert page.url == base


def test_filtering_covers_events_that_the_page_does_not_list(home):
    home = home.page
    home.select_option("#f-to", "2014")
    expected = matching(to="2014")
    wait_for_count(home, f"{len(expected)} of {TOTAL} events")
    assert "event-000" in shown_slugs(home)  # the oldest event: not among the latest 100 on the page
    home.locator("#filter-results a[href$='/events/event-000/']").click()
    home.wait_for_url("**/events/event-000/")
    assert home.locator("h1").inner_text() == "Event 000"


def test_ten_thousand_events_filter_instantly(output, page, static_server, tmp_path):
    big = tmp_path / "big"
    shutil.copytree(output, big)
    index = json.loads((big / "data/index.json").read_text())
    template = index["events"][0]
    index["events"] = [[f"e{n}", f"Event {n}", f"{2014 + n % 8}-{1 + n % 12:02d}", template[3],
                        [[a, 0, n % 3 - 1, n % 3] for a in ([n % 3] if n % 2 else [0, 1])], n % 2, n % 3, 2, 0]
                       for n in range(10_000)]
    (big / "data/index.json").write_text(json.dumps(index, separators=(",", ":")))
    assert (big / "data/index.json").stat().st_size < 10_000 * 300  # compact: a few hundred bytes an event
    page.goto(static_server(big))
    page.evaluate("() => window.timelineFilters.load()")
    elapsed = page.evaluate("""async () => {
        const started = performance.now();
        for (const actor of ['turkey', 'un', 'russia']) {
            await window.timelineFilters.apply({actor: actor, from: '2015'});
        }
        return (performance.now() - started) / 3;
    }""")
    assert elapsed < 100, f"filtering 10,000 events took {elapsed:.0f} ms"
    expected = sum(1 for n in range(10_000) if (n % 2 == 0 or n % 3 == 0) and 2014 + n % 8 >= 2015)  # russia
    assert count_text(page) == f"{expected} of 10000 events"
    assert page.locator("#filter-results .event-card").count() == 100
    page.get_by_role("button", name="Show 100 more").click()
    assert page.locator("#filter-results .event-card").count() == 200
    assert page.evaluate("document.activeElement.closest('.event-card') !== null")  # focus on the first new one


def test_without_javascript_the_choices_lead_to_actor_kind_and_year_pages(output, browser, static_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(static_server(output))
        assert page.locator("#filters").is_hidden()
        browse = page.locator("#browse")
        assert browse.is_visible()
        hrefs = browse.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert {"/actors/turkey/", "/actors/russia/", "/actors/un/", "/kinds/military/", "/kinds/diplomacy/",
                "/years/2014/", "/years/2021/"} <= set(hrefs)
        assert page.locator("#timeline-all .event-card").count() == 100
    finally:
        context.close()


def test_chart_links_go_to_the_actor_and_event_pages(home):
    home = home.page
    lane = home.locator("svg.lane[aria-label^='Turkey']")
    lane.locator("a[href*='#period-']").first.click()
    home.wait_for_url("**/actors/turkey/#period-1")
    assert home.locator("#period-1").is_visible()
    home.go_back()
    single = home.locator("svg.lane[aria-label^='Russia'] a[href*='/events/']").first
    href = single.get_attribute("href")
    name = single.get_attribute("aria-label")
    single.click()
    home.wait_for_url("**" + href)
    assert home.locator("h1").inner_text() in name


def test_map_markers_go_to_the_place_pages(tmp_path, page, static_server, site):
    config = (site.root / "site.yaml").read_text()
    (site.root / "site.yaml").write_text(config + "places:\n  Tripoli: [32.887, 13.191]\n  Sirte: [31.209, 16.589]\n")
    for n, where in enumerate(["Tripoli", "Tripoli", "Sirte"]):
        path = site.event(f"at-{n}", title=f"At {where} {n}", date=f"2020-0{n + 1}-01")
        path.write_text(path.read_text().replace("kind: military", f"kind: military\nlocation: {where}"))
    build(BuildOptions(site.root))
    page.goto(static_server(site.root / "output"))
    marker = page.get_by_role("link", name="Tripoli: 2 events")
    marker.click()
    page.wait_for_url("**/places/tripoli/")
    titles = page.locator(".event-title a").all_inner_texts()
    assert titles == ["At Tripoli 0", "At Tripoli 1"]


def test_filters_work_under_a_sub_path(site, page, static_server):
    site.event("talks", title="Russian talks", date="2015", actors="russia", kind="diplomacy")
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    build(BuildOptions(site.root, base_url="https://example.org/libya/"))
    base = static_server(site.root / "output", "/libya/")
    page.goto(base + "?actor=russia")
    wait_for_count(page, "1 of 2 events")
    page.locator("#filter-results .event-title a").click()
    page.wait_for_url(base + "events/talks/")
    page.locator(".chip").first.click()
    page.wait_for_url(base + "actors/russia/")
