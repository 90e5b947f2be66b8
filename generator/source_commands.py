"""The two commands that use the network, and only when asked: `archive` and `check --sources` (__main__.py
declares their options and calls these)."""

from __future__ import annotations

import sys
from typing import Any

import click

from generator import __version__
from generator.model.errors import Problem, Problems
from generator.verify.archive import ArchiveOptions, run_archive
from generator.verify.dead_sources import SourceCheckOptions, check_sources

def user_agent(what: str) -> str:
    """An honest User-Agent: the program, its version and what it does."""
    return f"timeline-generator/{__version__} ({what}; a static-site generator checking the sources it cites)"


class Progress:
    """A tqdm bar on a terminal (standard error), nothing elsewhere."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            from tqdm import tqdm  # type: ignore[import-untyped]

            self.bar = tqdm(total=total, desc=self.label, unit=" sources", leave=False, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _echo_problems(problems: list[Problem]) -> None:
    for problem in sorted(problems, key=lambda p: (p.path, p.line or 0, p.message)):
        click.echo(str(problem), err=True)


def archive(options: ArchiveOptions) -> int:
    """Run `archive`; the exit status (1 when a source failed or a file could not be written)."""
    problems = Problems()
    progress = Progress("Archiving")
    try:
        summary = run_archive(options, problems, progress=progress)
    finally:
        progress.close()
    _echo_problems(problems.items)  # files that cannot be read, PATHs that are not the site's
    if options.dry_run:
        for line in summary.planned:
            click.echo(f"would write {line}")
    _echo_problems(summary.failed + summary.not_written)
    if summary.stopped:
        click.echo(f"archive: {summary.stopped}", err=True)
    written = f"{len(summary.written)} file{'s' * (len(summary.written) != 1)} written"
    click.echo(f"Archive: {summary.found} found ({summary.cached} from the cache), {summary.saved} saved, "
               f"{len(summary.failed)} failed, {summary.skipped} skipped ({summary.archived_already} already "
               f"archived, {summary.no_snapshot} without a snapshot{'' if options.save else ': --save asks for one'}"
               f"); {'nothing written (--dry-run)' if options.dry_run else written}.")
    return 1 if summary.failed or summary.not_written or summary.stopped or problems.errors else 0


def check_source_urls(options: SourceCheckOptions) -> int:
    """Run `check --sources`; the exit status."""
    progress = Progress("Checking sources")
    try:
        report = check_sources(options, progress=progress)
    finally:
        progress.close()
    _echo_problems(report.problems.items)
    errors = len(report.problems.errors)
    click.echo(f"Checked {report.sources} sources ({report.urls} addresses, {report.urls - report.fetched} from "
               f"the cache): {report.dead} dead; {errors} error{'s' * (errors != 1)}"
               + (f"; marked dead in {', '.join(report.marked)}" if report.marked else "") + ".")
    return 1 if errors else 0
