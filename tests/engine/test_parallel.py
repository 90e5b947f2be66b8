"""The parent and its forked helpers share the groups of work; results come back in order, errors too."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import time

import pytest

import generator.engine.parallel as parallel

PARENT = os.getpid()


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)


def doubled(group):
    time.sleep(0.001)  # some work
    return [(item * 2, os.getpid()) for item in group]


MEETING: list[multiprocessing.synchronize.Barrier] = []  # (the helper gets it as the fork copies the parent)


def doubled_once_both_work(group):
    """doubled(), once the parent and the helper have each taken a group (the first group of each waits for the
    other's), however late the helper starts."""
    if MEETING:
        MEETING.pop().wait()
    return doubled(group)


def test_the_parent_and_a_helper_both_work_and_results_keep_their_order():
    groups = [list(range(n, n + 4)) for n in range(0, 400, 4)]
    seen = []
    MEETING.append(multiprocessing.get_context("fork").Barrier(2, timeout=30))
    results = parallel.map_groups(doubled_once_both_work, groups, progress=seen.append,
                                  alongside=lambda: [(-1, PARENT)])
    assert [value for value, _ in results] == [-1, *range(0, 800, 2)]
    assert {pid for _, pid in results} - {PARENT}, "a helper took some groups"
    assert sum(pid == PARENT for _, pid in results) > 1, "the parent took some groups"
    assert not MEETING
    assert seen[-1] == 400 and seen == sorted(seen)


def failing_in_helpers(group):
    if os.getpid() != PARENT:
        raise ValueError(f"bad group starting at {group[0]}")
    return doubled(group)


def test_an_error_in_a_helper_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="bad group"):
        parallel.map_groups(failing_in_helpers, [[n] for n in range(200)])


def dying_in_helpers(group):
    if os.getpid() != PARENT:
        os._exit(3)
    return doubled(group)


def test_a_helper_that_dies_is_an_error_not_missing_results():
    with pytest.raises(RuntimeError, match="status"):
        parallel.map_groups(dying_in_helpers, [[n] for n in range(200)])


def test_the_results_folder_of_a_killed_build_is_removed_by_the_next(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f"{parallel.WORK_PREFIX}{gone.stdout.strip()}-abc"
    (leftover / "0").mkdir(parents=True)
    alive = tmp_path / f"{parallel.WORK_PREFIX}{os.getppid()}-def"
    alive.mkdir()
    parallel.map_groups(doubled, [[n] for n in range(100)])
    assert not leftover.exists() and alive.exists()
    assert [path.name for path in tmp_path.iterdir()] == [alive.name]  # its own folder is gone too


def test_background_gives_the_childs_result_or_255_if_it_failed(tmp_path):
    marker = tmp_path / "ran"

    def work():
        marker.write_text(str(os.getpid()))
        return 7

    job = parallel.Background(work)
    assert job.wait() == 7 and job.wait() == 7
    assert marker.read_text() != str(os.getpid())  # it ran in a child

    def broken():
        raise RuntimeError("lost")

    assert parallel.Background(broken).wait() == 255


def test_chunks_cover_the_items_in_order_and_shrink_towards_the_end():
    items = list(range(10_000))
    parts = parallel.chunks(items, 2)
    assert [item for part in parts for item in part] == items
    sizes = [len(part) for part in parts]
    assert max(sizes) == 200 and sizes[0] == 200
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)  # (the last one holds what is left)
    assert all(size >= 16 for size in sizes[:-1]) and sizes[-2] == 16
    assert [len(part) for part in parallel.chunks(list(range(40)), 2)] == [16, 16, 8]
