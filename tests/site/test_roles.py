"""Who backed whom: each actor's role, side and status in an event, and every view that follows them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import ScratchSite, scratch_site

ROLES_EVENT = """\
---
title: Irini boards a tanker said to carry jet fuel for the LNA
date: 2020-09-10
kind: military
actors:
  - id: un
    role: enforcer
  - id: russia
    role: supplier
    supports: lna
    status: alleged
  - turkey
supports: gna
sources:
  - url: https://example.org/irini
    title: A report
    publisher: Example News
    date: 2020-09-11
    language: en
---
A summary.
"""


def with_roles(site: ScratchSite, front: str, slug: str = "e") -> None:
    site.write(f"content/events/{slug}.md", "---\ntitle: An event\ndate: 2020-05\nkind: military\n" + front +
               "sources:\n  - url: https://example.org/x\n    title: T\n    publisher: P\n    date: 2020-05\n"
               "    language: en\n---\nA summary.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ScratchSite:
    """One scratch site with the roles event, built once for the module's tests, which only read it."""
    site = scratch_site(tmp_path_factory.mktemp("roles") / "site")
    site.write("content/events/irini.md", ROLES_EVENT)
    site.event("turkish-troops", title="Turkish troops deploy", date="2020-01-05", actors="turkey")
    result = site.cli("build")
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def load(site: ScratchSite):
    from generator import BuildOptions
    from generator.pipeline.build import Builder
    from generator.model.errors import Problems

    problems = Problems()
    loaded = Builder(BuildOptions(site_dir=site.root), load_cache=False).load(problems)
    assert loaded is not None, problems.errors
    return loaded


def test_the_model_keeps_each_actors_role_side_and_status(site: ScratchSite) -> None:
    site.write("content/events/irini.md", ROLES_EVENT)
    loaded = load(site)
    event = loaded.events[0]
    assert [(p.id, p.role, p.acts, p.supports, p.status) for p in event.parts] == [
        ("un", "enforcer", False, None, "confirmed"),
        ("russia", "supplier", True, "lna", "alleged"),
        ("turkey", "acted", True, "gna", "confirmed"),  # an id alone acted, for the event's side
    ]
    assert event.actors == ("un", "russia", "turkey")
    assert event.sides == ("lna", "gna")
    assert loaded.by_actor["russia"] == [event] and "un" not in loaded.by_actor
    assert loaded.by_other_part["un"] == [event]


@pytest.mark.parametrize("front, line, message", [
    ("actors:\n  - id: eu\n    role: enforcer\n", 6, "unknown actor 'eu'"),
    ("actors:\n  - id: un\n    role: enforcr\n", 7, "unknown role 'enforcr' (did you mean 'enforcer'?)"),
    ("actors:\n  - turkey\n  - id: turkey\n    role: target\n", 7, "actor 'turkey' is listed twice"),
    ("actors:\n  - turkey\n  - id: un\n    role: reporter\n    supports: gna\n", 9,
     "'supports' is only for roles that act (acted, supplier): an actor with the role 'reporter' backs no side"),
    ("actors:\n  - id: un\n    role: mediator\n  - id: russia\n    role: target\n", 5,
     "no actor acts in this event"),
    ("actors:\n  - id: russia\n    supports: lnaa\n", 7, "unknown side 'lnaa' (did you mean 'lna'?)"),
    ("actors:\n  - id: russia\n    status: rumoured\n", 7, "'status' must be one of confirmed, alleged, denied"),
    ("actors:\n  - role: acted\n", 6, "an actor entry needs an 'id'"),
    ("actors:\n  - [turkey]\n", 6, "each actor must be an actor id or a mapping with id and role"),
])
def test_bad_actor_entries_are_reported_at_their_line(site: ScratchSite, front: str, line: int,
                                                      message: str) -> None:
    with_roles(site, front)
    result = site.cli("check")
    assert result.returncode == 1
    assert f"content/events/e.md:{line}: {message}" in result.stderr, result.stderr


