"""Building a scratch site: pages, links under a subpath, escaping, determinism, atomicity."""

from __future__ import annotations

import hashlib
import sqlite3
import re
from pathlib import Path

import pytest

from generator import BuildOptions, build, check
from generator.pipeline.build import Builder
from generator.output.spill import SpillReader, Spilled
from generator.engine.stored import TextStore
from generator.engine.cache_database import CACHE_DIR, CACHE_FILE
from generator import SiteError


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(site):
    site.event("turkish-troops", title="Turkish troops deploy", date="2020-01-05", actors="turkey")
    site.event("russia-talks", title="Russian talks", date="2015", actors="russia", kind="diplomacy",
               body="First paragraph here.\n\nSecond paragraph.")
    site.event("un-resolution", title="UN resolution", date="2020-01", actors="un, russia", kind="diplomacy")
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this site.\n")
    site.write("content/actors/russia.md", "---\ntitle: Russia\n---\nRussia's profile text.\n")
    build(BuildOptions(site.root))
    return site


def test_every_page_type_is_written_with_pretty_urls(built):
    out = built.root / "output"
    for rel in ["index.html", "events/turkish-troops/index.html", "actors/russia/index.html",
                "actors/index.html", "years/2020/index.html", "years/index.html", "kinds/military/index.html",
                "kinds/index.html", "about/index.html", "404.html", "static/style.css"]:
        assert (out / rel).is_file(), rel


def test_home_lists_actors_with_start_and_events_chronologically(built):
    home = built.read("index.html")
    assert "Russia</a>, since 2015" in home
    assert "Turkey</a>, since January 2020" in home
    titles = re.findall(r'class="event-title"><a href="[^"]+">([^<]+)<', home)
    assert titles == ["Russian talks", "UN resolution", "Turkish troops deploy"]
    assert '<time datetime="2015">2015</time>' in home
    assert '<time datetime="2020-01">January 2020</time>' in home
    assert '<time datetime="2020-01-05">5 January 2020</time>' in home
    assert "First paragraph here." in home and "Second paragraph." not in home


def test_event_page_shows_sources_actors_and_neighbours(built):
    page = built.read("events/un-resolution/index.html")
    assert "<h1>UN resolution</h1>" in page
    assert 'href="https://example.org/un-resolution"' in page
    assert "Example News" in page and "(English)" in page
    assert 'rel="prev" href="/events/russia-talks/"' in page
    assert 'rel="next" href="/events/turkish-troops/"' in page
    assert page.count("<h1>") == 1


def test_actor_page_has_profile_involvement_and_events(built):
    page = built.read("actors/russia/index.html")
    assert "Russia&#39;s profile text." in page or "Russia’s profile text." in page
    assert "since 2015" in page
    assert page.count('class="event-card') == 2


def test_links_honour_the_base_url_path(site):
    site.event("one")
    build(BuildOptions(site.root, base_url="https://example.org/some/path/"))
    out = site.root / "output"
    for page in out.rglob("*.html"):
        for link in re.findall(r'(?:href|src)="([^"#]+)', page.read_text()):
            if link.startswith("/"):
                assert link.startswith("/some/path/"), (page, link)
                target = out / link.removeprefix("/some/path/")
                assert target.is_file() or (target / "index.html").is_file(), (page, link)


