"""The command line: parses arguments, calls one function per command, turns problems into exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .build import BuildOptions, BuildResult, build, check
from .config import load_config
from .dates import DateError, parse_partial_date
from .errors import Problem, Problems, SiteError
from .fields import suggest


def report(problems: list[Problem], what: str) -> None:
    errors = sum(1 for p in problems if not p.warning)
    warnings = len(problems) - errors
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{what} failed: {errors} error{'s' * (errors != 1)}, "
               f"{warnings} warning{'s' * (warnings != 1)}.", err=True)


def show_warnings(result: BuildResult) -> None:
    for problem in result.warnings:
        click.echo(str(problem), err=True)


site_option = click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="The site folder (with site.yaml, content/, templates/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="generator")
def cli() -> None:
    """Build sourced, static timeline sites from Markdown events."""


@cli.command("build")
@site_option
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site (default: <site>/output).")
@click.option("--drafts", is_flag=True, help="Include events marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--base-url", help="Override site.yaml's base_url for this build.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
def build_command(site_dir: Path, output_dir: Path | None, drafts: bool, strict: bool, base_url: str | None,
                  quiet: bool) -> None:
    """Build the site into output/ (atomically: a failed build leaves it untouched)."""
    options = BuildOptions(site_dir, output_dir, drafts=drafts, strict=strict, base_url=base_url)
    try:
        result = build(options)
    except SiteError as error:
        report(error.problems, "Build")
        sys.exit(1)
    show_warnings(result)
    if not quiet:
        warnings = len(result.warnings)
        click.echo(f"Built {result.pages} files into {options.output} ({result.written} written, "
                   f"{result.unchanged} unchanged) in {result.seconds:.2f} s; "
                   f"{warnings} warning{'s' * (warnings != 1)}.")


@cli.command("check")
@site_option
@click.option("--drafts", is_flag=True, help="Also check events marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check_command(site_dir: Path, drafts: bool, strict: bool) -> None:
    """Validate site.yaml, content and templates without writing anything."""
    try:
        result = check(BuildOptions(site_dir, drafts=drafts, strict=strict))
    except SiteError as error:
        report(error.problems, "Check")
        sys.exit(1)
    show_warnings(result)
    warnings = len(result.warnings)
    click.echo(f"Checked: no errors, {warnings} warning{'s' * (warnings != 1)}; {result.pages} files would be built.")


@cli.command("new")
@site_option
@click.argument("title")
@click.option("--date", "date_text", required=True, help="2015, 2020-01 or 2020-01-02.")
@click.option("--actor", "actors", multiple=True, required=True, help="An actor id (repeat for several).")
@click.option("--kind", required=True, help="A kind id from site.yaml.")
@click.option("--supports", help="A side id from site.yaml.")
@click.option("--location", help="Where it happened.")
@click.option("--slug", help="The slug (default: from the title).")
def new_command(site_dir: Path, title: str, date_text: str, actors: tuple[str, ...], kind: str,
                supports: str | None, location: str | None, slug: str | None) -> None:
    """Write a new event file with a sources stub, ready to fill in."""
    from .content import slugify
    from .fields import ID_PATTERN
    from .scaffold import new_event

    problems = Problems()
    config = load_config(site_dir, problems)
    if config is None:
        report(problems.sorted(), "New")
        sys.exit(1)
    try:
        date = parse_partial_date(date_text)
    except DateError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    for actor in actors:
        if actor not in config.actors:
            raise click.BadParameter(f"unknown actor '{actor}'{suggest(actor, config.actors)}", param_hint="--actor")
    if kind not in config.kinds:
        raise click.BadParameter(f"unknown kind '{kind}'{suggest(kind, config.kinds)}", param_hint="--kind")
    if supports and supports not in config.sides:
        raise click.BadParameter(f"unknown side '{supports}'{suggest(supports, config.sides)}",
                                 param_hint="--supports")
    if slug is not None and not ID_PATTERN.match(slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens", param_hint="--slug")
    if not (slug or slugify(title)):
        raise click.BadParameter("the title has no letters to make a slug from; give --slug", param_hint="TITLE")
    try:
        path = new_event(site_dir, title, date, list(actors), kind, supports, location, slug)
    except FileExistsError as error:
        click.echo(f"{error.args[0]}: already exists; not overwritten (choose another --slug)", err=True)
        sys.exit(1)
    click.echo(f"Wrote {path}. Fill in its source and summary, then run: python -m generator check")


def main() -> None:
    cli(prog_name="python -m generator")


if __name__ == "__main__":
    main()
