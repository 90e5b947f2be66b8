"""Writing the finished site: safe paths under output/, no duplicates, an atomic swap at the end."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    """A page path that would escape output/ or that two pages claim."""


class OutputTree:
    """The complete rendered site in memory, keyed by safe relative POSIX paths."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, rel: str, content: str | bytes) -> None:
        path = safe_relative(rel)
        if path in self.files:
            raise OutputError(f"two pages would be written to the same file '{path}'")
        self.files[path] = content.encode("utf-8") if isinstance(content, str) else content

    def add_folder(self, folder: Path, prefix: str) -> None:
        """Add every file of a folder (static assets) under prefix/."""
        if not folder.is_dir():
            return
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not _ignored(file.name):
                self.add(f"{prefix}/{file.relative_to(folder).as_posix()}", file.read_bytes())


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp"))


def safe_relative(rel: str) -> str:
    """Normalise a relative output path; raise OutputError if it is absolute or climbs out."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts) or "\\" in rel:
        raise OutputError(f"unsafe output path '{rel}'")
    return path.as_posix()


def check_output_dir(site_dir: Path, output_dir: Path) -> None:
    """Refuse an output folder that is or contains the site, or lies inside its sources."""
    output = output_dir.resolve()
    site = site_dir.resolve()
    if site.is_relative_to(output):
        raise OutputError(f"refusing to write the site into '{output_dir}': it contains the site's sources")
    for source in ("content", "templates", "generator"):
        if output.is_relative_to(site / source):
            raise OutputError(f"refusing to write the site into '{output_dir}': it lies inside {source}/")


def write_tree(tree: OutputTree, output_dir: Path) -> tuple[int, int]:
    """Write the tree to a fresh folder beside output_dir, then swap it in; (written, unchanged).

    A file whose bytes equal those already published is hard-linked from the old tree instead
    of being written again, so it keeps its timestamp and sync tools skip it. Until the final
    rename the old output/ is untouched, so a failure at any point leaves it as it was.
    """
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output_dir.name}.new-{os.getpid()}"
    retired = parent / f".{output_dir.name}.old-{os.getpid()}"
    for stale in (staging, retired):
        if stale.exists():
            shutil.rmtree(stale)
    written = unchanged = 0
    made: set[Path] = set()
    try:
        for rel, content in tree.files.items():
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            old = output_dir / rel
            if _same_bytes(old, content):
                os.link(old, target)
                unchanged += 1
            else:
                target.write_bytes(content)
                written += 1
        if output_dir.exists():
            os.rename(output_dir, retired)
        os.rename(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output_dir.exists():
            os.rename(retired, output_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return written, unchanged


def _same_bytes(path: Path, content: bytes) -> bool:
    try:
        if path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False