def test_every_problem_of_the_actors_is_reported_at_once(site: ScratchSite) -> None:
    with_roles(site, "actors:\n  - id: un\n    role: enforcr\n  - id: russsia\n  - id: turkey\n    role: host\n"
                     "    supports: gna\n")
    output = site.cli("check").stderr
    assert "e.md:7: unknown role 'enforcr'" in output
    assert "e.md:8: unknown actor 'russsia' (did you mean 'russia'?)" in output
    assert "e.md:11: 'supports' is only for roles that act" in output


def test_site_yaml_roles_are_validated(site: ScratchSite) -> None:
    text = (site.root / "site.yaml").read_text()
    site.write("site.yaml", text + "roles:\n  acted:\n    label: Acted\n    acts: true\n    with_side: For {sides}\n"
                                   "  watcher:\n    acts: false\n")
    output = site.cli("check").stderr
    assert "site.yaml:44: 'with_side' must contain {side}" in output
    assert "site.yaml:45: missing required field 'label' in role 'watcher'" in output
    site.write("site.yaml", text + "roles:\n  watcher:\n    label: Watched\n")
    assert "the roles must include 'acted'" in site.cli("check").stderr


def test_a_site_without_roles_gets_the_built_in_ones(site: ScratchSite) -> None:
    site.write("content/events/irini.md", ROLES_EVENT)
    assert site.cli("check", "--strict").returncode == 0


def test_event_page_groups_actors_by_role(built: ScratchSite) -> None:
    page = built.read("events/irini/index.html")
    facts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('<dl class="facts">')[1].split("</dl>")[0]))
    assert "Supplied the LNA Russia (alleged)" in facts
    assert "Acted for the GNA Turkey" in facts
    assert "Enforced the embargo or sanctions United Nations" in facts
    assert "Supported" not in facts  # no single side for the whole event


