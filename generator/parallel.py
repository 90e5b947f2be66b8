"""Chunked work across the cores with forked worker processes; inline when the work is small.

Workers are forked after the parent has built what they need (the site model, the templates), so
tasks carry only small keys and results; the state is handed over through a module global that the
fork copies.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 64  # below this many items, forking costs more than it saves
_STATE: dict[str, Any] = {}


def workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def state(name: str) -> Any:
    """What the parent handed to the workers under name (inside a worker, or inline)."""
    return _STATE[name]


def map_chunks(function: Callable[[Sequence[T]], list[R]], items: Sequence[T],
               progress: Callable[[int], None] | None = None, **shared: Any) -> list[R]:
    """function(chunk) over chunks of items, in forked workers when worthwhile; results in order.

    progress, if given, is called with the number of items done after each chunk."""
    size = max(16, len(items) // (workers() * 4))
    return map_groups(function, [items[i:i + size] for i in range(0, len(items), size)], progress, **shared)


def map_groups(function: Callable[[Sequence[T]], list[R]], groups: Sequence[Sequence[T]],
               progress: Callable[[int], None] | None = None, alongside: Callable[[], list[R]] | None = None,
               **shared: Any) -> list[R]:
    """function(group) over the given groups of items, in forked workers when worthwhile (many items); the
    results of alongside() (run in this process meanwhile, on objects it need not share) and then of all
    groups, in order."""
    _STATE.clear()
    _STATE.update(shared)
    count = workers()
    total = sum(len(group) for group in groups)
    try:
        if not groups or total < MIN_PARALLEL or count == 1 or \
                "fork" not in multiprocessing.get_all_start_methods():
            results: list[R] = alongside() if alongside else []
            done = 0
            for group in groups:
                results.extend(function(group))
                done += len(group)
                if progress:
                    progress(done)
            return results
        return _in_workers(function, groups, count, progress, alongside)
    finally:
        _STATE.clear()


def _in_workers(function: Callable[[Sequence[T]], list[R]], groups: Sequence[Sequence[T]], count: int,
                progress: Callable[[int], None] | None, alongside: Callable[[], list[R]] | None) -> list[R]:
    frozen = gc.get_freeze_count()
    gc.freeze()  # the workers share the parent's objects; keep the collector from touching (copying) them
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            parts = pool.imap(function, groups)  # the workers start on them at once
            results: list[R] = alongside() if alongside else []
            done = 0
            for group, part in zip(groups, parts):
                results.extend(part)
                done += len(group)
                if progress:
                    progress(done)
            return results
    finally:
        if not frozen:  # leave a caller's own freeze (the preview server's) as it was
            gc.unfreeze()
