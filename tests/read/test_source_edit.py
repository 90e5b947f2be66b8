"""Adding keys to sources in place: only the new lines, in the file's own indentation, quoting and line endings;
the new source fields `archived` and `dead` validated like the others."""

from __future__ import annotations

import pytest
import yaml

from generator.read.source_edit import EditError, SourceDoc

ADD = [("archive_url", "https://web.archive.org/web/20200103/https://a.example/x"), ("archived", "2020-01-03")]


def test_block_sources_keep_comments_blank_lines_and_indentation():
    text = ("---\n# leading comment\ntitle: 'X'\nsources:\n\n    -   url: https://a.example/x   # trailing\n"
            "        title: T\n        date: 2020-01-02\n\n        # comment inside\n        language: en\n"
            "    - url: https://b.example/y\n      language: en\n---\nBody: not: yaml\n")
    doc = SourceDoc(text.encode(), front_matter=True)
    assert [(spot.number, spot.line, spot.url) for spot in doc.spots] == [
        (1, 6, "https://a.example/x"), (2, 12, "https://b.example/y")]
    out = doc.with_keys({0: ADD, 1: [("dead", "2026-12-06")]}).decode()
    assert out == text.replace(
        "        language: en\n", "        language: en\n        archive_url: "
        "https://web.archive.org/web/20200103/https://a.example/x\n        archived: 2020-01-03\n").replace(
        "      language: en\n---", "      language: en\n      dead: 2026-12-06\n---")


def test_crlf_bom_and_a_last_line_without_ending_are_kept():
    raw = ("\ufeffactors:\r\n  ru:\r\n    involvement:\r\n      - start: 2015\r\n        sources:\r\n"
           "          - url: 'https://a.example/x'\r\n            date: '2015-03'").encode()
    doc = SourceDoc(raw, front_matter=False)
    out = doc.with_keys({0: ADD})
    assert out == raw + (b"\r\n            archive_url: 'https://web.archive.org/web/20200103/https://a.example/x'"
                         b"\r\n            archived: '2020-01-03'")


def test_flow_sources_get_the_keys_inside_their_braces():
    text = ('---\nsources: [{url: "https://a.example/x", title: T},\n  {url: https://b.example/y,\n'
            '   title: U }  # c\n]\n---\n')
    doc = SourceDoc(text.encode(), front_matter=True)
    out = doc.with_keys({0: ADD, 1: [("dead", "2026-12")]}).decode()
    assert out == ('---\nsources: [{url: "https://a.example/x", title: T, archive_url: '
                   '"https://web.archive.org/web/20200103/https://a.example/x", archived: 2020-01-03},\n'
                   '  {url: https://b.example/y,\n   title: U, dead: 2026-12 }  # c\n]\n---\n')
    assert yaml.safe_load(out.split("---\n")[1])["sources"][1] == {"url": "https://b.example/y", "title": "U",
                                                                   "dead": "2026-12"}


def test_values_that_are_not_plain_safe_are_quoted():
    doc = SourceDoc(b"---\nsources:\n  - url: https://a.example/x\n---\n", front_matter=True)
    out = doc.with_keys({0: [("archive_url", "https://web.archive.org/web/2020/https://a.example/x?a=b #c")]})
    assert b'  archive_url: "https://web.archive.org/web/2020/https://a.example/x?a=b #c"\n' in out


def test_a_source_that_already_has_the_key_is_refused():
    doc = SourceDoc(b"---\nsources:\n  - url: https://a.example/x\n    archived: 2020\n---\n", front_matter=True)
    with pytest.raises(EditError) as error:
        doc.with_keys({0: [("archived", "2021")]})
    assert error.value.line == 3


def test_a_file_that_is_not_yaml_is_reported_at_its_line():
    with pytest.raises(EditError) as error:
        SourceDoc(b"---\ntitle: [unclosed\nsources: []\n---\n", front_matter=True)
    assert error.value.line >= 2 and "invalid YAML" in error.value.message


def test_archived_and_dead_are_validated_as_partial_dates(site):
    path = site.event("a")
    text = path.read_text()
    path.write_text(text.replace("    language: en\n", "    language: en\n    archived: 2020-02-30\n    dead: soon\n"))
    result = site.run("check")
    assert result.returncode == 1
    assert "content/events/a.md:12: 'archived': invalid date '2020-02-30': February 2020 has 29 days" in result.stderr
    assert "content/events/a.md:13: 'dead': invalid date 'soon'" in result.stderr
    assert "warning: 'archived' dates an archived copy: add its 'archive_url'" in result.stderr


def test_the_event_page_shows_the_archived_copy_and_its_date(site):
    path = site.event("a")
    path.write_text(path.read_text().replace(
        "    language: en\n", "    language: en\n    archive_url: https://web.archive.org/web/2020/x\n"
                             "    archived: 2020-01-03\n"))
    assert site.run("build").returncode == 0
    html = site.read("events/a/index.html")
    item = html[html.index('id="source-1"'):]
    assert item.index('href="https://example.org/a"') < item.index('href="https://web.archive.org/web/2020/x"')
    assert '<time datetime="2020-01-03">3 January 2020</time>' in item
    assert "no longer online" not in item
