"""Builds that recover: killed at any moment, run twice at once, or failing while output/ is updated, a build
leaves output/ whole, and the next one makes exactly what a build from scratch makes."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from conftest import ROOT, ScratchSite, scratch_site
import generator.output.staging as write
from generator import BuildOptions, build
from generator import SiteError

EVENTS = 80  # enough for the helper processes (parallel.MIN_PARALLEL), the spill files and the cache's
# saving child to take part


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def populate(site: ScratchSite, variant: int) -> None:
    """One of two states of the site's inputs that differ in most pages: a template, some events edited, one
    deleted and another added."""
    for n in range(EVENTS):
        edited = variant and n % 3 == 0
        site.event(f"e{n:03}", title=f"Event {n}{' (edited)' if edited else ''}", date=f"20{15 + n % 6}-0{1 + n % 9}",
                   actors="turkey" if n % 2 else "russia", body=f"Summary of event {n}.\n\nMore, {variant}.")
    (site.root / f"content/events/only-in-{1 - variant}.md").unlink(missing_ok=True)
    site.event(f"only-in-{variant}", title=f"Only in variant {variant}")
    base = site.root / "templates/base.html"
    text = base.read_text().replace("<!-- variant 0 -->", "").replace("<!-- variant 1 -->", "")
    base.write_text(text.replace("</body>", f"<!-- variant {variant} --></body>", 1))


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[int, dict[str, str]]:
    """What a build from scratch makes of each variant (in a scratch site of its own, made once for the module:
    the output does not depend on where the site lies, and no test writes into it)."""
    from generator.engine.parallel import MIN_PARALLEL

    assert EVENTS > MIN_PARALLEL  # (else no helper process takes part, and no kill can catch one at work)
    folder = tmp_path_factory.mktemp("variants")
    site = scratch_site(folder / "site")
    made = {}
    for variant in (1, 0):
        populate(site, variant)
        build(BuildOptions(site.root, output_dir=folder / f"clean-{variant}", use_cache=False))
        made[variant] = digests(folder / f"clean-{variant}")
    assert made[0] != made[1]
    return made


def start_build(site: ScratchSite) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--quiet", "--site", str(site.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], deadline: float = 30) -> bool:
    """Poll until condition() holds (True) or the process ended first (False)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("the build neither reached the state nor ended")


def staging_exists(site: ScratchSite) -> Callable[[], bool]:
    return lambda: any(site.root.glob(".output.new-*"))


def spill_exists(site: ScratchSite) -> Callable[[], bool]:
    return lambda: any(site.root.glob(".output.spill-*"))


def output_changed(site: ScratchSite, before: dict[str, str]) -> Callable[[], bool]:
    index = site.root / "output/index.html"
    old = before["index.html"]
    return lambda: hashlib.sha256(index.read_bytes()).hexdigest() != old if index.exists() else True


# (what to wait for before the kill, whether the helpers die too)
MOMENTS = [
    ("at once", False), ("reading", True), ("rendering", True), ("rendering", False), ("moving into place", True),
    ("moving into place", False), ("after 0.3 s", True), ("after 0.6 s", False),
]


@pytest.mark.parametrize("moment, whole_group", MOMENTS)
def test_a_build_killed_at_any_moment_is_completed_by_the_next(site, variants, moment, whole_group):
    populate(site, 0)
    build(BuildOptions(site.root))  # (in this process: the build to interrupt is the next one)
    assert digests(site.root / "output") == variants[0]
    populate(site, 1)
    process = start_build(site)
    conditions = {"at once": lambda: True, "reading": spill_exists(site), "rendering": staging_exists(site),
                  "moving into place": output_changed(site, variants[0])}
    if moment.startswith("after"):
        reached = _runs_for(float(moment.split()[1]), process)
    else:
        reached = wait_for(conditions[moment], process)
    if reached:
        if whole_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.communicate()
    # output/ is whole: each file in it is as one of the two builds from scratch made it
    for rel, digest in digests(site.root / "output").items():
        assert digest in (variants[0].get(rel), variants[1].get(rel)), rel
    build(BuildOptions(site.root))  # (waits for helpers of the killed build that are still at work)
    assert digests(site.root / "output") == variants[1]
    assert build(BuildOptions(site.root)).written == 0  # the cache is whole
    assert not [p.name for p in site.root.iterdir() if p.name.startswith(".output.") and p.name != ".output.lock"]


def _runs_for(seconds: float, process: subprocess.Popen[str]) -> bool:
    """Let the build run for so long (the moment of the kill, not a wait for some state); whether it still runs."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


def test_two_builds_at_once_run_one_after_the_other(site, variants):
    for variant in (1, 0, 1):
        populate(site, variant)
        first, second = start_build(site), start_build(site)
        results = [process.communicate() for process in (first, second)]
        assert (first.returncode, second.returncode) == (0, 0), results
        assert not any("internal error" in err for _, err in results)
        assert digests(site.root / "output") == variants[variant]
        assert build(BuildOptions(site.root)).written == 0  # the cache is whole


def test_the_second_build_says_it_waits(site, tmp_path):
    site.event("a")
    errors = tmp_path / "stderr.txt"
    with write.output_lock(site.root / "output"):
        with errors.open("w") as err:
            process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(site.root)],
                                       stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        assert wait_for(lambda: "waiting for it to finish" in errors.read_text(), process)
        assert process.poll() is None
    assert process.wait(timeout=30) == 0
    assert errors.read_text().startswith(f"Another build into {site.root / 'output'} is running (process "
                                         f"{os.getpid()}): waiting for it to finish…")
    assert (site.root / "output/events/a/index.html").exists()


# -- failures while writing -----------------------------------------------------------------------

@pytest.fixture
def built(site, variants):
    populate(site, 0)
    build(BuildOptions(site.root))
    populate(site, 1)
    return site


def test_a_folder_that_cannot_be_written_stops_the_build_before_anything_moves(built, monkeypatch):
    events = str(built.root / "output/events")
    monkeypatch.setattr(write.os, "access", lambda path, mode: str(path) != events)
    before = digests(built.root / "output")
    with pytest.raises(SiteError) as error:
        build(BuildOptions(built.root))
    assert [str(p) for p in error.value.problems] == [
        f"{write.shown(events)}/: permission denied: nothing was changed in the output"]
    assert digests(built.root / "output") == before


def test_a_failure_while_moving_files_into_place_is_completed_by_the_next_build(built, variants, monkeypatch):
    replace = os.replace
    moved: list[str] = []

    def failing(source: str, target: str) -> None:
        if len(moved) == 40:
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        moved.append(str(target))
        replace(source, target)

    monkeypatch.setattr(write.os, "replace", failing)
    with pytest.raises(SiteError) as error:
        build(BuildOptions(built.root))
    (problem,) = error.value.problems
    assert problem.message == "permission denied" and problem.path.startswith(write.shown(built.root / "output"))
    monkeypatch.setattr(write.os, "replace", replace)
    build(BuildOptions(built.root))
    assert digests(built.root / "output") == variants[1]


def test_a_full_disk_while_staging_leaves_output_as_it_was(built, monkeypatch):
    def full(path: str, content: bytes) -> tuple[int, int]:
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(write, "_write", full)
    before = digests(built.root / "output")
    with pytest.raises(SiteError) as error:
        build(BuildOptions(built.root))
    assert error.value.problems[0].message == "cannot write: No space left on device"
    assert digests(built.root / "output") == before
    assert not [p.name for p in built.root.iterdir() if p.name.startswith(".output.") and p.name != ".output.lock"]
