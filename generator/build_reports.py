"""What `build` and `check` print: problems, the progress bar, the closing line, and under `build --watch` a line
(or the problems) per rebuild."""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from generator.model.errors import Problem, SiteError
from generator.pipeline.options import BuildOptions, BuildResult
from generator.pipeline.watching import WATCHED


def report(problems: list[Problem], what: str) -> None:
    errors = sum(1 for p in problems if not p.warning)
    warnings = len(problems) - errors
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{what} failed: {errors} error{'s' * (errors != 1)}, "
               f"{warnings} warning{'s' * (warnings != 1)}.", err=True)


class ProgressBar:
    """A progress bar on a terminal for builds that take more than about a second; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.stage = ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm  # type: ignore[import-untyped]

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit=" files", delay=1.0, leave=False, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def show_warnings(result: BuildResult) -> None:
    for problem in result.warnings:
        click.echo(str(problem), err=True)


def built_line(options: BuildOptions, result: BuildResult, what: str = "") -> str:
    """The line a build ends with (after what it took in, under --watch)."""
    warnings = len(result.warnings)
    built = f"{what}: built" if what else "Built"
    return (f"{built} {result.pages} files into {options.output}: {result.written} written, "
            f"{result.unchanged} unchanged, {result.removed} removed, in {result.seconds:.2f} s "
            f"(peak memory {result.peak_mb:.0f} MB); {warnings} warning{'s' * (warnings != 1)}.")


def watch_builds(options: BuildOptions, quiet: bool, progress: ProgressBar, waiting: Callable[[str], None],
                 poll: bool) -> int:
    """build --watch: each build's line (problems always), until Ctrl-C; the exit status."""
    from generator.pipeline.watch_build import Rebuilt, WatchBuild

    def tell(rebuilt: Rebuilt) -> None:
        progress.close()
        if rebuilt.stage == "pages" and rebuilt.crash:
            click.echo(f"{rebuilt.what}: internal error: {rebuilt.crash} (this is a bug in the generator); "
                       f"{options.output} left as it was.", err=True)
        elif rebuilt.stage == "pages" and rebuilt.result is None:
            report(rebuilt.problems, f"{rebuilt.what}: build")
            click.echo(f"{options.output} left as it was; fix the problems and save again.", err=True)
        elif rebuilt.result is not None:
            show_warnings(rebuilt.result)
            if not quiet:
                click.echo(built_line(options, rebuilt.result, rebuilt.what))
        deferred = rebuilt.stage == "pages" and rebuilt.search == "deferred"  # (then its search pass follows)
        search = "" if deferred else rebuilt.search
        if search == "indexed" and not quiet:
            click.echo(f"Search index rebuilt in {rebuilt.search_seconds:.2f} s.")
        elif search in ("postponed", "deferred") and not quiet:
            click.echo("Search index: left for the next rebuild (files changed meanwhile).")
        elif search.startswith("failed"):
            click.echo(f"Search index not rebuilt: {search.removeprefix('failed: ')}", err=True)
        if watcher.builds == 1 and rebuilt.stage == "pages" and not quiet:
            click.echo(f"Watching {', '.join(WATCHED)} for changes; press Ctrl-C to stop.")

    watcher = WatchBuild(options, tell, progress.update, waiting, poll)
    try:
        watcher.run()
    except SiteError as error:  # (the output folder cannot be used)
        report(error.problems, "Build")
        return 1
    except KeyboardInterrupt:
        click.echo("Stopped watching.", err=True)
        return 0
    if watcher.failure:
        click.echo(f"error: {watcher.failure}", err=True)
        return 1
    return 0
