"""The gazetteer (site.yaml's places:), how event locations are placed, the map and the place pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import BuildOptions, build, check
from generator import SiteError
from generator.model.places import place_location
from generator.read.world import WORLD_FILE, load_world
from generator.render.map import marker_radius
from generator.render.map_geo import Projection
from generator.model.types import Place
from conftest import ROOT


PLACES = """\
map:
  focus: [LBY]
places:
  Tripoli: [32.887, 13.191]
  Mitiga airport: Tripoli
  Misrata: [32.375, 15.093]
  Skhirat: [33.853, -7.032]
  Geneva: [46.204, 6.143]
  Moscow: [55.756, 37.617]
"""


def with_places(site, places: str = PLACES) -> int:
    """Append a places: block to the scratch site.yaml; return the line number of its first line."""
    path = site.root / "site.yaml"
    text = path.read_text()
    path.write_text(text + places)
    return text.count("\n") + 1


def located(site, slug: str, location: str, date: str = "2020-01-05", actors: str = "turkey"):
    path = site.event(slug, title=f"At {location}", date=date, actors=actors)
    path.write_text(path.read_text().replace("kind: military", f"kind: military\nlocation: {location}"))
    return path


def problems_of(site, strict: bool = False) -> list[str]:
    with pytest.raises(SiteError) as raised:
        check(BuildOptions(site.root, strict=strict))
    return [str(p) for p in raised.value.problems]


GAZETTEER = {"tripoli": Place("Tripoli", 32.887, 13.191), "misrata": Place("Misrata", 32.375, 15.093),
             "mitiga airport": Place("Tripoli", 32.887, 13.191), "skhirat": Place("Skhirat", 33.853, -7.032),
             "geneva": Place("Geneva", 46.204, 6.143), "eastern libya": Place("Eastern Libya", 31.2, 21.5)}


@pytest.mark.parametrize("location, names", [
    ("Tripoli", ["Tripoli"]),
    ("tripoli", ["Tripoli"]),
    ("Mitiga airport", ["Tripoli"]),  # an alias
    ("Mitiga airport, Tripoli", ["Tripoli"]),
    ("Skhirat, Morocco", ["Skhirat"]),
    ("near Geneva", ["Geneva"]),
    ("Tripoli and Misrata", ["Tripoli", "Misrata"]),
    ("Tripoli to Misrata", ["Tripoli", "Misrata"]),
    ("Tripoli and eastern Libya", ["Tripoli", "Eastern Libya"]),
    ("Tripoli and Benghazi", []),  # a part that cannot be placed: the whole is not placed
    ("Benghazi", []),
])
def test_locations_are_placed_by_name_alias_and_parts(location, names):
    assert [p.name for p in place_location(location, GAZETTEER)] == names


def test_a_location_that_cannot_be_placed_is_a_warning_and_an_error_under_strict(site):
    with_places(site)
    located(site, "ok", "Mitiga airport, Tripoli")
    path = located(site, "lost", "Atlantis")
    line = path.read_text().split("\n").index("location: Atlantis") + 1
    expected = (f"content/events/lost.md:{line}: warning: location 'Atlantis' is not in the gazetteer: add it "
                f"to places: in site.yaml (name: [latitude, longitude]) so the map can show it")
    assert [str(w) for w in check(BuildOptions(site.root)).warnings] == [expected]
    assert problems_of(site, strict=True) == [expected]


def test_the_gazetteer_is_validated_with_lines(site):
    first = with_places(site, """\
places:
  Tripoli: [32.887, 13.191]
  Nowhere: [95, 13]
  Somewhere: "not a place"
  Elsewhere: [1, 2, 3]
  tripoli: [1, 1]
