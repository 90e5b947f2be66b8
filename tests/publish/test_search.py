"""The search index: what Pagefind is given and writes, when it runs again, how it fails, how it is turned off.

Also the tripwire of generator/publish/search_bundle.py (which reads Pagefind's file formats): two indexings
of the same pages give the same bytes, and the rewritten files still read back as Pagefind's format.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pytest

from generator import BuildOptions, SiteError, build
from generator.publish.search import BINARY_VARIABLE, pagefind_version
from generator.publish.search_bundle import SIGNATURE, _read


def fragments(output: Path) -> dict[str, dict]:
    """Pagefind's record of each indexed page (its URL, text, filters and metadata), by URL."""
    found = {}
    for file in (output / "pagefind/fragment").iterdir():
        raw = gzip.decompress(file.read_bytes())
        assert raw.startswith(SIGNATURE)
        record = json.loads(raw[len(SIGNATURE):])
        found[record["url"]] = record
    return found


def bundle(output: Path) -> dict[str, tuple[int, int]]:
    """The search bundle's files, each with its inode and modification time."""
    return {p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted((output / "pagefind").rglob("*")) if p.is_file()}


@pytest.fixture
def searchable(site):
    site.event("wagner-arrives", title="Wagner fighters arrive", actors="russia", kind="military",
               body="Contractors of the Wagner group reached the Tripoli front.")
    site.event("turkish-drones", title="Turkish drones", date="2020-02-03",
               body="Bayraktar drones were delivered.")
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this timeline.\n")
    return site


def test_the_index_covers_event_pages_content_pages_and_actor_profiles_only(searchable):
    result = build(BuildOptions(searchable.root))
    assert result.search == "indexed"
    output = searchable.root / "output"
    records = fragments(output)
    assert set(records) == {"/events/wagner-arrives/", "/events/turkish-drones/", "/about/",
                            "/actors/russia/", "/actors/turkey/", "/actors/un/"}
    wagner = records["/events/wagner-arrives/"]
    assert wagner["filters"] == {"actor": ["Russia"], "role": ["Acted"], "status": ["Confirmed"],
                                 "kind": ["Military action"], "year": ["2020"]}
    assert wagner["meta"]["title"] == "Wagner fighters arrive"
    assert wagner["meta"]["date"] == "2 January 2020"
    assert json.loads(wagner["meta"]["roles"]) == [["Acted", [["Russia", ""]]]]
    # the words of the event and its sources (publisher, title) are indexed; the navigation and footer are not
    assert "Tripoli front" in wagner["content"] and "Example News" in wagner["content"]
    assert "A report" in wagner["content"]
    assert "https://example.org/wagner-arrives" not in wagner["content"]  # (its address, shown only in print)
    assert "Skip to content" not in wagner["content"] and "Built with" not in wagner["content"]
    assert "Previous" not in wagner["content"]
    # Pagefind's ready-made interfaces are not shipped
    assert not list((output / "pagefind").glob("pagefind-ui*"))


def test_only_the_search_page_loads_pagefind_and_every_page_links_to_it(searchable):
    build(BuildOptions(searchable.root))
    output = searchable.root / "output"
    search = searchable.read("search/index.html")
    assert 'src="/static/search.js"' in search and 'data-bundle="/pagefind/"' in search
    for page in output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'href="/search/"' in text, page
        if page.parent.name != "search":
            assert "pagefind/" not in text and "search.js" not in text, page


def test_the_search_page_says_without_javascript_where_to_browse(searchable):
    build(BuildOptions(searchable.root))
    search = searchable.read("search/index.html")
    nojs = search[search.index('id="search-nojs"'):search.index('<form')]
    assert "Search needs JavaScript" in nojs
    assert 'href="/actors/russia/"' in nojs and 'href="/kinds/military/"' in nojs and 'href="/years/2020/"' in nojs


def test_the_index_is_skipped_when_no_indexed_page_changed_and_rebuilt_when_an_event_changes(searchable):
    options = BuildOptions(searchable.root)
    build(options)
    output = searchable.root / "output"
    first = bundle(output)
    # an event file saved again unchanged: a full build runs (the inputs' times changed), the pages are the same
    event = searchable.root / "content/events/turkish-drones.md"
    os.utime(event, ns=(event.stat().st_atime_ns, event.stat().st_mtime_ns + 10_000_000_000))
    again = build(options)
    assert again.search == "unchanged" and "search index" not in again.timings
    assert bundle(output) == first  # not one file of the index written again
    # an event's words changed: its page (and its neighbours') changed, so the index is made again
    searchable.event("turkish-drones", title="Turkish drones", date="2020-02-03", body="Pantsir systems destroyed.")
    changed = build(options)
    assert changed.search == "indexed"
    assert "Pantsir" in fragments(output)["/events/turkish-drones/"]["content"]
    assert bundle(output) != first


