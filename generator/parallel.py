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
    _STATE.clear()
    _STATE.update(shared)
    count = workers()
    try:
        if len(items) < MIN_PARALLEL or count == 1 or "fork" not in multiprocessing.get_all_start_methods():
            done = function(items)
            if progress:
                progress(len(items))
            return done
        size = max(16, len(items) // (count * 4))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        gc.freeze()  # the workers share the parent's objects; keep the collector from touching (copying) them
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results: list[R] = []
            for part in pool.imap(function, chunks):
                results.extend(part)
                if progress:
                    progress(len(results))
            return results
    finally:
        _STATE.clear()
        gc.unfreeze()
