"""The translation report `check` prints: per language, how much of the site is translated (events, pages,
profiles, the interface's catalog), and which translations are older than their original.

A translation is older than its original when the original changed after the translation last did. When
the site is in a git repository, a file's last change is the time of the last commit that changed its text
(a commit that only moved it does not count), or its modification time when it has uncommitted changes;
elsewhere, its modification time.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator.model.site import Site
from generator.model.types import Event, Page
from generator.render.i18n import catalog_coverage

GIT_TIMEOUT = 30  # seconds: the history of a large site is read once


@dataclass
class LanguageReport:
    code: str
    name: str
    events: tuple[int, int]  # translated, all
    pages: tuple[int, int]
    profiles: tuple[int, int]
    interface: tuple[int, int] | None  # messages translated, all; None: no catalog
    older: list[tuple[str, str]] = field(default_factory=list)  # (translation, original) paths

    def lines(self) -> list[str]:
        def share(counts: tuple[int, int]) -> str:
            return f"{counts[0]} of {counts[1]}"

        interface = share(self.interface) + " messages" if self.interface else "no catalog (shown in the default language)"
        found = [f"{self.name} ({self.code}): {share(self.events)} events, {share(self.pages)} pages, "
                 f"{share(self.profiles)} profiles translated; interface: {interface}"]
        if self.older:
            found.append(f"  {len(self.older)} translation{'s' * (len(self.older) != 1)} older than the original:")
            found += [f"    {translation} (original changed since: {original})" for translation, original in self.older]
        return found


def translation_report(site: Site, site_dir: Path) -> list[LanguageReport]:
    """A report for each of the site's languages but the default."""
    reports = []
    pairs: list[tuple[str, str]] = []  # every translation with its original
    for code, other in site.translations.items():
        language = next(language for language in site.config.languages if language.code == code)
        events = [e for e in other.events if e.translation is not None]
        pages = [p for p in other.pages if p.translation is not None]
        profiles = [p for p in other.profiles.values() if p.translation is not None]
        report = LanguageReport(code, language.name, (len(events), len(other.events)), (len(pages), len(other.pages)),
                                (len(profiles), len(other.profiles)),
                                catalog_coverage(site_dir / "templates", code))
        items: list[Event | Page] = [*events, *pages, *profiles]
        pairs += [(item.translation.path, item.translation.original) for item in items if item.translation]
        reports.append(report)
    if pairs:
        changed = last_changes(site_dir, {path for pair in pairs for path in pair})
        for report in reports:
            marker = f".{report.code}.md"
            report.older = sorted((translation, original) for translation, original in pairs
                                  if translation.endswith(marker) and
                                  changed.get(original, 0) > changed.get(translation, 0))
    return reports


def last_changes(site_dir: Path, paths: set[str]) -> dict[str, float]:
    """When each file (a path relative to the site) last changed, in seconds since the epoch."""
    found = _from_git(site_dir, paths)
    for path in paths - set(found):
        try:
            found[path] = os.stat(site_dir / path).st_mtime
        except OSError:
            pass
    return found


def _git(site_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(site_dir), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_git(site_dir: Path, paths: set[str]) -> dict[str, float]:
    """The commit time of each committed, unmodified file's last change of text (following moves)."""
    prefix = _git(site_dir, "rev-parse", "--show-prefix")
    log = _git(site_dir, "log", "--format=@%ct", "--name-status", "-M", "--", ".")
    status = _git(site_dir, "status", "--porcelain", "--untracked-files=all", "--", ".")
    if prefix is None or log is None or status is None:
        return {}
    prefix = prefix.strip()
    dirty = {line[3:].split(" -> ")[-1].strip('"') for line in status.splitlines() if len(line) > 3}
    aliases: dict[str, str] = {}  # a path in older history -> the path it has now
    last: dict[str, float] = {}
    when = 0.0
    for line in log.splitlines():
        if line.startswith("@"):
            when = float(line[1:])
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        kind, names = parts[0], parts[1:]
        now = aliases.get(names[-1], names[-1])
        if kind.startswith("R") and len(names) == 2:
            aliases[names[0]] = now
            if kind != "R100":
                last.setdefault(now, when)
        elif kind[:1] in ("A", "M", "C"):
            last.setdefault(now, when)
    found = {}
    for path in paths:
        in_repository = prefix + path
        if in_repository in last and in_repository not in dirty:
            found[path] = last[in_repository]
    return found
