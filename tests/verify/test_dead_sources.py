"""`check --sources` against a real local HTTP server: dead, slow and redirected pages reported at their file and
line, at most two requests at a time to a host, answers cached for a day, and `--mark-dead`."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT
from fake_archive_server import fake_archive  # noqa: F401 (a fixture)

from generator.engine.source_store import SourceStore
from generator.verify.dead_sources import SourceCheckOptions, check_sources


def sources_event(site, slug: str, urls: list[str], archived: frozenset[str] | set[str] = frozenset()) -> None:
    items = "".join(f"  - url: {url}\n    title: Report {n}\n    publisher: Example\n    date: 2020-01-02\n"
                    f"    language: en\n" + (f"    archive_url: https://web.archive.org/web/2020/{url}\n"
                                            if url in archived else "")
                    for n, url in enumerate(urls))
    site.write(f"content/events/{slug}.md", f"---\ntitle: T\ndate: 2020-01-05\nactors: [turkey]\nkind: military\n"
                                             f"sources:\n{items}---\nText.\n")


def check(site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "check", "--sources", *args, "--site", str(site.root)],
                          capture_output=True, text=True, cwd=ROOT)


def test_dead_slow_and_redirected_sources_are_reported_at_their_line(site, fake_archive):
    page = fake_archive.page
    sources_event(site, "a", [page("live/1"), page("dead/2"), page("slow/3"), page("moved/4"), page("gone/5")],
                  archived={page("gone/5")})
    result = check(site, "--timeout", "0.5")
    assert result.returncode == 0, result.stderr  # warnings only, without --strict
    lines = [line for line in result.stderr.splitlines() if "source" in line]
    assert lines == [
        f"content/events/a.md:12: warning: source 2: {page('dead/2')}: 404 Not Found (and no archive_url: run archive)",
        f"content/events/a.md:17: warning: source 3: {page('slow/3')}: timed out after 0.5 s (and no archive_url: "
        f"run archive)",
        f"content/events/a.md:22: warning: source 4: {page('moved/4')}: redirected to the home page "
        f"{fake_archive.base}/ (and no archive_url: run archive)",
        f"content/events/a.md:27: warning: source 5: {page('gone/5')}: 410 Gone (an archived copy is linked)"]
    assert "Checked 5 sources (5 addresses, 0 from the cache): 4 dead; 0 errors." in result.stdout
    assert all(r.headers["user-agent"].startswith("timeline-generator/") for r in fake_archive.log)
    assert fake_archive.requests("/")  # the redirect was followed
    strict = check(site, "--timeout", "0.5", "--strict")
    assert strict.returncode == 1
    errors = [line for line in strict.stderr.splitlines() if ": source " in line and "warning" not in line]
    assert len(errors) == 3  # the archived one stays a warning
    assert "from the cache" in strict.stdout and "(5 addresses, 5 from the cache)" in strict.stdout


def test_answers_are_cached_for_a_day_and_refresh_asks_again(site, fake_archive):
    sources_event(site, "a", [fake_archive.page("live/1"), fake_archive.page("dead/2")])
    assert check(site).returncode == 0
    asked = len(fake_archive.log)
    assert asked == 2
    assert check(site).returncode == 0
    assert len(fake_archive.log) == asked  # both from the cache
    assert check(site, "--refresh").returncode == 0
    assert len(fake_archive.log) == 2 * asked
    store = SourceStore(site.root)
    try:  # an answer older than a day is asked again
        store.db.execute("UPDATE checks SET at = at - 86401 WHERE url = ?", (fake_archive.page("dead/2"),))
    finally:
        store.close()
    assert check(site).returncode == 0
    assert [r.path for r in fake_archive.log[2 * asked:]] == ["/dead/2"]


def test_at_most_two_requests_at_a_time_go_to_one_host(site, fake_archive):
    urls = [fake_archive.page(f"hold/{n}") for n in range(6)]
    fake_archive.hold_total = len(urls)
    sources_event(site, "a", urls)
    report = check_sources(SourceCheckOptions(site.root, jobs=6, timeout=15), SourceStore(None))
    assert report.dead == 0 and report.fetched == 6
    assert fake_archive.max_held == 2  # two at once (each waits for a partner), never three


def test_paths_limit_the_check_to_those_files(site, fake_archive):
    sources_event(site, "a", [fake_archive.page("dead/a")])
    sources_event(site, "b", [fake_archive.page("dead/b")])
    result = check(site, str(site.root / "content/events/b.md"))
    assert [r.path for r in fake_archive.log] == ["/dead/b"]
    assert re.search(r"^content/events/b.md:\d+: warning: source 1: .*/dead/b: 404 Not Found", result.stderr, re.M)
    wrong = check(site, str(ROOT / "README.md"))
    assert wrong.returncode == 1 and "cites no sources of the site" in wrong.stderr


def test_mark_dead_records_gone_sources_and_the_page_links_the_archive_first(site, fake_archive):
    dead, live = fake_archive.page("dead/1"), fake_archive.page("live/2")
    sources_event(site, "a", [dead, live], archived={dead})
    path = site.root / "content/events/a.md"
    before = path.read_text()
    result = check(site, "--mark-dead")
    assert result.returncode == 0, result.stderr
    assert "marked dead in content/events/a.md" in result.stdout
    after = path.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(added) == 1 and re.fullmatch(r"    dead: \d{4}-\d\d-\d\d", added[0])
    assert after.index(added[0]) < after.index(live)  # under the dead source
    built = site.run("build")
    assert built.returncode == 0, built.stderr
    html = site.read("events/a/index.html")
    item = html[html.index('id="source-1"'):html.index('id="source-2"')]
    assert item.index(f"https://web.archive.org/web/2020/{dead}") < item.index(f'href="{dead}"')
    assert "no longer online" in item
    second = html[html.index('id="source-2"'):]
    assert "no longer online" not in second.split("</li>")[0]


def test_the_tests_cannot_reach_the_network(site):
    """The guard of conftest.py: a source on a real host fails the test at once, and is never asked."""
    import pytest

    sources_event(site, "a", ["http://192.0.2.1/article"])  # TEST-NET-1: never routed anyway
    with pytest.raises(AssertionError, match="only loopback servers are allowed"):
        check_sources(SourceCheckOptions(site.root, timeout=2), SourceStore(None))


def test_site_yaml_sources_are_checked_and_a_timeout_is_not_marked_dead(site, fake_archive):
    dead, slow = fake_archive.page("dead/period"), fake_archive.page("slow/period")
    path = site.root / "site.yaml"
    path.write_text(path.read_text().replace(
        "        kind: diplomacy\n",
        f"        kind: diplomacy\n        sources:\n          - url: {dead}\n            title: Talks\n"
        f"            language: en\n          - url: {slow}\n            title: Talks\n            language: en\n", 1))
    lines = path.read_text().splitlines()
    result = check(site, "--mark-dead", "--timeout", "0.5")
    assert result.returncode == 0, result.stderr
    assert f"site.yaml:{lines.index(f'          - url: {dead}') + 1}: warning: source 1: {dead}: 404 Not Found" \
           in result.stderr
    assert f"site.yaml:{lines.index(f'          - url: {slow}') + 1}: warning: source 2: {slow}: timed out" \
           in result.stderr
    marked = path.read_text()
    assert marked.count("dead: ") == 1  # the 404, not the timeout, which may pass
    assert marked.index("dead: ") < marked.index(slow)
