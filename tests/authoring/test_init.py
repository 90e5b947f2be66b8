"""`init`: a new site in one command, that builds and passes check --strict as it is; never into a non-empty folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=ROOT)


def test_init_writes_a_site_that_builds_and_passes_check_strict(tmp_path):
    folder = tmp_path / "yemen"
    folder.mkdir()  # an empty folder is fine
    made = run("init", str(folder), "--title", 'War in Yemen: "a timeline"', "--language", "fr")
    assert made.returncode == 0, made.stderr
    assert "site.yaml" in made.stdout and "build --site" in made.stdout
    for rel in ("site.yaml", "content/pages/about.md", "content/pages/methodology.md", "templates/base.html",
                "templates/static/style.css"):
        assert (folder / rel).is_file(), rel
    assert len(list((folder / "content" / "events").rglob("*.md"))) == 1
    site_yaml = (folder / "site.yaml").read_text()
    for key in ("title:", "description:", "base_url:", "language:", "period:", "sides:", "kinds:", "roles:",
                "actors:", "involvement:", "map:", "focus:", "places:"):
        assert key in site_yaml
    assert sum(line.lstrip().startswith("#") for line in site_yaml.splitlines()) >= 15  # keys explained
    built = run("build", "--site", str(folder))
    assert built.returncode == 0, built.stderr
    assert "0 warnings" in built.stdout
    checked = run("check", "--strict", "--site", str(folder))
    assert checked.returncode == 0, checked.stderr
    assert "no broken links" in checked.stdout
    home = (folder / "output" / "index.html").read_text()
    assert "<title>War in Yemen: &#34;a timeline&#34;</title>" in home  # the title as given, quotes and all
    assert '<html lang="fr"' in home
    assert '<svg class="map-svg"' in home and "Map of Yemen and its neighbours" in home
    assert "Libya" not in home


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    refused = run("init", str(folder))
    assert refused.returncode == 1
    assert "not an empty folder" in refused.stderr and "Traceback" not in refused.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and (folder / "notes.txt").read_text() == "mine"


def test_init_creates_a_missing_folder_and_rejects_an_unknown_language(tmp_path):
    folder = tmp_path / "a" / "new-site"
    bad = run("init", str(folder), "--language", "xx-nonsense")
    assert bad.returncode == 2 and "unknown language code 'xx-nonsense'" in bad.stderr
    assert not folder.exists()
    assert run("init", str(folder)).returncode == 0
    assert (folder / "site.yaml").is_file() and "language: en " in (folder / "site.yaml").read_text()
