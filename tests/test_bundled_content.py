"""The bundled Libya timeline: valid under --strict, complete, every claim sourced."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.build import BuildOptions, build
from generator.config import load_config
from generator.errors import Problems


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "output"
    build(BuildOptions(ROOT, output_dir=out, use_cache=False))
    return out


def event_files() -> list[Path]:
    return sorted((ROOT / "content/events").rglob("*.md"))


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_check_strict_passes_with_no_warning():
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--strict", "--site", str(ROOT)],
                            capture_output=True, text=True, cwd=ROOT)
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
