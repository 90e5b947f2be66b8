"""The map from site.yaml (map: focus, frame, title, labels; map: false), regions drawn as areas, and the layout
of the map's names (no overlaps, inside the frame, a name left out said so)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from generator import BuildOptions, SiteError, build, check
from generator.model.errors import Problems
from generator.model.types import MapConfig, Place
from generator.read.config import load_config
from generator.read.map_config import auto_frame
from generator.read.world import load_world
from generator.render.map import MapRenderer, PlacedEvents, PlaceIndex, map_title
from generator.render.map_geo import Projection, country_shapes
from generator.render.map_labels import LabelLayout

YEMEN = ROOT / "tests" / "fixtures" / "yemen"
# The countries the bundled site's map drew before its data became the whole world (generator/data/
# libya-region.json, Natural Earth 1:50m clipped to this frame): the map must stay the same.
LIBYA_FRAME = (4.0, 19.0, 34.0, 38.5)
LIBYA_COUNTRIES = {"Algeria", "Chad", "Cyprus", "Egypt", "Greece", "Italy", "Libya", "Mali", "Malta", "N. Cyprus",
                   "Niger", "Sudan", "Tunisia", "Turkey"}


def problems_of(site, strict: bool = False) -> list[str]:
    with pytest.raises(SiteError) as raised:
        check(BuildOptions(site.root, strict=strict))
    return [str(p) for p in raised.value.problems]


def add(site, text: str) -> int:
    """Append to the scratch site.yaml; return the line number of the first line added."""
    path = site.root / "site.yaml"
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


def located(site, slug: str, location: str, date: str = "2020-01-05"):
    path = site.event(slug, title=f"At {location}", date=date)
    path.write_text(path.read_text().replace("kind: military", f"kind: military\nlocation: {location}"))


def yemen_site(tmp_path: Path) -> Path:
    folder = tmp_path / "yemen"
    shutil.copytree(YEMEN, folder)
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder


# -- the bundled site and another conflict -------------------------------------------------------------------
def test_the_bundled_site_keeps_its_map_of_libya():
    config = load_config(ROOT, Problems())
    assert config is not None and config.map is not None
    assert config.map.frame == LIBYA_FRAME and config.map.focus == ("LBY",)
    shapes = country_shapes(config.map, Projection.of(config.map.frame))
    assert {shape.name for shape in shapes} == LIBYA_COUNTRIES
    assert [shape.name for shape in shapes if shape.focus] == ["Libya"]
    assert map_title(config.map) == "Map of Libya and its neighbours with the places of events"


def test_a_yemen_site_draws_yemen_and_its_neighbours_and_no_libya(tmp_path):
    folder = yemen_site(tmp_path)
    config = load_config(folder, Problems())
    assert config is not None and config.map is not None
    west, south, east, north = config.map.frame  # computed: Yemen and Riyadh (within 800 km), not Washington
    yemen = load_world()["YEM"].box
    assert west < yemen[0] and south < yemen[1] and east > yemen[2] and north > 24.714
    assert west > 30 and east < 65 and north < 35
    names = {shape.name for shape in country_shapes(config.map, Projection.of(config.map.frame))}
    assert {"Yemen", "Saudi Arabia", "Oman", "Eritrea"} <= names and "Libya" not in names
    build(BuildOptions(folder))
    home = (folder / "output" / "index.html").read_text()
    assert "Libya" not in home and "libya" not in home.casefold()
    assert '<title id="map-title">Map of Yemen and its neighbours with the places of events</title>' in home
    assert len(re.findall(r'<path class="land focus"', home)) == 1
    markers = re.findall(r'aria-label="([^"]+)"><title>[^<]*</title><circle class="marker"', home)
    assert sorted(markers) == ["Aden: 1 event", "Hodeidah: 1 event", "Marib: 1 event", "Riyadh: 1 event",
                               "Sanaa: 1 event"]
    assert '<div class="elsewhere">' not in home  # every place with events is on the map (Washington has none)
    assert check(BuildOptions(folder, strict=True)).warnings == []


def test_the_frame_is_computed_from_the_focus_and_the_places_near_it():
    places = [Place("Riyadh", 24.714, 46.675), Place("Washington", 38.907, -77.037), Place("Sanaa", 15.369, 44.191)]
    west, south, east, north = auto_frame(["YEM"], places)
    assert south < 12.6 and north > 24.714 and -77 < west and east < 70
    squeeze = 0.9  # about cos(25 degrees)
    assert 0.4 <= (north - south) / ((east - west) * squeeze) <= 0.95  # neither a strip nor a tower
    # without a focus, every place is framed
    assert auto_frame([], places)[0] < -77 and auto_frame([], places)[2] > 46.675


# -- site.yaml's map: ----------------------------------------------------------------------------------------
def test_map_false_turns_the_map_off(site):
    add(site, "map: false\nplaces:\n  Tripoli: [32.887, 13.191]\n")
    located(site, "a", "Tripoli")
    build(BuildOptions(site.root))
    assert 'class="map-svg"' not in site.read("index.html") and 'id="where"' not in site.read("index.html")
    assert 'class="map-svg"' not in site.read("places/index.html")
    assert "<h1>Place: Tripoli" in site.read("places/tripoli/index.html")  # the place pages stay


def test_the_map_follows_site_yaml(site):
    add(site, "map:\n  focus: [TUN, DZA]\n  frame: [0, 28, 14, 40]\n  title: Where it happened\n"
              "  labels:\n    Mediterranean Sea: [38.5, 7]\nplaces:\n  Tunis: [36.8, 10.18]\n")
    located(site, "a", "Tunis")
    build(BuildOptions(site.root))
    home = site.read("index.html")
    assert '<title id="map-title">Where it happened</title>' in home
    assert len(re.findall(r'<path class="land focus"', home)) == 2
    assert re.search(r'<text class="sea-label"[^>]*>Mediterranean Sea</text>', home)
    assert re.search(r'<text class="country-label focus"[^>]*>Tunisia</text>', home)
    assert map_title(MapConfig(("TUN", "DZA"))) == "Map of Tunisia and Algeria and their neighbours with the " \
                                                    "places of events"


def test_errors_in_map_are_reported_at_their_lines_all_at_once(site):
    first = add(site, "map:\n  focus: [Libya, XYZ]\n  frame: [30, 10, 20, 5]\n  labels:\n    Sea: here\n"
                      "  colour: red\n")
    problems = problems_of(site)
    assert problems == [
        f"site.yaml:{first + 1}: unknown country code 'Libya' in 'focus': use ISO 3166-1 alpha-3 codes such as "
        f"LBY or YEM (did you mean 'LBY'?)",
        f"site.yaml:{first + 1}: unknown country code 'XYZ' in 'focus': use ISO 3166-1 alpha-3 codes such as LBY "
        f"or YEM",
        f"site.yaml:{first + 2}: 'frame' [30, 10, 20, 5] must have west < east (longitudes -180 to 180) and south "
        f"< north (latitudes -85 to 85)",
        f"site.yaml:{first + 4}: label 'Sea' must be [latitude, longitude] in degrees (or {{at: [latitude, "
        f"longitude], name: …}}), found str 'here'",
        f"site.yaml:{first + 5}: warning: unknown map field 'colour'",
    ]


def test_map_must_be_a_mapping_or_false(site):
    first = add(site, "map: [LBY]\n")
    assert problems_of(site) == [f"site.yaml:{first}: 'map' must be a mapping (focus, frame, title, labels) or "
                                 f"false, found a list"]


# -- regions -------------------------------------------------------------------------------------------------
def test_regions_are_drawn_as_areas_not_points(site):
    add(site, "map:\n  focus: [LBY]\nplaces:\n  Tripoli: [32.887, 13.191]\n  Libya: {country: LBY}\n"
              "  Eastern Libya: {at: [31.2, 21.5], radius: 250}\n")
    located(site, "a", "Tripoli")
    located(site, "b", "Libya", "2020-02-01")
    located(site, "c", "Eastern Libya", "2020-03-01")
    build(BuildOptions(site.root))
    home = site.read("index.html")
    markers = re.findall(r'aria-label="([^"]+)"><title>[^<]*</title><circle class="marker"', home)
    assert markers == ["Tripoli: 1 event"]
    regions = home.split('<g class="regions">', 1)[1].split("</g>", 1)[0]
    assert re.findall(r'aria-label="([^"]+)"><title>[^<]*</title><(path|circle) class="region-area"', regions) == \
        [("Libya: 1 event", "path"), ("Eastern Libya: 1 event", "circle")]  # the larger first, below
    radius = float(re.search(r'<circle class="region-area" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', regions)[1])
    config = load_config(site.root, Problems())
    assert config is not None and config.map is not None
    assert radius == pytest.approx(Projection.of(config.map.frame).km(250), abs=0.1)
    assert re.search(r'<text class="region-label"[^>]*>Eastern Libya</text>', home)


def test_regions_are_validated(site):
    first = add(site, "places:\n  A: {at: [31.2, 21.5]}\n  B: {country: LBYA}\n  C: {country: Libya}\n"
                      "  D: {at: north, radius: 10}\n  E: {country: YEM, size: 3}\n")
    assert problems_of(site) == [
        f"site.yaml:{first + 1}: region 'A' needs 'at: [latitude, longitude]' and 'radius' in km (above 0, at most "
        f"5000), or 'country: ISO3'",
        f"site.yaml:{first + 2}: 'country' of place 'B' must be an ISO 3166-1 alpha-3 code such as LBY, found str "
        f"'LBYA' (did you mean 'LBY'?)",
        f"site.yaml:{first + 3}: 'country' of place 'C' must be an ISO 3166-1 alpha-3 code such as LBY, found str "
        f"'Libya' (did you mean 'LBY'?)",
        f"site.yaml:{first + 4}: 'at' of place 'D' must be [latitude, longitude] in degrees, found str 'north'",
        f"site.yaml:{first + 5}: warning: unknown place field 'size'",
    ]


# -- the names' layout ---------------------------------------------------------------------------------------
def crowded_map(count: int) -> MapRenderer:
    """A map with `count` places packed around Tripoli, the busiest first."""
    entries = []
    for i in range(count):
        place = Place(f"Place number {i}", 32.5 + (i % 5) * 0.25, 13.0 + (i // 5) * 0.3)
        entries.append(PlacedEvents(place, f"place-{i}", [object()] * (count - i)))  # type: ignore[list-item]
    return MapRenderer(PlaceIndex(entries), lambda path: "/" + path, MapConfig(("LBY",), LIBYA_FRAME))


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("count", [1, 6, 25])
def test_names_never_overlap_nor_leave_the_frame_and_a_name_left_out_is_said_so(count):
    drawn = crowded_map(count)
    svg = str(drawn.svg())
    p = drawn.projection
    shapes = country_shapes(drawn.config, p)
    for scale, enlarge, limit in ((1.0, 1.0, count), (2.0, 1.8, 8)):
        layout = drawn._layout(shapes, scale, enlarge, limit)
        boxes = [label.box for label in layout.labels]
        assert all(0 <= b[0] and 0 <= b[1] and b[2] <= p.width and b[3] <= p.height for b in boxes)
        assert not any(boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        circles = [(x - r, y - r, x + r, y + r) for entry in drawn.points
                   for x, y in [p.point(entry.place.lon, entry.place.lat)]
                   for r in [enlarge * (5.0 + 4.0 * (len(entry.events) - 1) ** 0.5 if len(entry.events) < 40 else 28)]]
        assert not any(boxes_overlap(box, circle) for box in boxes for circle in circles)
    named = drawn._layout(shapes, 1.0, 1.0, count).named
    assert "place-0" in named  # the busiest place is always named
    left_out = re.findall(r'<title>(Place number \d+): \d+ events? \(its name is left off the map: no room beside '
                          r'its circle\)</title>', svg)
    assert len(left_out) == count - len(named)
    assert (count == 25) == bool(left_out)  # crowded: some are left out; a few places: none


def test_a_label_layout_refuses_what_would_overlap_or_leave_the_frame():
    layout = LabelLayout(200, 100)
    assert layout.place("Tripoli", "marker-label", 15, [(10, 30, "start")])
    assert not layout.place("Misrata", "marker-label", 15, [(12, 32, "start")])  # on top of Tripoli
    assert not layout.place("Mediterranean", "sea-label", 15, [(195, 60, "start")])  # past the right edge
    assert layout.place("Misrata", "marker-label", 15, [(12, 32, "start"), (10, 80, "start")])
    assert [(label.text, label.y) for label in layout.labels] == [("Tripoli", 30), ("Misrata", 80)]


def test_a_name_goes_first_on_its_circles_left_for_a_reader_from_right_to_left():
    ltr, rtl = LabelLayout(400, 200), LabelLayout(400, 200, rtl=True)
    for layout in (ltr, rtl):
        assert layout.beside("Tripoli", 15, 200, 100, 8)
    (first,), (mirrored,) = ltr.labels, rtl.labels
    assert (first.anchor, first.x) == ("start", 200 + 8 + 3) and (mirrored.anchor, mirrored.x) == ("end", 200 - 8 - 3)
    crowded = LabelLayout(400, 200, rtl=True)
    crowded.taken.append((100, 0, 200, 200))  # the left is taken: the right still serves
    assert crowded.beside("Tripoli", 15, 200, 100, 8) and crowded.labels[0].anchor == "start"


def test_map_labels_and_title_take_a_text_per_language(site):
    text = (site.root / "site.yaml").read_text()
    (site.root / "site.yaml").write_text(text.replace("language: en\n", "") + (
        "languages:\n  en: {name: English, locale: en-GB}\n  ar: {name: العربية, locale: ar, direction: rtl}\n"))
    line = add(site, "map:\n  focus: [LBY]\n  title: {en: Where it happened, ar: أين وقعت الأحداث}\n  labels:\n"
                     "    Mediterranean Sea: {at: [35.3, 20.6], name: {en: Mediterranean Sea, ar: البحر المتوسط}}\n")
    config = load_config(site.root, Problems())
    assert config is not None and config.map is not None
    arabic = config.in_language("ar").map
    assert config.map.title == "Where it happened" and config.map.labels == (("Mediterranean Sea", 35.3, 20.6),)
    assert arabic is not None and arabic.title == "أين وقعت الأحداث" and arabic.labels[0][0] == "البحر المتوسط"
    add(site, "")
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text().replace(
        "{en: Mediterranean Sea, ar: البحر المتوسط}}", "{fr: Méditerranée}, colour: blue}"))
    problems = problems_of(site)
    assert any(f"site.yaml:{line + 4}" in p and "'fr' is not one of the site's languages" in p for p in problems)
    assert any(f"site.yaml:{line + 4}" in p and "colour" in p for p in problems)
