"""`archive` against a real local HTTP server speaking the Archive's interfaces: snapshots found and written,
captures rate-limited and retried, files changed only by the added lines, interrupted runs resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from conftest import ROOT
from fake_archive_server import fake_archive  # noqa: F401 (a fixture)

EVENT = """\
---
title: Troops   # a comment
date: 2020-01-05
actors: [turkey]
kind: military

sources:
  - url: {first}
    title: "A report"
    publisher: Example News
    date: 2020-01-02   # the day it ran
    language: en
  # a comment between sources
  - {{url: '{second}', title: Another, publisher: Other, date: 2020-01, language: fr}}
---
Troops arrived.
"""


def event(site, slug: str, first: str, second: str, crlf: bool = False) -> bytes:
    text = EVENT.format(first=first, second=second)
    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    path = site.root / f"content/events/{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def archive(site, fake, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "archive", "--api", fake.base, "--backoff", "0.05",
                           *args, "--site", str(site.root)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def added_lines(before: bytes, after: bytes) -> list[bytes]:
    """The lines of after that are not in before, asserting that every line of before is still there, in
    order and byte for byte (line endings included)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    extra, i = [], 0
    for line in new:
        if i < len(old) and line == old[i]:
            i += 1
        else:
            extra.append(line)
    assert i == len(old), f"line {i + 1} of the original changed: {old[i]!r}"
    return extra


def test_snapshots_are_found_and_written_with_only_the_new_lines_added(site, fake_archive):
    first, second = fake_archive.page("live/a"), fake_archive.page("live/b")
    fake_archive.snapshots = {first: "20200103081500", second: "20200201000000"}
    before = event(site, "troops", first, second, crlf=True)
    result = archive(site, fake_archive)
    assert result.returncode == 0, result.stderr
    after = (site.root / "content/events/troops.md").read_bytes()
    block = f"    archive_url: {fake_archive.base}/web/20200103081500/{first}\r\n    archived: 2020-01-03\r\n"
    flow = f", archive_url: '{fake_archive.base}/web/20200201000000/{second}', archived: 2020-02-01}}"
    expected = before.replace(b"    language: en\r\n", b"    language: en\r\n" + block.encode(), 1)
    assert after == expected.replace(b"language: fr}", b"language: fr" + flow.encode())  # nothing else changed
    asked = {r.query["url"]: r.query.get("timestamp") for r in fake_archive.requests("/wayback/available")}
    assert asked == {first: "20200102", second: "202001"}  # the snapshot closest to the source's own date
    assert "Archive: 2 found (0 from the cache), 0 saved, 0 failed, 0 skipped" in result.stdout
    assert site.run("check", "--strict").returncode == 0  # the new fields validate
    again = archive(site, fake_archive)
    assert again.returncode == 0 and "2 skipped (2 already archived" in again.stdout
    assert len(fake_archive.requests("/wayback/available")) == 2  # nothing asked twice


def test_site_yaml_involvement_sources_are_archived_keeping_comments(site, fake_archive):
    url = fake_archive.page("live/period")
    fake_archive.snapshots = {url: "20150301000000"}
    path = site.root / "site.yaml"
    text = path.read_text().replace(
        "        kind: diplomacy\n",
        f"        kind: diplomacy\n        sources:   # why we think so\n          - url: \"{url}\"\n"
        f"            title: Talks\n            publisher: Agency\n            date: 2015-03\n"
        f"            language: en\n\n  # the next actor\n", 1)
    path.write_text(text)
    result = archive(site, fake_archive, str(path))
    assert result.returncode == 0, result.stderr
    assert added_lines(text.encode(), path.read_bytes()) == [
        f'            archive_url: "{fake_archive.base}/web/20150301000000/{url}"\n'.encode(),
        b"            archived: 2015-03-01\n"]