""")
    assert problems_of(site) == [
        f"site.yaml:{first + 2}: place 'Nowhere' must be [latitude, longitude] in degrees (latitude -90 to 90, "
        f"longitude -180 to 180), a region ({{at: [latitude, longitude], radius: km}} or {{country: ISO3}}) or the "
        f"name of another place, found a list",
        f"site.yaml:{first + 3}: place 'Somewhere' is an alias of 'not a place', which is not a place with "
        f"coordinates",
        f"site.yaml:{first + 4}: place 'Elsewhere' must be [latitude, longitude] in degrees (latitude -90 to 90, "
        f"longitude -180 to 180), a region ({{at: [latitude, longitude], radius: km}} or {{country: ISO3}}) or the "
        f"name of another place, found a list",
        f"site.yaml:{first + 5}: place 'tripoli' is listed twice (also as 'Tripoli')",
    ]


def test_an_alias_with_a_typo_gets_a_suggestion(site):
    first = with_places(site, "places:\n  Tripoli: [32.887, 13.191]\n  Mitiga: Tripolli\n")
    assert problems_of(site) == [f"site.yaml:{first + 2}: place 'Mitiga' is an alias of 'Tripolli', which is "
                                 f"not a place with coordinates (did you mean 'Tripoli'?)"]


def test_places_must_be_a_mapping(site):
    first = with_places(site, "places: [Tripoli]\n")
    assert problems_of(site) == [f"site.yaml:{first}: 'places' must be a mapping of place names to "
                                 f"[latitude, longitude], found a list"]


def test_an_actor_colour_too_light_for_white_text_is_a_warning(site):
    path = site.root / "site.yaml"
    path.write_text(path.read_text().replace('colour: "#2f5d62"', 'colour: "#ffcc00"'))
    warnings = [str(w) for w in check(BuildOptions(site.root)).warnings]
    assert warnings == ["site.yaml:39: warning: colour '#ffcc00' gives white text a contrast of only 1.5:1 on "
                        "chips and against the page (at least 4.5:1): choose a darker colour"]


# -- the map and the place pages ------------------------------------------------------------------
@pytest.fixture
def mapped(site):
    with_places(site)
    located(site, "a", "Tripoli", "2020-01-05")
    located(site, "b", "Mitiga airport, Tripoli", "2020-02-05")
    located(site, "c", "Tripoli and Misrata", "2020-03-05")
    located(site, "d", "Moscow", "2020-04-05", actors="russia")
    located(site, "e", "near Geneva", "2020-05-05", actors="un")
    site.event("f", title="Nowhere in particular", date="2020-06-01")
    build(BuildOptions(site.root))
    return site


def test_the_home_page_maps_each_place_with_a_circle_linking_to_its_events(mapped):
    home = mapped.read("index.html")
    markers = re.findall(r'<a href="(/places/[a-z-]+/)" aria-label="([^"]+)"><title>[^<]+</title>'
                         r'<circle class="marker" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"/>', home)
    assert [(href, label) for href, label, _ in markers] == [("/places/tripoli/", "Tripoli: 3 events"),
                                                             ("/places/misrata/", "Misrata: 1 event")]
    assert float(markers[0][2]) == pytest.approx(marker_radius(3), abs=0.05) and marker_radius(3) > marker_radius(1)
    elsewhere = home.split('<div class="elsewhere">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', elsewhere) == [("/places/geneva/", "Geneva"),
                                                                        ("/places/moscow/", "Moscow")]


def test_a_place_page_lists_the_events_there(mapped):
    page = mapped.read("places/tripoli/index.html")
    assert "<h1>Place: Tripoli" in page
    assert re.findall(r'<h4 class="event-title"><a href="/events/([a-z]+)/">', page) == ["a", "b", "c"]
    assert "events/a/" in mapped.read("places/tripoli/index.html")
    assert re.findall(r'<h4 class="event-title"><a href="/events/([a-z]+)/">',
                      mapped.read("places/misrata/index.html")) == ["c"]
    index = mapped.read("places/index.html")
    assert '<svg class="map-svg"' in index and index.index(">Tripoli</a>") < index.index(">Misrata</a>")


def test_event_pages_and_cards_link_their_location_to_the_place(mapped):
    event = mapped.read("events/b/index.html")
    assert '<dt>Location</dt> <dd><a href="/places/tripoli/" title="Every event at Tripoli">Mitiga airport, ' \
           'Tripoli</a></dd>' in event
    both = mapped.read("events/c/index.html")
    assert '(events at <a href="/places/tripoli/">Tripoli</a>, <a href="/places/misrata/">Misrata</a>)' in both
    assert '<span class="location"><a href="/places/tripoli/">Tripoli</a></span>' in mapped.read("index.html")


def test_a_new_build_draws_the_map_again_only_when_its_places_or_their_counts_change(mapped, monkeypatch, tmp_path):
    """The map's SVG is kept in the build cache (drawing it took 0.1 s of each edit on 10,000 events)."""
    import generator.render.map as map_module

    drawn: list[str] = []
    real = map_module.MapRenderer._draw
    monkeypatch.setattr(map_module.MapRenderer, "_draw", lambda self: drawn.append("map") or real(self))

    def same_as_without_cache() -> None:
        fresh = tmp_path / f"fresh{len(list(tmp_path.iterdir()))}"
        build(BuildOptions(mapped.root, output_dir=fresh, use_cache=False))
        for page in ("index.html", "places/index.html"):
            assert (fresh / page).read_bytes() == (mapped.root / "output" / page).read_bytes(), page

    located(mapped, "a", "Tripoli", "2020-01-06")  # the same places, each with as many events
    build(BuildOptions(mapped.root))  # a new builder, as from the command line: the map comes from the cache
    assert drawn == []
    drawn.clear()
    same_as_without_cache()
    drawn.clear()
    located(mapped, "f", "Tripoli", "2020-06-01")  # Tripoli gets a fourth event: its circle grows
    build(BuildOptions(mapped.root))
    assert drawn == ["map"]
    assert "Tripoli: 4 events" in mapped.read("index.html")
    same_as_without_cache()


