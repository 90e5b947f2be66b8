"""The search index: Pagefind (the pinned `pagefind[bin]` from PyPI, whose wheel carries the binary) run over
the pages search covers, which writes the bundle the search page loads (output/pagefind/).

Only event pages, content pages and the first page of each actor (its profile) are indexed: they are linked
into a folder of their own, and Pagefind indexes that folder, each language apart (from `<html lang>`). What
each page gives the index is in the templates (data-pagefind-body, -weight, -filter, -sort, -meta).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Callable, Sequence

from generator.model.digest import digest
from generator.publish.search_bundle import BundleFormatError, reproducible
from generator.publish._pagefind_tuning import pagefind_environment
from generator.render.plan import PageJob

SEARCHED = "search:"  # the key prefix of the index's files in the build's page records
BUNDLE = "pagefind"  # their folder in output/
FORMAT = "3"  # of what is indexed and shipped: changing it re-indexes every site
# Pagefind's own ready-made interfaces, which the search page does not use: left out of output/.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
BINARY_VARIABLE = "PAGEFIND_BINARY_PATH"  # another Pagefind binary (the variable the pagefind package reads)


class SearchError(Exception):
    """Pagefind could not index the site: one line saying why."""


def indexed(job: PageJob) -> bool:
    """Whether search covers a page: an event's, a content page, or an actor's first page."""
    return job.kind in ("event", "page") or (job.kind == "actor" and job.number == 0)


def index_key(pages: Sequence[PageJob]) -> str:
    """The key of the index of these pages: it changes when one of them, or Pagefind, changes."""
    return SEARCHED + digest(FORMAT, pagefind_version(), *(f"{job.rel}\n{job.key}" for job in pages))


@cache
def pagefind_version() -> str:
    from importlib import metadata  # (only when indexing: importing it reads every installed package's entry)

    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def executable() -> str:
    """The Pagefind binary: $PAGEFIND_BINARY_PATH, else the one the pagefind_bin wheel ships."""
    chosen = os.environ.get(BINARY_VARIABLE)
    if chosen:
        return chosen
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SearchError("Pagefind is not installed: install the pinned requirements (pip install -r "
                          "requirements.txt), or set 'search: false' in site.yaml") from None
    try:
        return str(get_executable())
    except FileNotFoundError:
        raise SearchError("the pagefind_bin package has no Pagefind binary for this system: set "
                          f"{BINARY_VARIABLE}, or 'search: false' in site.yaml") from None


def build_index(view: Path, pages: Sequence[tuple[str, str]],
                started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> dict[str, bytes]:
    """Index the pages, given as (output path, file that holds the page), in the new folder view/ (where they
    are linked, not copied): the bundle's files by their output path (pagefind/…). Raises SearchError.
    started(process) is told of Pagefind's process, for a caller that may need to stop it."""
    command = executable()
    view.mkdir(parents=True)
    made: set[str] = set()
    for rel, source in pages:
        target = os.path.join(view, rel)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source, target)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, target)
    try:
        process = subprocess.Popen([command, "--site", str(view), "--output-subdir", BUNDLE, "--silent"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   env=pagefind_environment())  # (index chunk size)
    except OSError as error:
        raise SearchError(f"cannot run Pagefind ({command}): {error.strerror or error}") from None
    if started is not None:
        started(process)
    out, err = process.communicate()
    if process.returncode != 0:
        said = [line.strip() for line in (err + out).decode("utf-8", "replace").splitlines() if line.strip()]
        reason = said[0].removeprefix("Error: ") if said else "no message"
        raise SearchError(f"Pagefind failed (exit status {process.returncode}): {reason}")
    bundle = view / BUNDLE
    files: dict[str, bytes] = {}
    for folder, _, names in os.walk(bundle):
        for name in names:
            if not name.startswith(UNUSED):
                path = os.path.join(folder, name)
                files[f"{BUNDLE}/{os.path.relpath(path, bundle).replace(os.sep, '/')}"] = Path(path).read_bytes()
    try:
        return reproducible(files, BUNDLE)
    except BundleFormatError as error:
        raise SearchError(str(error)) from None
