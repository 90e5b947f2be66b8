"""Watching a site's sources for changes: the preview server (`serve`) and `build --watch` both rebuild after
each burst of changes that watching() reports. Changes come from the operating system's file events
(watchfiles: inotify on Linux), or, with poll, from looking at the files ten times a second (for file systems
that send no events, such as some network and container mounts)."""

from __future__ import annotations

import os
import threading
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from watchfiles import Change

WATCHED = ("content", "templates", "site.yaml")
IGNORED_DIRS = {".git", ".venv", "output", ".cache", "node_modules", "__pycache__"}


def ignored(path: str) -> bool:
    """Editor temporary files, version control, the virtualenv and outputs never trigger a rebuild."""
    parts = PurePosixPath(path.replace(os.sep, "/")).parts
    name = parts[-1] if parts else ""
    if any(part in IGNORED_DIRS for part in parts):
        return True
    return (name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part")) or name.startswith((".#", "#"))
            or name == "4913" or name.startswith(".") and name != ".")


def watching(site_dir: Path, stop: threading.Event, ready: threading.Event, poll: bool = False
             ) -> Iterator[list[str]]:
    """The files (relative to site_dir, sorted) changed in each burst of changes, until stop is set; ready is
    set once the watches are in place. (No output folder is watched: none may lie inside content/ or
    templates/, output/staging.py's check_output_dir.)"""
    from watchfiles import watch  # (imported when watching only: 45 ms)

    site_dir = site_dir.resolve()
    paths = [site_dir / name for name in WATCHED if (site_dir / name).exists()]
    for changes in watch(*paths, watch_filter=lambda _change, path: not ignored(os.path.relpath(path, site_dir)),
                         debounce=1600, step=15, stop_event=stop, force_polling=poll, poll_delay_ms=100,
                         rust_timeout=100, yield_on_timeout=True):
        if not changes:  # nothing for a while: at least, the watches are in place
            ready.set()
            continue
        taken = taken_in(changes)
        if taken:
            yield sorted({os.path.relpath(path, site_dir) for path in taken})


def taken_in(changes: set[tuple[Change, str]]) -> set[str]:
    """The paths of a burst of changes that a rebuild takes in: all but those of a file made and removed within
    the burst (a temporary file of an editor or of `sed -i`), unless it is there again."""
    from watchfiles import Change

    added = {path for change, path in changes if change == Change.added}
    deleted = {path for change, path in changes if change == Change.deleted}
    return {path for _, path in changes if not (path in added and path in deleted and not os.path.exists(path))}


def describe(changed: list[str]) -> str:
    """What a rebuild took in, for its line in the log (["start"]: the first build)."""
    if changed == ["start"]:
        return "Initial build"
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"Changed {shown}"
