"""update_site: moving a few changed events into the last build's site gives what building afresh gives."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from conftest import ROOT, examples
from generator.read.config import load_config
from generator.model.dates import PartialDate
from generator.model.errors import Problems
from generator.model.types import Event
from generator.model.site import Site, build_site, update_site

CONFIG = load_config(ROOT, Problems())
assert CONFIG is not None
ACTORS = sorted(CONFIG.actors)[:4]
KINDS = sorted(CONFIG.kinds)[:3]
TAGS = ["Oil", "oil", "Ceasefire", "talks", "Air strike"]
LOCATIONS = [None, "Tripoli", "Benghazi", "Tripoli and Misrata", "Sirte", "somewhere unknown"]

dates = st.builds(PartialDate, st.integers(2014, 2016), st.integers(0, 2), st.integers(0, 2)).map(
    lambda d: PartialDate(d.year, d.month, d.day if d.month else 0))
changes = st.fixed_dictionaries({}, optional={
    "title": st.sampled_from(["Alpha", "beta", "Gamma", "delta"]),
    "date": dates,
    "actors": st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True).map(tuple),
    "kind": st.sampled_from(KINDS),
    "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple),
    "body": st.just("edited"),
    "location": st.sampled_from(LOCATIONS),
})


def event(number: int, title: str, date: PartialDate, actors: tuple[str, ...], kind: str,
          tags: tuple[str, ...], location: str | None = None) -> Event:
    return Event(slug=f"e{number}", path=f"content/events/e{number}.md", title=title, date=date, actors=actors,
                 kind=kind, sources=(), body="text", tags=tags, location=location, fingerprint=f"f{number}")


events = st.lists(st.tuples(st.sampled_from(["Alpha", "beta", "Gamma"]), dates,
                            st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2, unique=True).map(tuple),
                            st.sampled_from(KINDS), st.lists(st.sampled_from(TAGS), max_size=2, unique=True)
                            .map(tuple), st.sampled_from(LOCATIONS)), min_size=1, max_size=25)


def shape(site: Site) -> dict[str, object]:
    """Everything a site holds, by slug (so that two sites with equal events compare equal)."""
    def slugs(events: list[Event]) -> list[str]:
        return [e.slug for e in events]

    return {
        "events": slugs(site.events), "objects": [id(e) for e in site.events],
        "by_actor": {k: slugs(v) for k, v in site.by_actor.items()}, "actor_order": list(site.by_actor),
        "by_year": {k: slugs(v) for k, v in site.by_year.items()}, "year_order": list(site.by_year),
        "by_kind": {k: slugs(v) for k, v in site.by_kind.items()}, "kind_order": list(site.by_kind),
        "by_tag": {k: slugs(v) for k, v in site.by_tag.items()}, "tag_order": list(site.by_tag),
        "by_place": {k: slugs(v) for k, v in site.by_place.items()}, "place_order": list(site.by_place),
        "tag_names": site.tag_names,
        "event_by_slug": {k: id(v) for k, v in site.event_by_slug.items()},
        "previous": {k: id(v) if v else None for k, v in site.previous.items()},
        "following": {k: id(v) if v else None for k, v in site.following.items()},
    }


@settings(max_examples=examples(300), deadline=None)
@given(events, st.lists(st.tuples(st.integers(0, 24), changes), max_size=4))
def test_updating_a_site_gives_what_building_it_afresh_gives(specs, edits):
    before = [event(n, *spec) for n, spec in enumerate(specs)]
    old = build_site(CONFIG, before, [], {})
    after = list(before)
    for index, change in edits:
        index %= len(after)
        after[index] = dataclasses.replace(after[index], **change)
    updated = update_site(old, CONFIG, after, [], {})
    fresh = build_site(CONFIG, after, [], {})
    assert shape(updated) == shape(fresh)
    assert shape(old) == shape(build_site(CONFIG, before, [], {}))  # the old site is left as it was


def test_an_unchanged_site_is_updated_without_being_rebuilt():
    before = [event(n, "T", PartialDate(2015, 1, n + 1), (ACTORS[0],), KINDS[0], ()) for n in range(5)]
    old = build_site(CONFIG, before, [], {})
    edited = dataclasses.replace(before[2], body="new")
    updated = update_site(old, CONFIG, [*before[:2], edited, *before[3:]], [], {})
    assert updated.events[2] is edited and updated.previous["e3"] is edited and updated.following["e1"] is edited
    assert updated.by_actor[ACTORS[0]] is not old.by_actor[ACTORS[0]]  # copied, the old one kept
    assert old.events[2] is before[2]


def test_an_event_is_listed_once_under_tags_that_make_the_same_address():
    site = build_site(CONFIG, [event(1, "T", PartialDate(2015), (ACTORS[0],), KINDS[0], ("Oil", "oil"))], [], {})
    assert [e.slug for e in site.by_tag["oil"]] == ["e1"] and site.tag_names["oil"] == "Oil"
