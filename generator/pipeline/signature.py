"""What a build's inputs are: the input signature (nothing changed?), the static files, the templates'
digest and compiled-templates folder, and the peak memory of a build."""

from __future__ import annotations

import os
import resource
import shutil
import time
from pathlib import Path


from generator.engine.cache_database import CACHE_DIR
from generator.engine.event_shards import RECENT_NS, Stat
from generator.model.digest import digest
from generator.read.config import CONFIG_FILE
from generator.read.content import site_files
from generator.model.errors import Problems

from generator.pipeline.options import STATIC_DIR, TEMPLATES_DIR, BuildOptions


def _static_files(site_dir: Path, problems: Problems) -> list[tuple[Path, str]]:
    """The static assets (templates/static/), by their path under it (see content.site_files)."""
    folder = f"{TEMPLATES_DIR}/{STATIC_DIR}"
    return sorted((Path(entry.path), rel[len(folder) + 1:]) for entry, rel in site_files(site_dir, folder, problems)
                  if not rel.endswith(("~", ".swp", ".tmp")))


def _folder_digest(site_dir: Path, folder: str, skip: str) -> str:
    """A hash of the files in a folder of the site but those under skip (see content.site_files)."""
    parts: list[bytes | str] = []
    for entry, rel in sorted(site_files(site_dir, folder), key=lambda found: found[1]):
        if not rel.startswith(f"{folder}/{skip}/"):
            try:
                parts += [rel, Path(entry.path).read_bytes()]
            except OSError:  # (reported when the template is loaded)
                parts += [rel, "unreadable"]
    return digest(*parts)


TEMPLATES_PREFIX = "templates-"  # + the cache's fingerprint: the compiled templates' folder in .cache/


def compiled_templates(site_dir: Path, fingerprint: str) -> Path:
    """The folder for the templates compiled by this generator, its code and libraries (the cache's fingerprint);
    those of other versions are deleted when it is made."""
    folder = site_dir / CACHE_DIR / f"{TEMPLATES_PREFIX}{fingerprint[:16]}"
    if not folder.is_dir():
        for other in (site_dir / CACHE_DIR).glob(TEMPLATES_PREFIX + "*"):
            shutil.rmtree(other, ignore_errors=True)
    return folder


def input_signature(options: BuildOptions, stats: dict[str, Stat] | None = None) -> str:
    """A hash of every input file's name, size and time, and of the options: equal means nothing changed
    (each file's size, time and inode go into stats, if given).

    If a file was modified in the last two seconds, a later edit in the same clock tick could leave its
    size and time as they are: then the signature is unique, and the next build checks every file."""
    entries: list[str] = []
    newest = 0
    site = str(options.site_dir)
    for entry, _ in [*site_files(options.site_dir, "content"), *site_files(options.site_dir, TEMPLATES_DIR)]:
        try:
            stat = entry.stat()
        except OSError:  # gone meanwhile
            continue
        newest = max(newest, stat.st_mtime_ns)
        if stats is not None:
            stats[entry.path] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        entries.append(f"{entry.path}\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ino}")
    try:
        stat = os.stat(os.path.join(site, CONFIG_FILE))
        newest = max(newest, stat.st_mtime_ns)
        entries.append(f"site.yaml\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ino}")
    except OSError:
        entries.append("no site.yaml")
    if newest >= time.time_ns() - RECENT_NS:
        entries.append(f"recently modified, at {time.time_ns()}")
    settings = repr((options.drafts, options.strict, options.base_url, str(options.output.resolve()),
                     os.environ.get("SOURCE_DATE_EPOCH", "")))
    return digest(settings, "\n".join(sorted(entries)))


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its largest worker, in MB (from the OS)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024
