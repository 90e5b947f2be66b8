"""Verifying a built site: internal links, assets, anchors, titles and headings, feeds, sitemap and data."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import BuildOptions, build
from generator.verify.links import check_output, published_base_url, srcset_urls

BASE = "https://example.org/some/path/"


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def page(title: str = "A page", body: str = "", head: str = "") -> str:
    return f"<!doctype html><html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>{body}</body></html>"


def output(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "output"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


# -- the bundled templates -------------------------------------------------------------------------
@pytest.fixture
def full_site(site):
    site.event("troops", title="Turkish troops", date="2020-01-05",
               body="Troops arrived.[^1]\n\nSee the [talks](../talks/).\n\n[^1]: A footnote.")
    site.event("talks", title="Russian talks", date="2015", actors="russia", kind="diplomacy")
    site.event("vote", title="UN vote", date="2020-01", actors="un, russia", kind="diplomacy")
    path = site.event("tagged", date="2019-05")
    path.write_text(path.read_text().replace("kind: military", "kind: military\ntags: [drones, Tripoli airport]"))
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this site. [Home](../)\n")
    site.write("content/actors/russia.md", "---\ntitle: Russia\n---\nRussia's profile. [Sources](#events)\n")
    return site


def test_a_build_under_a_sub_path_has_no_broken_links(full_site):
    build(BuildOptions(full_site.root, base_url=BASE))
    out = full_site.root / "output"
    report = check_output(out, BASE)
    assert messages(report) == []
    assert report.pages == len(list(out.rglob("*.html"))) > 15
    assert report.links > 10 * report.pages
    assert published_base_url(out) == BASE


def test_check_after_build_verifies_the_built_site_with_the_base_url_it_was_built_with(full_site):
    assert full_site.run("build", "--base-url", BASE).returncode == 0
    result = full_site.run("check")  # site.yaml says https://example.org/: the build's own base_url counts
    assert result.returncode == 0, result.stderr
    assert "Verified the built site in" in result.stdout and "no broken links" in result.stdout


def test_a_broken_link_planted_in_a_template_is_caught(full_site):
    base = full_site.root / "templates/base.html"
    base.write_text(base.read_text().replace(
        "<footer class=\"site-footer\">", "<footer class=\"site-footer\"><a href=\"{{ url('no-such-page/') }}\">x</a>"
        "<img src=\"{{ url('static/missing.png') }}\" alt=\"\">"))
    assert full_site.run("build", "--base-url", BASE).returncode == 0
    result = full_site.run("check", "--output", str(full_site.root / "output"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    pages = len(list((full_site.root / "output").rglob("*.html")))
    broken = [line for line in lines if "/some/path/no-such-page/: no such file in the output" in line]
    assert len(broken) == pages
    assert "index.html: /some/path/no-such-page/: no such file in the output (no-such-page/index.html)" in lines
    assert "events/troops/index.html: /some/path/static/missing.png: no such file in the output " \
           "(static/missing.png)" in lines
    assert lines[-1] == f"Check of the built site in {full_site.root / 'output'} failed: {2 * pages} errors, " \
                        "0 warnings."
    assert "Traceback" not in result.stderr


def test_a_broken_anchor_planted_in_a_template_is_caught(full_site):
    base = full_site.root / "templates/base.html"
    base.write_text(base.read_text().replace(
        "<footer class=\"site-footer\">", "<footer class=\"site-footer\"><a href=\"#no-such-anchor\">x</a>"
        "<a href=\"#main\">ok</a><a href=\"{{ url('actors/russia/') }}#involvement\">ok</a>"
        "<a href=\"{{ url('years/') }}#missing\">x</a>"))
    build(BuildOptions(full_site.root, base_url=BASE))
    found = messages(check_output(full_site.root / "output", BASE))
    assert "index.html: #no-such-anchor: no element with id 'no-such-anchor' on this page" in found
    assert "about/index.html: /some/path/years/#missing: no element with id 'missing' on years/index.html" in found
    assert not [line for line in found if "#main" in line or "#involvement" in line]
    pages = len(list((full_site.root / "output").rglob("*.html")))
    assert len(found) == 2 * pages


def test_check_output_of_a_missing_folder_fails(site, tmp_path):
    site.event("a")
    result = site.cli("check", "--output", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert f"{tmp_path / 'nowhere'}: no built site here: run build first" in result.stderr


# -- the rules, on hand-made output ----------------------------------------------------------------
def test_internal_links_must_resolve_under_the_base_path(tmp_path):
    root = output(tmp_path, {
        "index.html": page(body=(
            '<a href="/some/path/events/a/">ok</a><a href="events/a/">ok</a><a href="events/a">ok, redirects</a>'
            '<a href="/some/path/events/b/">broken</a><a href="/events/a/">outside</a><a href="../x/">outside</a>'
            '<a href="https://example.org/some/path/events/a/?q=1">ok</a><a href="https://example.org/some/path/c/">'
            'broken</a><a href="https://example.org/other/">another site</a><a href="https://elsewhere.org/x">ext</a>'
            '<a href="mailto:a@example.org">mail</a><a href="//elsewhere.org/y">ext</a><a href="">self</a>'
            '<a href="/some/path/caf%C3%A9.html">encoded</a><a href="/some/path">the root</a>')),
        "events/a/index.html": page(body='<a href="../../">up</a><a href="../b/">broken</a><a href=".">self</a>'),
        "café.html": page(),
    })
    assert messages(check_output(root, BASE)) == [
        "events/a/index.html: ../b/: no such file in the output (events/b/index.html)",
        "index.html: ../x/: outside the site's base path /some/path/ (base_url)",
        "index.html: /events/a/: outside the site's base path /some/path/ (base_url)",
        "index.html: /some/path/events/b/: no such file in the output (events/b/index.html)",
        "index.html: https://example.org/some/path/c/: no such file in the output (c/index.html)",
    ]


def test_assets_in_src_srcset_css_and_metadata_must_exist(tmp_path):
    root = output(tmp_path, {
        "index.html": page(head=(
            '<link rel="stylesheet" href="/static/style.css"><link rel="icon" href="/static/gone.svg">'
            '<meta property="og:image" content="https://example.org/static/og-missing.png">'
            '<style>body { background: url("/static/bg.png") }</style>'), body=(
            '<img src="static/a.png" srcset="static/a.png 1x, static/b-missing.png 2x" alt="">'
            '<picture><source srcset="static/c,missing.png 100w"></picture>'
            '<div style="background-image: url(\'static/d-missing.png\')"></div>'
            '<video poster="static/e-missing.png"></video><img src="data:image/png;base64,AAAA" alt="">')),
        "static/style.css": "@import 'fonts.css'; h1 { background: url(a.png) } p { background: url(../gone.png) }",
        "static/a.png": "png",
        "static/bg.png": "png",
        "static/fonts.css": "",
    })
    assert messages(check_output(root, "https://example.org/")) == [
        "index.html: /static/gone.svg: no such file in the output (static/gone.svg)",
        "index.html: https://example.org/static/og-missing.png: no such file in the output (static/og-missing.png)",
        "index.html: static/b-missing.png: no such file in the output (static/b-missing.png)",
        "index.html: static/c,missing.png: no such file in the output (static/c,missing.png)",
        "index.html: static/d-missing.png: no such file in the output (static/d-missing.png)",
        "index.html: static/e-missing.png: no such file in the output (static/e-missing.png)",
        "static/style.css: ../gone.png: no such file in the output (gone.png)",
    ]


def test_fragments_must_name_an_element_of_their_page_wherever_it_comes_in_the_walk(tmp_path):
    root = output(tmp_path, {
        "a/index.html": page(body='<p id="here"></p><a href="#here">ok</a><a href="#gone">x</a><a href="#top">ok</a>'
                                  '<a href="../z/#there">ok</a><a href="../z/#lost">x</a><a href="../z/#caf%C3%A9">ok</a>'
                                  '<a href="../z/#named">ok</a>'),
        "z/index.html": page(body='<section id="there"></section><h2 id="café">x</h2><a name="named"></a>'
                                  '<a href="../a/#here">ok</a><a href="../a/#nope">x</a>'),
    })
    assert messages(check_output(root, "/")) == [
        "a/index.html: #gone: no element with id 'gone' on this page",
        "a/index.html: ../z/#lost: no element with id 'lost' on z/index.html",
        "z/index.html: ../a/#nope: no element with id 'nope' on a/index.html",
    ]


def test_every_page_needs_a_title_and_exactly_one_h1(tmp_path):
    root = output(tmp_path, {
        "ok.html": page(),
        "none.html": "<html><head></head><body><h1>x</h1></body></html>",
        "empty.html": "<html><head><title> </title></head><body><h1>x</h1></body></html>",
        "two.html": page(body="<h1>again</h1>"),
        "zero.html": "<html><head><title>x</title></head><body><h2>x</h2></body></html>",
    })
    assert messages(check_output(root, "/")) == [
        "empty.html: <title>: empty",
        "none.html: <title>: missing",
        "two.html: <h1>: found 2, expected exactly one",
        "zero.html: <h1>: found 0, expected exactly one",
    ]


def test_feeds_sitemaps_and_json_must_parse_and_their_links_resolve(tmp_path):
    atom = "http://www.w3.org/2005/Atom"
    root = output(tmp_path, {
        "index.html": page(),
        "feed.xml": f'<feed xmlns="{atom}"><id>x</id><title>t</title><updated>2020-01-01T00:00:00Z</updated>'
                    f'<link rel="self" href="https://example.org/feed.xml"/><entry><title>e</title>'
                    f'<updated>2020-01-01T00:00:00Z</updated><link href="https://example.org/events/gone/"/></entry></feed>',
        "sitemap.xml": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.org/'
                       '</loc></url><url><loc>https://example.org/missing/</loc></url></urlset>',
        "broken.xml": "<a><b></a>",
        "data/good.json": '{"a": [1, 2, {"b": null}]}',
        "data/bad.json": '{"a": [1, 2,]}',
    })
    assert messages(check_output(root, "https://example.org/")) == [
        "broken.xml: XML: does not parse: mismatched tag: line 1, column 8",
        "data/bad.json: JSON: does not parse: Expecting value: line 1 column 13 (char 12)",
        "feed.xml: <entry>: has no <id>",
        "feed.xml: https://example.org/events/gone/: no such file in the output (events/gone/index.html)",
        "sitemap.xml: https://example.org/missing/: no such file in the output (missing/index.html)",
    ]
    assert published_base_url(root) == "https://example.org/"


def test_srcset_is_split_as_browsers_split_it():
    assert srcset_urls("a.png 1x, b.png 2x") == ["a.png", "b.png"]
    assert srcset_urls("a.png") == ["a.png"]
    assert srcset_urls("x.png,y.png 2x") == ["x.png,y.png"]
    assert srcset_urls("data:image/png;base64,AA,BB 1x, c.png 480w") == ["data:image/png;base64,AA,BB", "c.png"]
    assert srcset_urls(" a.png, b.png, ") == ["a.png", "b.png"]