def test_a_content_page_cannot_take_the_places_address(site):
    site.write("content/pages/places.md", "---\ntitle: Places\n---\nText.\n")
    assert problems_of(site) == ["content/pages/places.md:2: the slug 'places' is reserved for the generator's "
                                 "own pages"]


# -- the map's data -------------------------------------------------------------------------------
def test_the_map_data_is_small_and_says_where_it_comes_from():
    assert WORLD_FILE.stat().st_size < 300_000  # the world at 1:50m, simplified: about 250 kB
    world = json.loads(WORLD_FILE.read_text())
    assert "Natural Earth" in world["source"] and "public domain" in world["source"]
    countries = load_world()
    assert len(countries) > 200 and {"LBY", "YEM", "SAU", "OMN", "TUN", "EGY", "FRA", "BRA"} <= set(countries)
    assert countries["LBY"].name == "Libya" and countries["YEM"].name == "Yemen"
    west, south, east, north = countries["YEM"].box  # Yemen: about 42.6-53.1 E, 12.6-19 N
    assert 42 < west < 43.5 and 12 < south < 13 and 52.5 < east < 54 and 18.5 < north < 19.5
    readme = (WORLD_FILE.parent / "README.md").read_text()
    assert "Natural Earth" in readme and "world-atlas" in readme and "public domain" in readme
    assert "extract_natural_earth.py" in readme


def test_the_projection_keeps_libya_inside_the_bundled_frame():
    from generator.read.config import load_config
    from generator.model.errors import Problems

    config = load_config(ROOT, Problems())
    assert config is not None and config.map is not None
    projection = Projection.of(config.map.frame)
    for lon, lat in ((9.4, 30.2), (25.0, 31.6), (25.0, 20.0), (13.2, 32.9)):  # Libya's corners and Tripoli
        x, y = projection.point(lon, lat)
        assert 0 < x < projection.width and 0 < y < projection.height
    assert not projection.contains(Place("Moscow", 55.756, 37.617))


def test_every_location_of_the_bundled_site_is_placed():
    from generator.read.config import load_config
    from generator.read.content import EVENTS_DIR, content_files
    from generator.model.errors import Problems

    config = load_config(ROOT, Problems())
    assert config is not None
    unplaced = []
    for file, rel in content_files(ROOT, EVENTS_DIR):
        match = re.search(r"^location: *\"?([^\"\n]+)\"?$", Path(file).read_text(encoding="utf-8"), re.M)
        if match and not place_location(match.group(1), config.places):
            unplaced.append((rel, match.group(1)))
    assert unplaced == []
