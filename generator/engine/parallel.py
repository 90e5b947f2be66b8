"""Chunked work across the cores: the process itself and forked helpers; inline when the work is small.

Helpers are forked after the parent has built what they need (the site model, the templates), so
tasks carry only small keys and results; the state is handed over through a module global that the
fork copies. The parent takes groups of work as the helpers do (one helper per core but its own).
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from typing import Any, Callable, Iterator, Sequence, TypeVar

from generator.engine.gc_policy import freeze

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

MIN_PARALLEL = 64  # below this many items, forking costs more than it saves
_STATE: dict[str, Any] = {}


def workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def shared(kind: type[S]) -> S:
    """The inputs the parent handed to the workers (map_groups(..., shared=inputs)), as the type the worker
    expects them to be (inside a worker, or inline)."""
    inputs = _STATE.get("shared")
    if not isinstance(inputs, kind):
        raise TypeError(f"the workers were handed {type(inputs).__name__}, not {kind.__name__}")
    return inputs


def map_chunks(function: Callable[[Sequence[T]], list[R]], items: Sequence[T],
               progress: Callable[[int], None] | None = None, shared: object = None) -> list[R]:
    """function(chunk) over chunks of items, in forked workers when worthwhile; results in order.

    progress, if given, is called with the number of items done after each chunk."""
    return map_groups(function, chunks(items, workers()), progress, shared=shared)


def chunks(items: Sequence[T], count: int, most: int = 200, least: int = 16) -> list[Sequence[T]]:
    """items in chunks of at most `most`, smaller towards the end (a quarter of what is left for each of
    count processes, but at least `least`), so that the processes run out of work at nearly the same time."""
    parts: list[Sequence[T]] = []
    start = 0
    while start < len(items):
        size = max(least, min(most, (len(items) - start) // (count * 4)))
        parts.append(items[start:start + size])
        start += size
    return parts


def map_groups(function: Callable[[Sequence[T]], list[R]], groups: Sequence[Sequence[T]],
               progress: Callable[[int], None] | None = None, alongside: Callable[[], list[R]] | None = None,
               shared: object = None) -> list[R]:
    """function(group) over the given groups of items, in forked workers when worthwhile (many items); the
    results of alongside() (run in this process meanwhile, on objects it need not share) and then of all
    groups, in order."""
    _STATE.clear()
    _STATE["shared"] = shared
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
    """This process and count - 1 forked helpers take the groups one at a time, in order, until none is
    left; this process first runs alongside(). A helper writes its results to a file, which this process
reads between its own groups.

    The parent works rather than waits: each helper holds a copy-on-write view of the parent's heap, and
    each page it touches is copied, so one helper fewer is one copy of the site fewer in memory.

    The parent's objects are frozen (kept out of the collector's way) before the helpers are forked, so
    that collecting does not touch, and copy, what they share; and again after each group, as results
    pile up, so that the collector does not walk them all again each time the heap grows by a quarter
    (0.3 s in a cold build of 10,000 events). They stay frozen: a long-running caller collects between
    builds (gc_policy.settle_memory)."""
    freeze()
    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)  # the next group to take
    done = context.Value("q", 0)  # items done, for progress
    _remove_leftovers()
    folder = tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-")
    helpers: dict[int, str] = {}
    try:
        for n in range(count - 1):
            path = os.path.join(folder, str(n))
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the helper (its coverage is not collected)
                status = 1
                try:
                    with open(path, "wb", buffering=0) as out:
                        try:
                            for index, part in _claim(function, groups, claimed, done):
                                _send(out, (index, part))
                        except BaseException as error:  # noqa: BLE001 - carried to the parent, raised there
                            _send(out, (-1, error))
                    status = 0
                finally:
                    os._exit(status)
            helpers[pid] = path
        results: list[R] = alongside() if alongside else []
        parts: dict[int, list[R]] = {}
        inboxes = [_Inbox(path) for path in helpers.values()]
        for index, part in _claim(function, groups, claimed, done):
            parts[index] = part
            for inbox in inboxes:  # the helpers' results so far, rather than all of them at the end
                parts.update(inbox.receive())
            freeze()
            if progress:
                progress(done.value)
        for (pid, path), inbox in zip(list(helpers.items()), inboxes):
            _, status = os.waitpid(pid, 0)
            del helpers[pid]
            parts.update(inbox.receive())
            inbox.close()
            if status != 0:
                raise RuntimeError(f"a worker process failed (exit status {os.waitstatus_to_exitcode(status)})")
        if progress:
            progress(done.value)
        for index in range(len(groups)):
            results.extend(parts[index])
        return results
    finally:
        for pid in helpers:  # interrupted: stop the helpers still at work
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


class Background:
    """A function run in a forked child while this process goes on; its result is a small number."""

    def __init__(self, function: Callable[[], int]) -> None:
        self.pid = 0
        self.result: int | None = None
        if workers() == 1 or "fork" not in multiprocessing.get_all_start_methods():
            self.result = function()  # no core to spare: at once, here
            return
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
            code = 255
            try:
                code = function()
            finally:
                os._exit(code)
        self.pid = pid

    def wait(self) -> int:
        """function()'s result (0-254), or 255 if it failed."""
        if self.result is None:
            _, status = os.waitpid(self.pid, 0)
            self.result = os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 255
        return self.result


WORK_PREFIX = "timeline-work-"  # + the parent's pid: the helpers' results, in the temporary folder


def _remove_leftovers() -> None:
    """Delete the results folders of builds that were killed (their process is gone)."""
    for leftover in glob.glob(os.path.join(tempfile.gettempdir(), WORK_PREFIX + "*")):
        try:
            os.kill(int(os.path.basename(leftover)[len(WORK_PREFIX):].split("-")[0]), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except (ValueError, OSError):  # not ours, or another user's process
            pass


def _claim(function: Callable[[Sequence[T]], list[R]], groups: Sequence[Sequence[T]], claimed: Any,
           done: Any) -> Iterator[tuple[int, list[R]]]:
    """function(group) of each group not yet taken by another process, with its index."""
    while True:
        with claimed.get_lock():
            index = claimed.value
            claimed.value = index + 1
        if index >= len(groups):
            return
        part = function(groups[index])
        with done.get_lock():
            done.value += len(groups[index])
        yield index, part


def _send(out: Any, message: tuple[int, Any]) -> None:
    """Helper: one framed message (length, then pickle) to the parent's inbox file."""
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little") + data)


class _Inbox:
    """The parent's side of a helper's results file: the messages complete so far, by group."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.file: Any = None
        self.pending = b""

    def receive(self) -> dict[int, list[Any]]:
        if self.file is None:
            try:
                self.file = open(self.path, "rb")  # noqa: SIM115 - kept open across calls, closed by close()
            except FileNotFoundError:  # the helper has not started yet
                return {}
        self.pending += self.file.read()
        parts: dict[int, list[Any]] = {}
        while len(self.pending) >= 8:
            size = int.from_bytes(self.pending[:8], "little")
            if len(self.pending) < 8 + size:
                break
            index, part = pickle.loads(self.pending[8:8 + size])
            self.pending = self.pending[8 + size:]
            if index < 0:
                raise part
            parts[index] = part
        return parts

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
