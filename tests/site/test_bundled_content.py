"""The bundled Libya timeline: valid under --strict, complete, every claim sourced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, ScratchSite
from generator.read.config import load_config
from generator.model.errors import Problems


@pytest.fixture
def built(bundled_output) -> Path:
    return bundled_output


def event_files() -> list[Path]:
    return sorted(path for path in (ROOT / "content/events").rglob("*.md") if path.name.count(".") == 1)  # no translations


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_check_strict_passes_with_no_warning():
    result = ScratchSite(ROOT).cli("check", "--strict")  # (the command line, in this process)
    assert result.returncode == 0, result.stderr
    assert "no errors, 0 warnings" in result.stdout


def test_one_page_per_published_event(built):
    published = [p for p in event_files() if not front_matter(p).get("draft")]
    assert len(published) >= 114
    assert len(list((built / "events").glob("*/index.html"))) == len(published)


def test_every_event_page_lists_an_http_source(built):
    for page in (built / "events").glob("*/index.html"):
        sources = re.search(r'<ol class="sources">(.*?)</ol>', page.read_text(), re.S)
        assert sources and re.search(r'href="https?://', sources.group(1)), page


def test_every_actor_has_a_profile_and_events(built):
    config = load_config(ROOT, Problems())
    assert config is not None
    for actor in config.actors:
        assert (ROOT / "content/actors" / f"{actor}.md").is_file(), actor
        page = (built / "actors" / actor / "index.html").read_text()
        assert 'class="event-card' in page, actor


def test_involvement_starts_russia_2015_turkey_troops_january_2020():
    config = load_config(ROOT, Problems())
    assert config is not None
    russia = config.actors["russia"]
    assert russia.start is not None and russia.start.year == 2015
    troops = [p for p in config.actors["turkey"].involvement if p.kind == "military" and p.supports == "gna"]
    assert min(p.start for p in troops).iso() == "2020-01"


def test_the_viva_article_is_a_source_of_the_moscow_consultations():
    moscow = [p for p in event_files() if any("viva.co.id" in s["url"] for s in front_matter(p)["sources"])]
    assert any(str(front_matter(p)["date"]) == "2020-08-31" for p in moscow)
    event = next(p for p in moscow if str(front_matter(p)["date"]) == "2020-08-31")
    viva = next(s for s in front_matter(event)["sources"] if "viva.co.id" in s["url"])
    assert viva["language"] == "id"
    assert "overstate" in event.read_text().split("---\n", 2)[2]


def test_summaries_are_80_to_250_words():
    for path in event_files():
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        words = len(re.findall(r"\w[\w'’-]*", body))
        assert 80 <= words <= 250, (path, words)


def parts_of(path: Path) -> dict[str, tuple[str, str | None, str]]:
    """actor -> (role, side, status) as the generator reads them."""
    from generator import BuildOptions
    from generator.pipeline.build import Builder

    problems = Problems()
    site = Builder(BuildOptions(ROOT), load_cache=False).load(problems)
    assert site is not None
    rel = str(path.relative_to(ROOT))
    event = next(e for e in site.events if e.path == rel)
    return {p.id: (p.role, p.supports, p.status) for p in event.parts}


def test_the_misstatements_the_roles_were_made_for_are_gone():
    """Enforcers, inspectors and those who only reacted are not shown as backers (issue 15's cases)."""
    events = ROOT / "content/events/2020"
    irini = parts_of(events / "2020-09-10-irini-boards-uae-chartered-tanker.md")
    assert irini["eu"] == ("enforcer", None, "confirmed") and irini["uae"][:2] == ("supplier", "lna")
    assert all(irini[a][0] == "enforcer" for a in ("germany", "italy"))
    frigate = parts_of(events / "2020-11-22-german-frigate-inspects-turkish-freighter.md")
    assert frigate["germany"][1] is None and frigate["turkey"][0] == "target"
    watiya = parts_of(events / "2020-05-18-gna-takes-al-watiya.md")
    assert watiya["uae"] == ("supplier", "lna", "alleged") and watiya["turkey"][:2] == ("acted", "gna")
    deal = parts_of(events / "2020-08-17-turkey-qatar-gna-military-deal.md")
    assert deal["russia"][1] is None and deal["germany"][1] is None and deal["qatar"][1] == "gna"


def test_organisations_that_only_enforce_mediate_or_report_never_back_a_side():
    for path in event_files():
        for entry in front_matter(path)["actors"]:
            if isinstance(entry, dict) and entry["id"] in ("un", "eu"):
                assert "supports" not in entry, path
            elif entry in ("un", "eu"):
                assert "supports" not in front_matter(path), path
