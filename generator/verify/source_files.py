"""The files that cite sources (content/events/**.md and site.yaml), read for `archive` and `check --sources`,
and written back safely: atomically, and only when the file on disk is still the one that was read."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from generator.model.errors import Problems
from generator.read.content import EVENTS_DIR, content_files
from generator.read.source_edit import EditError, SourceDoc

SITE_FILE = "site.yaml"


@dataclass
class CitingFile:
    """One file as read: its bytes and modification time, and its sources."""

    path: Path
    rel: str  # as reported: relative to the site folder
    doc: SourceDoc
    mtime_ns: int
    size: int


class Unchanged(Exception):
    """The file changed on disk since it was read: not written."""


def citing_files(site_dir: Path, only: Sequence[Path], problems: Problems) -> list[tuple[Path, str]]:
    """site.yaml and the event files (all, or those among only, which may name files or folders), sorted."""
    found = [(site_dir / SITE_FILE, SITE_FILE)] if (site_dir / SITE_FILE).is_file() else []
    found += [(Path(file), rel) for file, rel in content_files(site_dir, EVENTS_DIR, problems)]
    if not only:
        return found
    wanted = [Path(os.path.realpath(path)) for path in only]
    chosen = []
    for path, rel in found:
        real = Path(os.path.realpath(path))
        if any(real == w or w in real.parents for w in wanted):
            chosen.append((path, rel))
    for path, given in zip(wanted, only):
        if not path.exists():
            problems.error(str(given), None, "no such file or folder")
        elif not any(Path(os.path.realpath(p)) == path or path in Path(os.path.realpath(p)).parents for p, _ in chosen):
            problems.error(str(given), None, f"cites no sources of the site in {site_dir}: give site.yaml or files "
                                             f"and folders under content/events")
    return chosen


def read_citing(path: Path, rel: str, problems: Problems) -> CitingFile | None:
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            raw = file.read()
    except OSError as error:
        problems.error(rel, None, f"cannot read file: {error.strerror}")
        return None
    try:
        doc = SourceDoc(raw, front_matter=rel != SITE_FILE)
    except EditError as error:
        problems.error(rel, error.line, error.message)
        return None
    return CitingFile(path, rel, doc, info.st_mtime_ns, info.st_size)


def write_if_unchanged(citing: CitingFile, data: bytes) -> None:
    """Replace the file by data, atomically (a temporary file renamed over it, keeping its permissions), unless
    it changed on disk since it was read (raise Unchanged): its bytes are compared, not only its time."""
    try:
        info = os.stat(citing.path)
        with open(citing.path, "rb") as file:
            current = file.read()
    except OSError as error:
        raise Unchanged(f"cannot read it again: {error.strerror}") from None
    if current != citing.doc.raw or info.st_mtime_ns != citing.mtime_ns:
        raise Unchanged("it changed on disk since it was read: not written (run the command again)")
    handle, temporary = tempfile.mkstemp(dir=citing.path.parent, prefix=f".{citing.path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, info.st_mode & 0o7777)
        os.replace(temporary, citing.path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