def test_script_in_title_is_escaped_and_in_body_removed(site):
    site.event("x", title='"<script>alert(1)</script>"',
               body='Hello <script>alert(2)</script><img src="x" onerror="alert(3)"> [a](javascript:alert(4))')
    build(BuildOptions(site.root))
    page = site.read("events/x/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "alert(2)" not in page and "onerror" not in page and "javascript:" not in page
    assert "<script" not in page


def test_markdown_extensions_and_unique_footnotes(site):
    site.event("x", body="Text[^1] -- \"quoted\".\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.")
    build(BuildOptions(site.root))
    page = site.read("events/x/index.html")
    assert "<table>" in page and "“quoted”" in page and "–" in page
    assert page.count('id="fn:1"') == 1


def test_two_builds_are_byte_identical(site, tmp_path):
    site.event("a")
    site.event("b", date="2015", actors="russia")
    build(BuildOptions(site.root, output_dir=tmp_path / "one"))
    build(BuildOptions(site.root, output_dir=tmp_path / "two"))
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_failed_build_leaves_previous_output_untouched(site):
    site.event("a")
    build(BuildOptions(site.root))
    before = tree_digest(site.root / "output")
    site.event("b", actors="russsia")
    with pytest.raises(SiteError):
        build(BuildOptions(site.root))
    assert tree_digest(site.root / "output") == before
    assert not [p for p in site.root.iterdir() if p.name.startswith(".output") and p.name != ".output.lock"]


def test_template_error_leaves_previous_output_untouched(site):
    site.event("a")
    build(BuildOptions(site.root))
    before = tree_digest(site.root / "output")
    (site.root / "templates/event.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}")
    with pytest.raises(SiteError) as error:
        build(BuildOptions(site.root))
    assert [str(p) for p in error.value.problems] == [
        "templates/event.html:1: template error: 'nope' is undefined"]
    assert tree_digest(site.root / "output") == before


@pytest.mark.parametrize("name", ["search.html", "card.html", "index-list.html"])
def test_a_missing_template_is_reported_before_any_page_is_rendered(site, monkeypatch, name):
    """On 10,000 events a missing template was reported after every other page had been rendered (16 s)."""
    import generator.render.pages as pages

    site.event("a")
    (site.root / "templates" / name).unlink()
    rendered: list[str] = []
    real = pages.Renderer.render

    def counting(self, job):
        rendered.append(job.rel)
        return real(self, job)

    monkeypatch.setattr(pages.Renderer, "render", counting)
    with pytest.raises(SiteError) as error:
        build(BuildOptions(site.root))
    (problem,) = error.value.problems
    assert str(problem) == f"templates/{name}: the template is missing: a kind of page the site has is rendered with it"
    assert rendered == []


def test_every_template_a_page_kind_uses_is_named_in_the_table():
    """PAGE_TEMPLATES lists the templates of each kind of page, SHARED_TEMPLATES the cards' (all are loaded
    before rendering): every kind has its entry, and every template but those extended or imported is named."""
    from conftest import ROOT
    from generator.render.pages import PAGE_KINDS, PAGE_TEMPLATES, SHARED_TEMPLATES

    assert set(PAGE_TEMPLATES) == set(PAGE_KINDS)
    named = {*SHARED_TEMPLATES, *(name for names in PAGE_TEMPLATES.values() for name in names)}
    assert named | {"base.html", "macros.html"} == {p.name for p in (ROOT / "templates").glob("*.html")}


def test_removed_events_disappear_and_unchanged_files_are_not_rewritten(site):
    site.event("a")
    site.event("b", date="2020-02")
    build(BuildOptions(site.root))
    style = site.root / "output/static/style.css"
    inode = style.stat().st_ino
    (site.root / "content/events/b.md").unlink()
    result = build(BuildOptions(site.root))
    assert not (site.root / "output/events/b").exists()
    assert (site.root / "output/events/a/index.html").is_file()
    assert style.stat().st_ino == inode  # hard-linked, not rewritten
    assert result.unchanged >= 1


def test_drafts_are_left_out_unless_asked_for(site):
    site.write("content/events/d.md", (site.event("d").read_text()).replace("kind: military",
                                                                              "kind: military\ndraft: true"))
    build(BuildOptions(site.root))
    assert not (site.root / "output/events/d").exists()
    build(BuildOptions(site.root, drafts=True))
    assert "badge-draft" in site.read("events/d/index.html")


IMPORTED_DRAFT = """\
---
title: An imported article
date: 2020-03
actors: [turkey]
kind: military
draft: true
sources:
  - url:  # not found in the article: fill it in
    title: A headline
    publisher:
    date: 2020-03-01
    language: en
---
Write the summary here, in your own words.
"""


def test_an_unfinished_draft_cannot_break_a_build_or_a_check(site):
    site.event("ready")
    site.write("content/events/imported.md", IMPORTED_DRAFT)
    result = build(BuildOptions(site.root, strict=True))
    assert result.warnings == [] and not (site.root / "output/events/imported").exists()
    assert check(BuildOptions(site.root, strict=True)).warnings == []
    assert site.run("build").returncode == 0  # as make site and the Pages deploy run it
    with pytest.raises(SiteError) as error:
        check(BuildOptions(site.root, drafts=True))
    assert [str(p) for p in error.value.problems if not p.warning] == [
        "content/events/imported.md:8: missing required field 'publisher' in source 1",
        "content/events/imported.md:8: missing required field 'url' in source 1"]


def test_a_draft_built_once_with_drafts_is_left_out_of_later_builds_warnings_and_all(site):
    site.event("ready")
    finished = IMPORTED_DRAFT.replace("url:  # not found in the article: fill it in",
                                      "url: https://example.org/a").replace("publisher:", "publisher: P\n    note: x")
    site.write("content/events/imported.md", finished)
    result = build(BuildOptions(site.root, drafts=True))
    assert [str(p) for p in result.warnings] == [
        "content/events/imported.md:11: warning: unknown source field 'note'"]
    assert (site.root / "output/events/imported").exists()
    result = build(BuildOptions(site.root, strict=True))  # from the cache now
    assert result.warnings == [] and not (site.root / "output/events/imported").exists()


def test_status_and_denials_are_shown(site):
    path = site.event("a", actors="russia", date="2019")
    path.write_text(path.read_text().replace("kind: military", "kind: military\nstatus: alleged\ndenied_by: [russia]"))
    build(BuildOptions(site.root))
    home = site.read("index.html")
    assert 'badge-alleged">Alleged' in home
    page = site.read("events/a/index.html")
    text = " ".join(page.split())
    assert "This involvement is alleged" in text and "not independently confirmed. Denied by" in text


def test_output_inside_content_is_refused(site):
    site.event("a")
    with pytest.raises(SiteError) as error:
        build(BuildOptions(site.root, output_dir=site.root / "content" / "out"))
    assert "lies inside content/" in str(error.value.problems[0])
    assert not (site.root / "content" / "out").exists()


@pytest.fixture
def many(site):
    """Enough events for the workers to spill their open data fragments to files."""
    for n in range(80):
        site.event(f"e{n:02d}", title=f"Event {n}", date=f"20{15 + n % 6}-0{1 + n % 9}-1{n % 10}",
                   actors="turkey" if n % 3 else "russia", body=f"Summary {n} with *emphasis*, “quotes” and ü.")
    return site


def test_the_parent_joins_the_open_data_from_the_fragments_its_workers_spilled(many, monkeypatch):
    read: list[Spilled] = []  # in this process, which joins the open data files
    real = SpillReader.read

    def counting(reader, part):
        read.append(part)
        return real(reader, part)

    monkeypatch.setattr(SpillReader, "read", counting)
    Builder(BuildOptions(many.root, use_cache=False)).run()  # fragments spilled, texts not
    assert len(read) == 80 * 4  # each event's part of each of the four files
    assert not list(many.root.glob(".output.spill-*"))


def test_spilled_fragments_and_texts_give_the_same_site_and_cache_and_leave_no_files(many, tmp_path, monkeypatch):
    import generator.pipeline.workers as workers_module

    build(BuildOptions(many.root))  # as from the command line: the texts spilled too, then saved in the cache
    assert not list(many.root.glob(".output.spill-*"))
    with monkeypatch.context() as patched:
        patched.setattr(workers_module, "_spill", lambda results, folder, texts: None)  # everything sent whole
        build(BuildOptions(many.root, output_dir=tmp_path / "whole", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "whole")
    for n in range(0, 80, 1):  # enough changes for the workers to spill again, with a cache already there
        path = many.root / f"content/events/e{n:02d}.md"
        path.write_text(path.read_text().replace("Summary", "Revised summary"))
    build(BuildOptions(many.root))
    with sqlite3.connect(many.root / CACHE_DIR / CACHE_FILE) as db:  # the spilled texts' files went into the cache
        keys = [key for (key,) in db.execute("SELECT fingerprint FROM texts WHERE file IS NOT NULL")]
    texts = TextStore(many.root / CACHE_DIR / CACHE_FILE, many.root).read(keys)
    assert sum(body.startswith("Revised summary") for _, _, body in texts.values()) == 80
    many.event("e05", title="Event five, edited", date="2020-06-15", body="Edited.")  # its neighbours' texts: cached
    build(BuildOptions(many.root))
    build(BuildOptions(many.root, output_dir=tmp_path / "fresh", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "fresh")
    assert "Revised summary" in (many.root / "output/events/e04/index.html").read_text()


def cached_events(site) -> int:
    from generator.engine.cache import BuildCache

    return len(BuildCache.load(site.root, Builder(BuildOptions(site.root)).fingerprint).events)


def written_by_this_process(monkeypatch) -> list[int]:
    """How many events each cache save of this process (not of its children) wrote."""
    import generator.engine.cache as cache_module

    counts: list[int] = []
    real = cache_module.BuildCache._write_parsed

    def counting(cache, db, folder, **options):
        counts.append(cache.unsaved_events())
        return real(cache, db, folder, **options)

    monkeypatch.setattr(cache_module.BuildCache, "_write_parsed", counting)
    return counts


@pytest.fixture
def two_cores(monkeypatch):
    """As on a machine with two cores (or more), whatever this one has."""
    import generator.engine.parallel as parallel
    import generator.pipeline.cache_session as cache_session
    import generator.pipeline.rendering as rendering

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    for module in (cache_session, rendering):  # (they imported it by name)
        monkeypatch.setattr(module, "workers", lambda: 2)


def test_a_first_build_saves_its_events_in_a_child_while_it_renders(many, monkeypatch, two_cores):
    counts = written_by_this_process(monkeypatch)
    build(BuildOptions(many.root))
    assert counts == [0]  # the child wrote all of them
    assert cached_events(many) == 80


@pytest.mark.parametrize("failure", ["raises", "cannot write"])
def test_the_events_are_saved_after_all_when_the_child_could_not(many, monkeypatch, tmp_path, failure, two_cores):
    import generator.engine.cache as cache_module

    def failing(cache, site_dir, fingerprint):
        if failure == "raises":  # having made the database, before writing the events into it
            (site_dir / CACHE_DIR).mkdir(exist_ok=True)
            with sqlite3.connect(site_dir / CACHE_DIR / CACHE_FILE) as db:
                cache._open(db, fingerprint)
            raise RuntimeError("lost")
        return cache_module.NOT_SAVED

    monkeypatch.setattr(cache_module.BuildCache, "save_parsed", failing)
    counts = written_by_this_process(monkeypatch)
    build(BuildOptions(many.root))
    assert counts == [80]
    assert cached_events(many) == 80
    build(BuildOptions(many.root, output_dir=tmp_path / "fresh", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "fresh")


def text_files(site) -> tuple[list[str], list[str]]:
    """The cache's text files: as its database names them, and as they are in the folder."""
    with sqlite3.connect(site.root / CACHE_DIR / CACHE_FILE) as db:
        named = sorted(name for (name,) in db.execute("SELECT name FROM text_files"))
    return named, sorted(path.name for path in (site.root / CACHE_DIR).glob("texts-*"))


def revise(site, numbers) -> None:
    for n in numbers:
        path = site.root / f"content/events/e{n:02d}.md"
        path.write_text(path.read_text().replace("Summary", "Revised summary"))


def test_a_cold_build_keeps_its_spilled_texts_as_cache_files_until_most_are_edited(many, tmp_path):
    build(BuildOptions(many.root))  # as from the command line: the workers spill the texts
    named, present = text_files(many)
    assert named and named == present  # kept as the workers wrote them, one file for each
    with sqlite3.connect(many.root / CACHE_DIR / CACHE_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM texts WHERE file IS NOT NULL").fetchone()[0] == 80
    # (which events a file holds depends on which process took them, 16 at a time: any file holds 16 or more)
    revise(many, range(3))  # a few edits: their texts go into the database, the files stay
    build(BuildOptions(many.root))
    assert text_files(many) == (named, named)
    revise(many, range(3, 40))
    build(BuildOptions(many.root))
    revise(many, range(40, 75))  # most of the texts in every file are now out of date
    build(BuildOptions(many.root))
    assert text_files(many) == ([], [])
    with sqlite3.connect(many.root / CACHE_DIR / CACHE_FILE) as db:  # the unrevised texts moved into the database
        for n in range(75, 80):
            assert db.execute("SELECT COUNT(*) FROM texts WHERE file IS NULL AND body LIKE ?",
                              (f"Summary {n} with%",)).fetchone()[0] == 1
    many.event("e05", title="Event five, edited", date="2020-06-15", body="Edited.")  # neighbours' texts: cached
    build(BuildOptions(many.root))
    build(BuildOptions(many.root, output_dir=tmp_path / "fresh", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "fresh")


def test_spilled_texts_go_into_the_database_where_their_files_cannot_be_linked(many, monkeypatch):
    import generator.engine.text_files as text_files_module

    def no_link(source, target):
        raise OSError(18, "Invalid cross-device link")  # the output on another file system than the site

    monkeypatch.setattr(text_files_module.os, "link", no_link)
    build(BuildOptions(many.root))
    assert text_files(many) == ([], [])
    with sqlite3.connect(many.root / CACHE_DIR / CACHE_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM texts WHERE file IS NULL AND body LIKE 'Summary%'").fetchone()[0] == 80


@pytest.mark.parametrize("damage", ["truncate", "rewrite", "delete"])
def test_a_damaged_text_file_is_not_read_and_the_texts_are_made_again(many, tmp_path, damage):
    build(BuildOptions(many.root))
    named, _ = text_files(many)
    for name in named:
        path = many.root / CACHE_DIR / name
        if damage == "truncate":
            path.write_bytes(path.read_bytes()[:100])
        elif damage == "rewrite":  # the same size, other bytes
            path.write_bytes(path.read_bytes().replace(b"Summary", b"Garbage"))
        else:
            path.unlink()
    many.event("e05", title="Event five, edited", date="2020-06-15", body="Edited.")  # shows its neighbours
    build(BuildOptions(many.root))
    build(BuildOptions(many.root, output_dir=tmp_path / "fresh", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "fresh")
    assert "Garbage" not in (many.root / "output/events/e04/index.html").read_text()
    assert text_files(many) == ([], [])  # forgotten and deleted, their texts not moved into the database
    with sqlite3.connect(many.root / CACHE_DIR / CACHE_FILE) as db:
        keys = [key for (key,) in db.execute("SELECT fingerprint FROM texts")]
    assert not any("Garbage" in text for texts in TextStore(many.root / CACHE_DIR / CACHE_FILE, many.root).read(keys)
                   .values() for text in texts)


def test_a_build_that_fails_after_spilling_keeps_the_fragments_for_the_next(many, tmp_path):
    template = many.root / "templates/event.html"
    good = template.read_text()
    template.write_text(good.replace("{{ event.title }}", "{{ event.title | no_such_filter }}", 1))
    with pytest.raises(SiteError):
        build(BuildOptions(many.root))  # as from the command line, texts spilled too
    assert not list(many.root.glob(".output.spill-*"))
    builder = Builder(BuildOptions(many.root))
    with pytest.raises(SiteError):
        builder.run()
    assert not list(many.root.glob(".output.spill-*"))
    template.write_text(good)
    builder.run()
    build(BuildOptions(many.root, output_dir=tmp_path / "fresh", use_cache=False))
    assert tree_digest(many.root / "output") == tree_digest(tmp_path / "fresh")


@pytest.mark.parametrize("rel, normal", [
    ("events/x/index.html", "events/x/index.html"), ("a//b.html", "a/b.html"), ("./a/./b", "a/b"), ("a/", "a"),
    ("/etc/passwd", None), ("../x", None), ("a/../b", None), ("a\\b", None), ("", None), ("..", None),
])
def test_output_paths_are_normalised_and_never_leave_the_output(rel, normal):
    from generator.output.staging import OutputError, safe_relative

    if normal is None:
        with pytest.raises(OutputError):
            safe_relative(rel)
    else:
        assert safe_relative(rel) == normal


def test_a_build_leaves_the_collector_as_it_found_it(site):
    import gc

    site.event("a")
    before = gc.get_threshold()
    gc.unfreeze()  # (of the tests before, which ran builders of their own)
    build(BuildOptions(site.root))
    site.event("a", title="Edited")
    assert build(BuildOptions(site.root)).rendered  # with the cache loaded, which a builder freezes
    assert gc.get_freeze_count() == 0
    site.event("b", title="Broken", actors="russsia")
    with pytest.raises(SiteError):
        build(BuildOptions(site.root))
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root, with its size and modification time."""
    return {p.relative_to(root).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")}


def test_check_writes_nothing_under_the_site(site):
    """As documented: neither a cache nor compiled templates, on a fresh site or after a build (whose cache
    it reads)."""
    site.event("a")
    before = snapshot(site.root)
    check(BuildOptions(site.root))
    assert snapshot(site.root) == before
    build(BuildOptions(site.root))
    site.event("b")
    before = snapshot(site.root)
    result = site.cli("check")  # which verifies output/ too
    assert "Checked: no errors" in result.stdout and "the built site in" in result.stdout + result.stderr
    assert snapshot(site.root) == before
