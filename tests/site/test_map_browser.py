"""The map's names as chromium draws them (Debian's chromium via Playwright): on the bundled site and on a site
about another conflict, at a phone's and a desktop's width, no two names' boxes intersect and none crosses the
frame, measured on the rendered SVG with the fonts the browser really uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from generator import BuildOptions, build

MEASURE = """() => {
  const svg = document.querySelector('.map-svg');
  const frame = svg.getBoundingClientRect();
  const shown = [...svg.querySelectorAll('.map-labels text')].filter(t => t.getClientRects().length > 0);
  const circles = [...svg.querySelectorAll('circle.marker')].map(c => {
    const r = c.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
  return {frame: [frame.left, frame.top, frame.right, frame.bottom], circles,
          labels: shown.map(t => { const r = t.getBoundingClientRect();
                                   return [t.textContent, r.left, r.top, r.right, r.bottom]; })};
}"""


def intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """The bundled site and the Yemen fixture site, built."""
    bundled = tmp_path_factory.mktemp("bundled") / "output"
    build(BuildOptions(ROOT, output_dir=bundled, use_cache=False))
    yemen = tmp_path_factory.mktemp("yemen") / "site"
    shutil.copytree(ROOT / "tests" / "fixtures" / "yemen", yemen)
    shutil.copytree(ROOT / "templates", yemen / "templates")
    build(BuildOptions(yemen, use_cache=False))
    return {"bundled": bundled, "yemen": yemen / "output"}


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("which, least", [("bundled", {1280: 25, 375: 6}), ("yemen", {1280: 8, 375: 6})])
def test_map_names_do_not_overlap_and_stay_inside_the_frame(sites, page, static_server, which, least, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(static_server(sites[which]))
    measured = page.evaluate(MEASURE)
    frame, labels = measured["frame"], measured["labels"]
    assert len(labels) >= least[width]  # the names are there to be measured
    outside = [name for name, *box in labels
               if box[0] < frame[0] - 0.5 or box[1] < frame[1] - 0.5 or box[2] > frame[2] + 0.5
               or box[3] > frame[3] + 0.5]
    assert outside == []
    crossing = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1:] if intersect(a[1:], b[1:])]
    assert crossing == []
    hidden = [name for name, *box in labels for circle in measured["circles"] if intersect(box, circle)]
    assert hidden == []  # no name covers a place's circle
    names = {name for name, *_ in labels}
    if which == "yemen":
        assert {"Yemen", "Sanaa", "Aden"} <= names and "Libya" not in names
    else:
        assert {"Libya", "Tripoli", "Benghazi"} <= names


CHART = """() => {
  const box = document.querySelector('.chart-scroll').getBoundingClientRect();
  const lane = document.querySelector('svg.lane').getBoundingClientRect();
  const names = [...document.querySelectorAll('svg.lane .bar-name')].map(t => {
    const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; });
  return {box: [box.left, box.right], lane: [lane.left, lane.top, lane.right, lane.bottom], names};
}"""


def test_an_actor_chart_ends_with_its_period_and_its_bar_names_do_not_overlap(sites, page, static_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(static_server(sites["bundled"]) + "actors/russia/")
    measured = page.evaluate(CHART)
    lane, names = measured["lane"], measured["names"]
    assert measured["box"][1] - lane[2] <= 2  # no empty strip after the period's end (the box's border aside)
    assert len(names) >= 5
    assert [name for name, *box in names if box[0] < lane[0] or box[2] > lane[2]] == []
    assert [(a[0], b[0]) for i, a in enumerate(names) for b in names[i + 1:] if intersect(a[1:], b[1:])] == []
