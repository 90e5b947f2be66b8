"""`build --watch`, run for real in a subprocess: each change to the sources rebuilds output/ as `build` would."""

from __future__ import annotations

import filecmp
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT
from generator.publish.search import BINARY_VARIABLE, executable


class Watched:
    """A `build --watch` process and the lines it printed."""

    def __init__(self, site, *args: str, environment: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--watch", "--site", str(site.root), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(environment or {})})
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("Watching")

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait(self, condition, what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, "the watch ended:\n" + "\n".join(self.lines)
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; the watch said:\n" + "\n".join(self.lines))

    def wait_for(self, start: str, count: int = 1) -> list[str]:
        """Wait until count lines starting with start were printed; those lines."""
        found = lambda: [line for line in self.lines if line.startswith(start)]  # noqa: E731
        self.wait(lambda: len(found()) >= count, f"{count} line(s) starting with {start!r}")
        return found()

    def rebuilt(self, rel: str, count: int = 1) -> str:
        """Wait for the count-th build that took in a change of rel (its line, or its failure's, is printed)."""
        return self.wait_for(f"Changed {rel}", count)[-1]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def watched(site):
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    site.event("talks", title="Moscow talks", date="2020-01-13", actors="russia", kind="diplomacy")
    site.write("site.yaml", (site.root / "site.yaml").read_text() + "search: false\n")
    started: list[Watched] = []

    def start(*args: str, environment: dict[str, str] | None = None) -> Watched:
        started.append(Watched(site, *args, environment=environment))
        return started[-1]

    yield start
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()


def same_trees(a: Path, b: Path) -> list[str]:
    """The files that differ between two folders (missing on one side, or other bytes)."""
    differ = []
    for folder, _, names in os.walk(a):
        for name in names:
            path = Path(folder, name)
            other = b / path.relative_to(a)
            if not other.is_file() or not filecmp.cmp(path, other, shallow=False):
                differ.append(str(path.relative_to(a)))
    differ += [str(Path(folder, name).relative_to(b)) for folder, _, names in os.walk(b) for name in names
               if not (a / Path(folder, name).relative_to(b)).exists()]
    return differ


def test_each_change_is_rebuilt_into_output_as_a_build_would_make_it(watched, site, tmp_path):
    watch = watched()
    assert watch.lines[0].startswith("Initial build: built ") and "troops" in site.read("events/troops/index.html")
    site.event("troops", title="Turkish troops land in Tripoli", date="2020-01-05")
    assert ": built " in watch.rebuilt("content/events/troops.md")
    assert "Turkish troops land in Tripoli" in site.read("events/troops/index.html")
    assert "Turkish troops land in Tripoli" in site.read("index.html")  # (and every other page that shows it)
    site.event("ceasefire", title="Ceasefire announced", date="2020-01-12", actors="russia")
    watch.rebuilt("content/events/ceasefire.md")
    assert "Ceasefire announced" in site.read("events/ceasefire/index.html")
    (site.root / "content/events/talks.md").unlink()
    watch.rebuilt("content/events/talks.md")
    assert not (site.root / "output/events/talks").exists()
    assert watch.stop() == 0
    assert watch.lines[-1] == "Stopped watching."
    fresh = site.run("build", "--no-cache", "--output", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert same_trees(site.root / "output", tmp_path / "fresh") == []
    again = site.run("build")  # the cache the watch saved: nothing left to do
    assert again.returncode == 0 and ": 0 written," in again.stdout, again.stdout


def test_a_bad_edit_is_reported_at_its_line_leaves_output_alone_and_the_fix_is_built(watched, site):
    watch = watched()
    before = site.read("events/troops/index.html")
    site.write("content/events/troops.md", (site.root / "content/events/troops.md").read_text().replace(
        "date: 2020-01-05", "date: 2020-02-30"))
    watch.rebuilt("content/events/troops.md")
    assert any(line.startswith("content/events/troops.md:3:") and "2020-02-30" in line for line in watch.lines)
    assert any(line.startswith("Changed content/events/troops.md: build failed: 1 error") for line in watch.lines), watch.lines
    assert site.read("events/troops/index.html") == before
    site.event("troops", title="Turkish troops deploy in force", date="2020-01-05")
    assert ": built " in watch.rebuilt("content/events/troops.md", count=2)
    assert "Turkish troops deploy in force" in site.read("events/troops/index.html")
    assert watch.process.poll() is None


def test_a_build_by_another_process_between_two_rebuilds_is_accounted_for(watched, site, tmp_path):
    """Another build into the same folder (here with drafts) writes pages this process never made: the next
    rebuild starts from the cache that build saved, so its pages are removed as a build without drafts would."""
    plan = site.event("plan", title="A planned meeting", date="2020-01-20")
    plan.write_text(plan.read_text().replace("kind: military", "kind: military\ndraft: true"))
    watch = watched()
    assert not (site.root / "output/events/plan").exists()
    other = site.run("build", "--drafts")
    assert other.returncode == 0, other.stderr
    assert (site.root / "output/events/plan/index.html").is_file()
    site.event("troops", title="Turkish troops land", date="2020-01-05")
    watch.rebuilt("content/events/troops.md")
    assert not (site.root / "output/events/plan").exists()
    fresh = site.run("build", "--no-cache", "--output", str(tmp_path / "fresh"))
    assert same_trees(site.root / "output", tmp_path / "fresh") == []


HOLDING_PAGEFIND = """#!/bin/sh
# Pagefind, held while the file {hold} exists (the test says when it started, by {started})
if [ -e "{hold}" ]; then
    echo "$$" >> "{started}"
    while [ -e "{hold}" ]; do sleep 0.02; done
fi
exec "{real}" "$@"
"""


def test_files_changed_while_the_search_index_is_made_stop_it_and_it_is_made_again_after(watched, site, tmp_path):
    """With search on, a rebuild commits its pages, then indexes the site. A change while Pagefind runs stops it
    (it would index pages about to change): the next rebuild indexes them as they are by then."""
    site.write("site.yaml", (site.root / "site.yaml").read_text().replace("search: false\n", ""))
    hold, started = tmp_path / "hold", tmp_path / "started"
    fake = tmp_path / "pagefind"
    fake.write_text(HOLDING_PAGEFIND.format(hold=hold, started=started, real=executable()))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    watch = watched(environment={BINARY_VARIABLE: str(fake)})
    assert "Search index rebuilt in" in watch.lines[1]
    hold.touch()
    site.event("troops", title="Turkish troops deploy", date="2020-01-05", body="The word arquebus.")
    watch.rebuilt("content/events/troops.md")
    watch.wait(lambda: started.exists(), "the search pass to start Pagefind")
    site.event("talks", title="Moscow talks", date="2020-01-13", actors="russia", kind="diplomacy",
               body="The word bombard.")
    watch.wait_for("Search index: left for the next rebuild")
    watch.rebuilt("content/events/talks.md")
    hold.unlink()
    watch.wait_for("Search index rebuilt in", count=2)
    assert watch.stop() == 0
    fresh = site.run("build", "--no-cache", "--output", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert same_trees(site.root / "output", tmp_path / "fresh") == []


def test_poll_goes_with_watch(site):
    result = site.cli("build", "--poll")
    assert result.returncode == 2 and "--poll goes with --watch" in result.stderr


def test_a_file_made_and_removed_within_a_burst_of_changes_is_not_taken_in(tmp_path):
    """`sed -i` and editors write a temporary file and move it over the one they edit: the rebuild takes in the
    edited file, not the temporary one (which is gone); a file removed and made again, or removed, is taken in."""
    from watchfiles import Change

    from generator.pipeline.watching import taken_in

    edited, again, gone, temporary = (tmp_path / name for name in ("edited.md", "again.md", "gone.md", "sedX1"))
    edited.write_text("x")
    again.write_text("x")
    changes = {(Change.added, str(temporary)), (Change.deleted, str(temporary)), (Change.modified, str(edited)),
               (Change.deleted, str(again)), (Change.added, str(again)), (Change.deleted, str(gone))}
    assert taken_in(changes) == {str(edited), str(again), str(gone)}
    assert taken_in({(Change.added, str(temporary)), (Change.deleted, str(temporary))}) == set()
