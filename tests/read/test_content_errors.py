"""Every bad input of the content format gives one clear path:line: message, all at once."""

from __future__ import annotations

import pytest

from generator import BuildOptions, check
from generator import SiteError


def problems_of(site, strict=False) -> list[str]:
    with pytest.raises(SiteError) as error:
        check(BuildOptions(site.root, strict=strict))
    return [str(p) for p in error.value.problems]


GOOD_SOURCE = """\
sources:
  - url: https://example.org/a
    title: A report
    publisher: Example News
    date: 2020-01-02
    language: en
"""


def front(*lines: str, sources: str = GOOD_SOURCE) -> str:
    return "---\n" + "\n".join(lines) + "\n" + sources + "---\nSummary.\n"


def test_a_good_event_passes(site):
    site.event("fine")
    assert check(BuildOptions(site.root)).warnings == []


@pytest.mark.parametrize("text, expected", [
    ("title: x\n", "content/events/x.md:1: missing front matter: the file must start with a line '---'"),
    ("---\ntitle: x\ndate: 2020\n", "content/events/x.md:1: front matter is not closed: add a line '---' after it"),
    ("", "content/events/x.md:1: empty file: an event needs front matter between '---' lines and a summary"),
    ("---\ntitle: x\ndate: [2020\n---\n",
     "content/events/x.md:4: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'"),
    ("---\ntitle: x\n  date: 2020\n---\n",
     "content/events/x.md:3: invalid YAML: mapping values are not allowed in this context"),
    ("---\n- a\n- b\n---\n", "content/events/x.md:2: front matter must be a mapping of keys to values, found a list"),
    ("---\ntitle: !!python/object/apply:os.system [echo hi]\n---\n",
     "content/events/x.md:2: invalid YAML: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'"),
])
def test_broken_files(site, text, expected):
    site.write("content/events/x.md", text)
    assert problems_of(site) == [expected]


def test_file_that_is_not_utf8(site):
    (site.root / "content/events").mkdir(parents=True)
    (site.root / "content/events/x.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    assert problems_of(site) == ["content/events/x.md:2: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]


def test_missing_required_fields_are_all_reported(site):
    site.write("content/events/x.md", "---\nlocation: Tripoli\n---\nText.\n")
    assert problems_of(site) == [
        "content/events/x.md:2: missing required field 'actors'",
        "content/events/x.md:2: missing required field 'date'",
        "content/events/x.md:2: missing required field 'kind'",
        "content/events/x.md:2: missing required field 'sources'",
        "content/events/x.md:2: missing required field 'title'",
    ]