def test_cards_group_actors_by_role(built: ScratchSite) -> None:
    home = built.read("index.html")
    card = home[home.index('id="e-irini"'):]
    card = card[:card.index("</article>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert "Supplied the LNA: Russia (alleged)" in text
    assert "Enforced the embargo or sanctions: United Nations" in text
    assert text.index("Supplied the LNA") < text.index("Enforced")  # acting groups first


def test_chart_ticks_only_where_the_actor_acted(built: ScratchSite) -> None:
    from generator.render.chart import Scale, Texts, build_lane

    renderer_site = load(built)

    texts = Texts(lambda e: str(e.date), lambda p: "", lambda e: e.slug, lambda a, e: a.id, {"military": "M", "diplomacy": "D"},
                  {"lna": "LNA", "gna": "GNA"},
                  {"enforcer": "Enforced"})
    un = renderer_site.config.actors["un"]
    lane = build_lane(Scale.of(renderer_site.config), un, renderer_site.by_actor.get("un", []), texts,
                      renderer_site.by_other_part["un"])
    assert [(t.acts, t.label) for t in lane.ticks] == [
        (False, "United Nations (Enforced): Irini boards a tanker said to carry jet fuel for the LNA, 2020-09-10")]
    russia = renderer_site.config.actors["russia"]
    lane = build_lane(Scale.of(renderer_site.config), russia, renderer_site.by_actor["russia"], texts)
    assert [(t.acts, t.status) for t in lane.ticks] == [(True, "alleged")]  # the actor's own status
    home = built.read("index.html")
    un_lane = home[home.index('aria-label="United Nations: involvement periods and events"'):]
    un_lane = un_lane[:un_lane.index("</svg>")]
    assert '<circle class="tick other-part"' in un_lane and '<rect class="tick' not in un_lane
    assert "backs no side" in home  # the legend explains the ring


def test_actor_page_lists_other_parts_apart(built: ScratchSite) -> None:
    page = built.read("actors/un/index.html")
    acted, others = page.split('id="events"')[1].split('id="other-parts"')
    assert "Irini boards" not in acted and "No events yet" in acted
    assert "Enforced the embargo or sanctions" in others and "Irini boards" in others
    russia = built.read("actors/russia/index.html")
    assert "Irini boards" in russia.split('id="events"')[1] and 'id="other-parts"' not in russia


def test_filter_index_holds_each_part(built: ScratchSite) -> None:
    index = json.loads(built.read("data/index.json"))
    assert index["version"] == 2
    roles = [r[0] for r in index["roles"]]
    actors = [a[0] for a in index["actors"]]
    sides = [s[0] for s in index["sides"]]
    row = next(e for e in index["events"] if e[0] == "irini")
    parts = {(actors[a], roles[r], sides[s] if s >= 0 else None, index["statuses"][st]) for a, r, s, st in row[4]}
    assert parts == {("un", "enforcer", None, "confirmed"), ("russia", "supplier", "lna", "alleged"),
                     ("turkey", "acted", "gna", "confirmed")}


def test_events_json_gives_each_actor_as_an_object(built: ScratchSite) -> None:
    data = json.loads(built.read("data/events.json"))
    assert data["version"] == 2
    event = next(e for e in data["events"] if e["slug"] == "irini")
    assert event["actors"] == [
        {"id": "un", "role": "enforcer", "acts": False, "supports": None, "status": "confirmed"},
        {"id": "russia", "role": "supplier", "acts": True, "supports": "lna", "status": "alleged"},
        {"id": "turkey", "role": "acted", "acts": True, "supports": "gna", "status": "confirmed"},
    ]
    assert event["sides"] == ["lna", "gna"]


def test_events_csv_has_parallel_actor_columns(built: ScratchSite) -> None:
    rows = list(csv.DictReader(io.StringIO(built.read("data/events.csv"))))
    row = next(r for r in rows if r["slug"] == "irini")
    split = {key: row[key].split("; ") for key in ("actors", "actor_roles", "actor_sides", "actor_statuses")}
    assert list(zip(*split.values())) == [("un", "enforcer", "", "confirmed"), ("russia", "supplier", "lna", "alleged"),
                                          ("turkey", "acted", "gna", "confirmed")]
    assert row["sides"] == "lna; gna"


def test_timelinejs_groups_by_the_first_acting_actor(built: ScratchSite) -> None:
    timeline = json.loads(built.read("data/timeline.json"))
    slide = next(s for s in timeline["events"] if s["unique_id"] == "irini")
    assert slide["group"] == "Russia"  # not the UN, listed first as the enforcer
    assert "Enforced the embargo or sanctions: United Nations" in slide["text"]["text"]


def test_feed_entries_say_who_did_what(built: ScratchSite) -> None:
    feed = built.read("actors/un/feed.xml")
    assert "Irini boards" in feed
    assert "Supplied the LNA: Russia (alleged) · Acted for the GNA: Turkey · Enforced the embargo or sanctions: " \
           "United Nations" in feed


def test_new_writes_actor_entries(site: ScratchSite) -> None:
    result = site.cli("new", "Irini boards a ship", "--date", "2020-09", "--actor", "russia:supplier:lna",
                      "--actor", "un:enforcer", "--actor", "turkey", "--kind", "military")
    assert result.returncode == 0, result.stderr
    text = (site.root / "content/events/2020/2020-09-irini-boards-a-ship.md").read_text()
    assert "- {id: russia, role: supplier, supports: lna}\n- {id: un, role: enforcer}\n- turkey\n" in text
    refused = site.cli("new", "X", "--date", "2020", "--actor", "un:enforcer:gna", "--kind", "military")
    assert refused.returncode == 2 and "the role 'enforcer' backs no side" in refused.stderr
    refused = site.cli("new", "X", "--date", "2020", "--actor", "un:mediator", "--kind", "military")
    assert refused.returncode == 2 and "no actor acts" in refused.stderr
