"""The build cache never changes what is built: every edit shows, a broken cache is ignored."""

from __future__ import annotations

import hashlib
import os
import time
import shutil
from pathlib import Path

import markdown
import nh3
import pytest

from generator import BuildOptions, build

from generator.pipeline.build import Builder
from generator.engine.cache_database import CACHE_DIR, CACHE_FILE, FORMAT


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def fresh_build(site, tmp_path: Path, name: str) -> dict[str, str]:
    """What a build without any cache makes of the site as it is now."""
    out = tmp_path / name
    build(BuildOptions(site.root, output_dir=out, use_cache=False))
    return digests(out)


def age(root: Path, seconds: int = 3600) -> None:
    """Date every file of the site back (a build does not trust the size and time of a file modified in
    the last two seconds: a second edit within the same clock tick could keep them)."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(then, then))


@pytest.fixture
def cached(site):
    for n in range(6):
        site.event(f"e{n}", title=f"Event {n}", date=f"2020-0{n + 1}", actors="turkey" if n % 2 else "russia")
    site.write("content/actors/russia.md", "---\ntitle: Russia\n---\nProfile.\n")
    age(site.root)
    first = build(BuildOptions(site.root))
    assert first.written == first.pages
    return site


def watch_reads(monkeypatch) -> list[str]:
    """The files opened from now on (content files are read with os.open and os.read)."""
    read: list[str] = []
    real_open = os.open

    def watching_open(file, *args, **kwargs):
        read.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    return read


def assert_same_as_uncached(site, tmp_path, name):
    result = build(BuildOptions(site.root))
    assert digests(site.root / "output") == fresh_build(site, tmp_path, name)
    return result


def test_output_with_the_cache_is_byte_identical_to_output_without(cached, tmp_path):
    result = assert_same_as_uncached(cached, tmp_path, "plain")
    assert result.written == 0 and result.timings == {"nothing changed": 0.0}


def test_editing_an_event(cached, tmp_path):
    cached.event("e3", title="Event three, edited", date="2020-04")
    result = assert_same_as_uncached(cached, tmp_path, "edit")
    assert "Event three, edited" in cached.read("events/e3/index.html")
    assert "Event three, edited" in cached.read("events/e2/index.html")  # the neighbour's link
    assert 0 < result.rendered < result.pages / 2  # not the whole site


def test_moving_an_event_in_time_reorders_neighbours(cached, tmp_path):
    cached.event("e0", title="Event 0", date="2020-12", actors="russia")
    assert_same_as_uncached(cached, tmp_path, "move")
    assert 'rel="prev" href="/events/e5/"' in cached.read("events/e0/index.html")


def test_deleting_and_renaming_events(cached, tmp_path):
    (cached.root / "content/events/e1.md").unlink()
    (cached.root / "content/events/e2.md").rename(cached.root / "content/events/renamed.md")
    result = assert_same_as_uncached(cached, tmp_path, "delete")
    assert not (cached.root / "output/events/e1").exists()
    assert not (cached.root / "output/events/e2").exists()
    assert (cached.root / "output/events/renamed/index.html").is_file()
    assert result.removed >= 2


def test_changing_a_template(cached, tmp_path):
    template = cached.root / "templates/base.html"
    template.write_text(template.read_text().replace("Every event cites its sources.", "Sources for every event."))
    result = assert_same_as_uncached(cached, tmp_path, "template")
    assert "Sources for every event." in cached.read("events/e4/index.html")
    assert result.rendered >= 6


def test_changing_site_yaml(cached, tmp_path):
    config = cached.root / "site.yaml"
    config.write_text(config.read_text().replace("name: Turkey", "name: Türkiye"))
    assert_same_as_uncached(cached, tmp_path, "config")
    assert "Türkiye" in cached.read("events/e1/index.html")


def test_adding_a_profile_and_a_page(cached, tmp_path):
    cached.write("content/actors/turkey.md", "---\ntitle: Turkey\n---\nA new profile.\n")
    cached.write("content/pages/about.md", "---\ntitle: About\n---\nAbout us.\n")
    assert_same_as_uncached(cached, tmp_path, "pages")
    assert "A new profile." in cached.read("actors/turkey/index.html")
    assert 'href="/about/"' in cached.read("events/e0/index.html")  # the navigation of every page


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty", "foreign"])
def test_a_corrupted_or_foreign_cache_is_ignored_and_rebuilt(cached, tmp_path, damage):
    cache = cached.root / CACHE_DIR / CACHE_FILE
    data = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"not a database at all" * 100)
    elif damage == "truncate":
        cache.write_bytes(data[: len(data) // 3])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        import sqlite3

        with sqlite3.connect(cache) as db:
            db.execute("UPDATE meta SET value = 'someone else' WHERE name = 'fingerprint'")
    cached.event("e5", title="Edited after the damage", date="2020-06", actors="turkey")
    assert_same_as_uncached(cached, tmp_path, damage)
    assert "Edited after the damage" in cached.read("events/e5/index.html")
    import sqlite3

    with sqlite3.connect(cache) as db:  # and the cache was written afresh
        assert dict(db.execute("SELECT name, value FROM meta"))["format"] == FORMAT
        import pickle

        assert sum(len(pickle.loads(data)) for (data,) in db.execute("SELECT data FROM cards")) >= 6


def test_a_planted_pickle_cannot_run_code(cached, tmp_path):
    import pickle
    import sqlite3

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (tmp_path / "pwned",))

    with sqlite3.connect(cached.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute("UPDATE events SET data = ?", (pickle.dumps([("x", "", "", Exploit(), [])]),))
    cached.event("e0", title="Touched", date="2020-01", actors="russia")
    assert_same_as_uncached(cached, tmp_path, "exploit")
    assert not (tmp_path / "pwned").exists()


def test_no_cache_flag_neither_reads_nor_writes_the_cache(site):
    site.event("a")
    result = site.cli("build", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert not (site.root / CACHE_DIR).exists()


def test_output_edited_by_hand_is_repaired(cached, tmp_path):
    page = cached.root / "output/events/e2/index.html"
    page.write_text("tampered")
    shutil.rmtree(cached.root / "output/events/e3")
    assert_same_as_uncached(cached, tmp_path, "tampered")
    assert "tampered" not in page.read_text()


def test_an_edit_that_keeps_size_and_time_is_seen_if_the_time_was_recent(cached, tmp_path):
    # a file modified just before a build is hashed again next time, whatever its size and time say
    path = cached.root / "content/events/e2.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")  # modified now
    build(BuildOptions(site_dir=cached.root))
    before = path.stat()
    assert "Event 2" in text
    path.write_text(text.replace("Event 2", "Event Z"), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time
    assert path.stat().st_size == before.st_size
    assert_same_as_uncached(cached, tmp_path, "same-stat")
    assert "Event Z" in cached.read("events/e2/index.html")


def test_an_old_file_is_recognised_by_size_and_time_without_being_read(cached, tmp_path, monkeypatch):
    path = cached.root / "content/events/e4.md"  # an hour old (the fixture dates the site back)
    cached.write("content/events/e0.md", cached.root.joinpath("content/events/e0.md").read_text() + "\nMore.\n")
    read = watch_reads(monkeypatch)
    build(BuildOptions(site_dir=cached.root))
    assert any(name.endswith("e0.md") for name in read) and not any(name.endswith("e4.md") for name in read)
    monkeypatch.undo()
    path.write_text(path.read_text(encoding="utf-8").replace("Event 4", "Event four"), encoding="utf-8")
    assert_same_as_uncached(cached, tmp_path, "old-file-edited")
    assert "Event four" in cached.read("events/e4/index.html")


def test_after_an_edit_the_open_data_is_patched_with_only_the_edited_event_made_anew(cached, tmp_path, monkeypatch):
    from generator.pipeline.build import Builder

    wanted: list[list[str]] = []
    real = Builder._fragments

    def spying(self, site, keys, *more):
        wanted.append(list(keys))
        return real(self, site, keys, *more)

    monkeypatch.setattr(Builder, "_fragments", spying)
    cached.event("e3", title="Event three, edited", date="2020-04", body="A new summary.")
    build(BuildOptions(site_dir=cached.root))
    # the four joined files (events.json, events.csv, timeline.json, index.json) each asked only for e3's part
    assert len(wanted) == 4 and all(len(keys) == 1 for keys in wanted)
    assert "A new summary." in cached.read("data/events.json")
    assert digests(cached.root / "output") == fresh_build(cached, tmp_path, "patched")


def test_open_data_edited_by_hand_is_joined_afresh_not_patched(cached, tmp_path):
    data = cached.root / "output/data/events.json"
    data.write_bytes(data.read_bytes().replace(b"Event 1", b"Event X"))
    cached.event("e3", title="Event three, edited", date="2020-04")
    assert_same_as_uncached(cached, tmp_path, "data-tampered")
    assert b"Event X" not in data.read_bytes()


def test_a_build_after_an_edit_reads_the_texts_of_only_the_events_it_shows_anew(cached, tmp_path, monkeypatch):
    from generator.engine.stored import TextStore

    read: list[str] = []
    real = TextStore.read

    def spying(self, fingerprints):
        read.extend(fingerprints)
        return real(self, fingerprints)

    monkeypatch.setattr(TextStore, "read", spying)
    cached.event("e3", title="Event 3", date="2020-04", body="A new summary.")
    build(BuildOptions(site_dir=cached.root))
    assert 0 < len(read) < 6  # the neighbours' pages show their own summaries; the edited event was parsed
    assert digests(cached.root / "output") == fresh_build(cached, tmp_path, "texts")


def test_texts_missing_from_the_cache_are_read_from_the_event_files_again(cached, tmp_path):
    import sqlite3

    with sqlite3.connect(cached.root / CACHE_DIR / CACHE_FILE) as db:
        db.execute("DELETE FROM texts")
    cached.event("e3", title="Event three, edited", date="2020-04")
    template = cached.root / "templates/base.html"  # every page again: every event's summary is needed
    template.write_text(template.read_text().replace("Every event cites its sources.", "Sources for every event."))
    assert_same_as_uncached(cached, tmp_path, "lost-texts")
    assert "A summary of the event." in cached.read("events/e1/index.html")


def test_large_files_are_moved_aside_before_being_replaced_and_deleted_after(cached, tmp_path, monkeypatch):
    import generator.output.staging as write

    monkeypatch.setattr(write, "LARGE", 1)  # every file counts as large
    cached.event("e3", title="Event three, edited", date="2020-04")
    result = assert_same_as_uncached(cached, tmp_path, "aside")
    assert result.written > 3
    assert [p.name for p in cached.root.glob(".output.*")] == [".output.lock"]  # no staging or trash left behind


def test_the_sitemap_follows_an_events_last_change_and_is_left_alone_otherwise(cached, tmp_path):
    sitemap = cached.root / "output/sitemap.xml"
    before = sitemap.stat().st_mtime_ns
    cached.event("e3", title="Event three, edited", date="2020-04")
    assert_same_as_uncached(cached, tmp_path, "no-lastmod")
    assert sitemap.stat().st_mtime_ns == before
    path = cached.root / "content/events/e3.md"
    path.write_text(path.read_text().replace("kind:", "updated: 2021-02-03\nkind:", 1))
    assert_same_as_uncached(cached, tmp_path, "lastmod")
    assert "<lastmod>2021-02-03</lastmod>" in cached.read("sitemap.xml")


def test_a_quick_build_renders_the_pages_asked_for_first_and_the_next_run_the_rest(cached, tmp_path):
    """The preview's quick build: the open page and the edited event's own page; its neighbours' pages, the
    lists, feeds and open data are listed as deferred, left as they were, and made by the next run."""
    builder = Builder(BuildOptions(cached.root))
    builder.run()
    before = digests(cached.root / "output")
    cached.event("e3", title="Event three, edited", date="2020-04", actors="turkey")
    quick = builder.run(changed={"content/events/e3.md"}, first={"actors/turkey/index.html"})
    assert quick.rendered == 2
    assert "Event three, edited" in cached.read("events/e3/index.html")
    assert "Event three, edited" in cached.read("actors/turkey/index.html")
    after = digests(cached.root / "output")
    assert {rel for rel in after if after[rel] != before.get(rel)} == {"events/e3/index.html", "actors/turkey/index.html"}
    assert {"events/e2/index.html", "index.html", "feed.xml", "data/events.json"} <= set(quick.deferred)
    assert "Event three, edited" not in cached.read("events/e2/index.html")
    rest = builder.run(changed=set())
    assert rest.rendered >= 3 and not rest.deferred
    assert digests(cached.root / "output") == fresh_build(cached, tmp_path, "quick")


def test_a_changed_library_version_invalidates_the_cache_and_the_compiled_templates(cached, monkeypatch, tmp_path):
    everything = build(BuildOptions(cached.root, output_dir=tmp_path / "uncached", use_cache=False)).rendered

    again = build(BuildOptions(cached.root))
    assert again.timings == {"nothing changed": 0.0}
    compiled = list((cached.root / CACHE_DIR).glob("templates-*"))
    assert len(compiled) == 1 and any(compiled[0].iterdir())
    import generator.engine.fingerprint as fingerprint_module

    versions = fingerprint_module.library_versions()
    assert any(f"markdown-{markdown.__version__}" in entry for entry in versions)
    assert any(f"nh3-{nh3.__version__}" in entry for entry in versions)
    upgraded = [entry.replace(f"markdown-{markdown.__version__}", "markdown-99.0") for entry in versions]
    monkeypatch.setattr(fingerprint_module, "library_versions", lambda: upgraded)
    after = build(BuildOptions(cached.root))
    assert after.rendered == everything
    assert after.written == 0  # (the same library in fact: the same bytes)
    assert [p.name for p in (cached.root / CACHE_DIR).glob("templates-*")] != [compiled[0].name]
    assert not compiled[0].exists()
    assert build(BuildOptions(cached.root)).timings == {"nothing changed": 0.0}


def test_the_fingerprint_covers_every_file_of_the_package(tmp_path):
    from generator.engine.fingerprint import fingerprint

    package = tmp_path / "generator"
    shutil.copytree(Path(fingerprint.__code__.co_filename).parent.parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert fingerprint("md") == fingerprint("md", package)
    (package / "render").mkdir(exist_ok=True)
    (package / "render" / "pages.py").write_text("X = 1\n")
    with_subpackage = fingerprint("md", package)
    assert with_subpackage != fingerprint("md")
    (package / "render" / "pages.py").write_text("X = 2\n")
    assert fingerprint("md", package) != with_subpackage
    (package / "render" / "__pycache__").mkdir(exist_ok=True)
    (package / "render" / "__pycache__" / "pages.cpython-311.pyc").write_bytes(b"compiled")
    assert fingerprint("md", package) == fingerprint("md", package)
    changed_data = fingerprint("md", package)
    data = next((package / "data").glob("*.json"))
    data.write_text(data.read_text() + " ")
    assert fingerprint("md", package) != changed_data
    assert fingerprint("md", package) != fingerprint("other markdown setup", package)


def test_a_translated_event_comes_back_from_the_cache_unread(site, monkeypatch):
    """The cache holds events with their translations (every type an event carries is allowed in it): after an
    edit elsewhere, neither the translated event's file nor its translation is read again."""
    from conftest import SITE_YAML

    site.write("site.yaml", SITE_YAML.replace("language: en-GB\n", "languages:\n  en: {name: English, locale: en-GB}\n"
                                                                   "  id: {name: Bahasa Indonesia, locale: id}\n"))
    site.event("talks", title="Talks", date="2020-01-03")
    site.write("content/events/talks.id.md", "---\ntitle: Perundingan\ntranslated_from: en\n---\nTeks.\n")
    site.event("other", title="Other", date="2020-02-03")
    age(site.root)
    build(BuildOptions(site.root))
    site.write("content/events/other.md", site.root.joinpath("content/events/other.md").read_text() + "\nMore.\n")
    read = watch_reads(monkeypatch)
    build(BuildOptions(site.root))
    monkeypatch.undo()
    assert any(name.endswith("other.md") for name in read)
    assert not [name for name in read if name.endswith(("talks.md", "talks.id.md"))]
    assert "Perundingan" in site.read("id/events/talks/index.html")


def test_every_class_an_event_holds_is_allowed_in_the_cache():
    """The cache's unpickler refuses what its allow-list does not name, and a refused row throws the whole
    cache away (silently: every build then parses everything): each class reachable from Event's fields must
    be on the list."""
    import dataclasses
    import typing

    from generator.engine.event_shards import _ALLOWED
    from generator.model.types import Event

    seen: set[type] = set()

    def walk(kind: object) -> None:
        for inner in typing.get_args(kind):
            walk(inner)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind not in seen:
            seen.add(kind)
            for name, hint in typing.get_type_hints(kind).items():
                walk(hint)

    walk(Event)
    held = {(kind.__module__, kind.__name__) for kind in seen - {Event}}
    assert held and held <= _ALLOWED, held - _ALLOWED