@pytest.mark.parametrize("date, message", [
    ("2020-13", "'date': invalid date '2020-13': month must be from 1 to 12"),
    ("2021-02-30", "'date': invalid date '2021-02-30': February 2021 has 28 days"),
    ("yesterday", "'date': invalid date 'yesterday': expected YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_impossible_dates(site, date, message):
    site.write("content/events/x.md", front("title: X", "actors: [turkey]", "kind: military", f"date: {date}"))
    assert problems_of(site) == [f"content/events/x.md:5: {message}"]


def test_end_before_date(site):
    site.write("content/events/x.md", front("title: X", "actors: [turkey]", "kind: military", "date: 2020-03",
                                            "end: 2020-02-27"))
    assert problems_of(site) == ["content/events/x.md:6: 'end' (2020-02-27) is before the start date (2020-03)"]


def test_unknown_ids_with_suggestions(site):
    site.write("content/events/x.md", front("title: X", "date: 2020-03", "actors:", "  - turkey", "  - russsia",
                                            "kind: militry", "supports: gnaa"))
    assert problems_of(site) == [
        "content/events/x.md:6: unknown actor 'russsia' (did you mean 'russia'?)",
        "content/events/x.md:7: unknown kind 'militry' (did you mean 'military'?)",
        "content/events/x.md:8: unknown side 'gnaa' (did you mean 'gna'?)",
    ]


def test_source_url_must_be_http(site):
    sources = GOOD_SOURCE.replace("https://example.org/a", "javascript:alert(1)")
    site.write("content/events/x.md", front("title: X", "date: 2020-03", "actors: [turkey]", "kind: military",
                                            sources=sources))
    assert problems_of(site) == [
        "content/events/x.md:7: 'url' must be an http:// or https:// address, found 'javascript:alert(1)'"]


def test_duplicate_slugs(site):
    site.event("same", folder="a")
    site.event("same", folder="b")
    assert problems_of(site) == [
        "content/events/b/same.md:1: duplicate slug 'same' (also used by content/events/a/same.md)"]


def test_slug_that_would_escape_output(site):
    site.write("content/events/x.md", front("title: X", "date: 2020-03", "actors: [turkey]", "kind: military",
                                            "slug: ../x"))
    assert problems_of(site) == [
        "content/events/x.md:6: invalid slug '../x': use lower-case letters, digits and hyphens (e.g. 'x')"]


def test_bom_and_crlf_are_accepted(site):
    text = front("title: X", "date: 2020-03", "actors: [turkey]", "kind: military").replace("\n", "\r\n")
    (site.root / "content/events").mkdir(parents=True)
    (site.root / "content/events/x.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = check(BuildOptions(site.root))
    assert result.warnings == []


def test_errors_in_several_files_are_reported_together(site):
    site.event("one", actors="russsia")
    site.event("two", date="2020-13")
    site.write("content/events/three.md", "no front matter\n")
    assert problems_of(site) == [
        "content/events/one.md:4: unknown actor 'russsia' (did you mean 'russia'?)",
        "content/events/three.md:1: missing front matter: the file must start with a line '---'",
        "content/events/two.md:3: 'date': invalid date '2020-13': month must be from 1 to 12",
    ]


def test_warnings_become_errors_under_strict(site):
    sources = GOOD_SOURCE.replace("    date: 2020-01-02\n", "")
    site.write("content/events/x.md", front("title: X", "date: 2013", "actors: [russia]", "kind: military",
                                            "atcors: [un]", sources=sources))
    expected = [
        "content/events/x.md:3: warning: the event (2013) lies outside the involvement periods of 'russia' "
        "in site.yaml (first from 2015)",
        "content/events/x.md:6: warning: unknown field 'atcors' (did you mean 'actors'?)",
        "content/events/x.md:8: warning: source 1 has no date (write date: n.d. if the source shows none)",
    ]
    assert [str(w) for w in check(BuildOptions(site.root)).warnings] == expected
    assert problems_of(site, strict=True) == expected


def test_undated_source_marked_nd_is_not_a_warning(site):
    sources = GOOD_SOURCE.replace("date: 2020-01-02", "date: n.d.")
    site.write("content/events/x.md", front("title: X", "date: 2020-03", "actors: [turkey]", "kind: military",
                                            sources=sources))
    assert check(BuildOptions(site.root, strict=True)).warnings == []


def test_site_yaml_errors_name_the_line(site):
    config = (site.root / "site.yaml").read_text()
    config = config.replace("supports: lna", "supports: lnaa").replace('colour: "#1f4e9c"', "colour: blue")
    (site.root / "site.yaml").write_text(config)
    assert problems_of(site) == [
        "site.yaml:26: unknown side 'lnaa' (did you mean 'lna'?)",
        "site.yaml:31: 'colour' must be a hex colour like #9b1c1c, found 'blue'",
    ]


def test_invalid_site_yaml(site):
    (site.root / "site.yaml").write_text("title: [x\n")
    assert problems_of(site) == [
        "site.yaml:2: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'"]


def test_a_file_read_while_it_grows_is_read_whole(tmp_path, monkeypatch):
    import os

    import generator.read.content as content

    path = tmp_path / "x.md"
    path.write_bytes(b"0123456789" * 10_000)
    real_fstat = os.fstat

    class Shorter:  # the size the file had a moment before
        def __init__(self, info):
            self.info = info

        def __getattr__(self, name):
            return 3 if name == "st_size" else getattr(self.info, name)

    monkeypatch.setattr(content.os, "fstat", lambda fd: Shorter(real_fstat(fd)))
    data, _ = content.read_with_stat(path)
    assert data == path.read_bytes()