def test_two_indexings_of_the_same_pages_are_byte_identical(searchable, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    build(BuildOptions(searchable.root, output_dir=one, use_cache=False))
    build(BuildOptions(searchable.root, output_dir=two, use_cache=False))
    files = {p.relative_to(one).as_posix() for p in (one / "pagefind").rglob("*") if p.is_file()}
    assert files == {p.relative_to(two).as_posix() for p in (two / "pagefind").rglob("*") if p.is_file()}
    assert all((one / rel).read_bytes() == (two / rel).read_bytes() for rel in files)
    # the rewritten files are still Pagefind's format, of the pinned version, with the filters in order
    entry = json.loads((one / "pagefind/pagefind-entry.json").read_bytes())
    assert entry["version"] == pagefind_version()
    (language,) = entry["languages"].values()
    meta = _read((one / f"pagefind/pagefind.{language['hash']}.pf_meta").read_bytes())
    assert meta[0] == pagefind_version()
    names = [name for name, _ in meta[3]]
    assert names == sorted(names) and set(names) == {"actor", "kind", "role", "status", "year"}
    for name, file_hash in meta[3]:
        content = _read((one / f"pagefind/filter/{file_hash}.pf_filter").read_bytes())
        assert content[0] == name
        values = [value for value, _ in content[1]]
        assert values == sorted(values)


def test_pagefind_starts_a_new_index_chunk_once_one_holds_the_chosen_number_of_locations(searchable, monkeypatch):
    """The tripwire of publish/_pagefind_tuning.py, which Pagefind 1.5 reads from an environment variable it calls
    unstable: a search loads the whole chunk holding each of its words, so a rare word must not share its
    chunk with more than the chosen number of locations (only the word that filled the chunk goes past it)."""
    from generator.publish import _pagefind_tuning

    monkeypatch.setattr(_pagefind_tuning, "INDEX_CHUNK_SIZE", 20)  # (2,000 is more than this small site's every word)
    build(BuildOptions(searchable.root, use_cache=False))
    bundle = searchable.root / "output/pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
    (language,) = entry["languages"].values()
    chunks = _read((bundle / f"pagefind.{language['hash']}.pf_meta").read_bytes())[2]
    assert len(chunks) >= 5
    for _, _, chunk_hash in chunks:
        words = _read((bundle / f"index/{chunk_hash}.pf_index").read_bytes())[0]
        # each word's size as Pagefind counts it: one per page it is on, plus its locations there
        sizes = [sum(1 + len(page[1]) + len(page[2]) for page in word[1]) for word in words]
        assert sum(sizes[:-1]) < 20, [word[0] for word in words]


def test_a_pagefind_failure_is_one_line_and_leaves_the_output_untouched(searchable, tmp_path, monkeypatch):
    build(BuildOptions(searchable.root))
    output = searchable.root / "output"
    before = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: the disk is on fire' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(BINARY_VARIABLE, str(failing))
    searchable.event("turkish-drones", title="Turkish drones, edited", date="2020-02-03")
    with pytest.raises(SiteError) as raised:
        build(BuildOptions(searchable.root))
    assert [str(p) for p in raised.value.problems] == [
        "pagefind/: search index: Pagefind failed (exit status 3): the disk is on fire"]
    after = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before
    assert not list(output.parent.glob(".output.search-*")) and not list(output.parent.glob(".output.new-*"))


def test_a_missing_pagefind_is_a_clear_error_from_the_command_line(searchable, tmp_path):
    env_missing = str(tmp_path / "no-such-pagefind")
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(searchable.root)],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, BINARY_VARIABLE: env_missing})
    assert result.returncode == 1
    assert f"pagefind/: search index: cannot run Pagefind ({env_missing}): No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (searchable.root / "output").exists()


def test_search_false_turns_off_the_page_the_link_and_the_index(searchable):
    build(BuildOptions(searchable.root))
    output = searchable.root / "output"
    assert (output / "pagefind").is_dir()
    yaml = searchable.root / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    result = build(BuildOptions(searchable.root))
    assert result.search == "off"
    assert not (output / "pagefind").exists() and not (output / "search").exists()
    event = searchable.read("events/wagner-arrives/index.html")
    assert "/search/" not in event and "data-pagefind-filter" not in event


def test_search_must_be_true_or_false(searchable):
    yaml = searchable.root / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "search: sometimes\n", encoding="utf-8")
    with pytest.raises(SiteError) as raised:
        build(BuildOptions(searchable.root))
    assert any("'search' must be true or false" in str(p) and str(p).startswith("site.yaml:")
               for p in raised.value.problems)


def test_a_site_in_several_languages_gets_one_index_per_language_listed_in_a_stable_order(searchable, tmp_path):
    from conftest import SITE_YAML

    searchable.write("site.yaml", SITE_YAML.replace("language: en-GB\n", "languages:\n  en: {name: English, locale: en-GB}\n"
                                                    "  id: {name: Bahasa Indonesia, locale: id}\n"
                                                    "  ar: {name: العربية, locale: ar, direction: rtl}\n"))
    searchable.write("content/events/turkish-drones.ar.md", "---\ntitle: مسيّرات تركية\ntranslated_from: en\n---\nنص.\n")
    one, two = tmp_path / "one", tmp_path / "two"
    build(BuildOptions(searchable.root, output_dir=one, use_cache=False))
    build(BuildOptions(searchable.root, output_dir=two, use_cache=False))
    entry = (one / "pagefind/pagefind-entry.json").read_bytes()
    assert entry == (two / "pagefind/pagefind-entry.json").read_bytes()
    assert list(json.loads(entry)["languages"]) == ["ar", "en-gb", "id"]
    assert "مسيّرات تركية" in fragments(one)["/ar/events/turkish-drones/"]["meta"]["title"]