def test_dry_run_prints_and_writes_nothing(site, fake_archive):
    first, second = fake_archive.page("live/a"), fake_archive.page("live/b")
    fake_archive.snapshots = {first: "20200103081500"}
    before = event(site, "troops", first, second)
    result = archive(site, fake_archive, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert (site.root / "content/events/troops.md").read_bytes() == before
    assert f"would write content/events/troops.md:8: source 1: archive_url: {fake_archive.base}/web/" \
           f"20200103081500/{first} (archived 2020-01-03)" in result.stdout
    assert "1 without a snapshot: --save asks for one" in result.stdout
    assert not fake_archive.requests("/save")


def test_save_is_rate_limited_retried_on_429_and_waits_for_the_capture(site, fake_archive):
    urls = [fake_archive.page(f"live/{n}") for n in range(4)]
    event(site, "one", urls[0], urls[1])
    event(site, "two", urls[2], urls[3])
    fake_archive.busy_saves = 1
    result = archive(site, fake_archive, "--save", "--rate", "120", env={"IA_ACCESS_KEY": "key",
                                                                        "IA_SECRET_KEY": "secret"})
    assert result.returncode == 0, result.stderr
    saves = fake_archive.requests("/save")
    assert [r.query["url"] for r in saves] == [urls[0], urls[0], *urls[1:]]  # the first answered 429, then again
    gaps = [b.at - a.at for a, b in zip(saves, saves[1:])]
    # 120 a minute: one every half second, retries included (unlimited, they would come 0.05 s apart, the
    # back-off and status checks); as the server saw them, so each gap allows for the network's own jitter
    assert min(gaps) >= 0.4 and saves[-1].at - saves[0].at >= 4 * 0.5 - 0.05, gaps
    assert all(r.headers["authorization"] == "LOW key:secret" for r in saves)
    assert all(r.headers["user-agent"].startswith("timeline-generator/") for r in fake_archive.log)
    assert len(fake_archive.requests("/save/status/spn2-1")) == 2  # pending, then success
    text = (site.root / "content/events/one.md").read_text()
    assert f"    archive_url: {fake_archive.base}/web/20261206101500/{urls[0]}\n    archived: 2026-12-06\n" in text
    assert "0 found (0 from the cache), 4 saved, 0 failed" in result.stdout


def test_a_failed_capture_is_reported_with_why_and_the_rest_is_written(site, fake_archive):
    first, second = fake_archive.page("dead/a"), fake_archive.page("live/b")
    fake_archive.failing_captures = {first}
    event(site, "troops", first, second)
    result = archive(site, fake_archive, "--save", "--rate", "600")
    assert result.returncode == 1
    assert f"content/events/troops.md:8: source 1: {first}: The server cannot find the requested resource." \
           in result.stderr
    assert "1 saved, 1 failed" in result.stdout
    text = (site.root / "content/events/troops.md").read_text()
    assert text.count("archive_url:") == 1 and f"/web/20261206101500/{second}'" in text


def test_availability_is_retried_on_5xx(site, fake_archive):
    first = fake_archive.page("live/a")
    fake_archive.snapshots = {first: "20200103081500"}
    fake_archive.busy_status = 2
    event(site, "troops", first, fake_archive.page("live/b"))
    result = archive(site, fake_archive, str(site.root / "content/events/troops.md"))
    assert result.returncode == 0, result.stderr
    assert [r.query["url"] for r in fake_archive.requests("/wayback/available")] == [first] * 3 + [
        fake_archive.page("live/b")]
    assert "archived: 2020-01-03" in (site.root / "content/events/troops.md").read_text()


def test_a_file_changed_during_the_run_is_left_alone(site, fake_archive):
    first, second = fake_archive.page("live/a"), fake_archive.page("live/b")
    fake_archive.snapshots = {first: "20200103081500", second: "20200201000000"}
    event(site, "troops", first, second)
    path = site.root / "content/events/troops.md"
    edited = path.read_text().replace("Troops arrived.", "Troops arrived in January.")
    fake_archive.hooks[second] = lambda: path.write_text(edited)  # an editor saves while the run asks
    result = archive(site, fake_archive)
    assert result.returncode == 1
    assert "content/events/troops.md: it changed on disk since it was read: not written" in result.stderr
    assert path.read_text() == edited
    again = archive(site, fake_archive)  # the answers were kept: the next run writes them without asking
    assert again.returncode == 0, again.stderr
    assert "2 found (2 from the cache)" in again.stdout
    assert "Troops arrived in January." in path.read_text() and path.read_text().count("archived:") == 2


def test_an_interrupted_run_leaves_files_whole_and_the_next_one_carries_on(site, fake_archive):
    urls = [fake_archive.page(f"live/{n}") for n in range(4)]
    fake_archive.snapshots = {url: "20200103081500" for url in urls}
    event(site, "a", urls[0], urls[1])
    before = event(site, "b", urls[2], urls[3])
    held = threading_event()
    fake_archive.hooks[urls[3]] = lambda: held.wait(30)  # the run hangs on b's second source…
    process = subprocess.Popen([sys.executable, "-m", "generator", "archive", "--api", fake_archive.base,
                                "--site", str(site.root)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_in_a_terminal)
    try:
        assert fake_archive.wait_for(lambda: any(r.query.get("url") == urls[3] for r in fake_archive.log))
        process.send_signal(signal.SIGINT)  # …and is interrupted there
        out, err = process.communicate(timeout=30)
    finally:
        held.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "Interrupted." in err
    assert (site.root / "content/events/a.md").read_text().count("archived: 2020-01-03") == 2  # complete
    assert (site.root / "content/events/b.md").read_bytes() == before  # untouched
    asked = len(fake_archive.requests("/wayback/available"))
    result = archive(site, fake_archive)
    assert result.returncode == 0, result.stderr
    assert "2 found (1 from the cache)" in result.stdout  # b's first source: from the cache
    assert [r.query["url"] for r in fake_archive.requests("/wayback/available")[asked:]] == [urls[3]]
    assert (site.root / "content/events/b.md").read_text().count("archived: 2020-01-03") == 2


def ctrl_c_as_in_a_terminal() -> None:
    """In the child: Ctrl-C (SIGINT) handled as in a command run from a terminal. Tests run in the background
    by a shell without job control hand their children SIGINT ignored, and Python keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def threading_event():
    import threading

    return threading.Event()


@pytest.mark.parametrize("args", [("build",), ("check",)])
def test_build_and_check_never_use_the_network(site, args, monkeypatch):
    """conftest.py refuses any connection but to loopback in every test; a plain build or check opens none at all."""
    import socket

    from generator.__main__ import cli

    site.event("a")
    opened = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: opened.append(address))
    try:
        cli([*args, "--site", str(site.root)], standalone_mode=False)
    except SystemExit as exit_status:
        assert exit_status.code in (None, 0)
    assert (site.root / "output/events/a/index.html").is_file() == (args == ("build",))
    assert opened == []


def test_a_run_without_network_stops_soon_and_writes_what_it_found(site, fake_archive):
    from conftest import free_port

    urls = [fake_archive.page(f"live/{n}") for n in range(6)]
    for n in range(3):
        event(site, f"e{n}", urls[2 * n], urls[2 * n + 1])
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the network is down
    result = subprocess.run([sys.executable, "-m", "generator", "archive", "--api", nobody, "--backoff", "0.01",
                             "--site", str(site.root)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "the Archive could not be reached for 3 sources in a row: stopped" in result.stderr
    assert "3 failed" in result.stdout and "cannot connect" in result.stderr
