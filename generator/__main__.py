"""The command line: parses arguments, calls one function per command, turns problems into exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from generator import __version__, command
from generator import BuildOptions, BuildResult, build, check
from generator.read.config import load_config
from generator.model.dates import DateError, parse_partial_date
from generator.model.errors import Problem, Problems, SiteError
from generator.read.fields import suggest
from generator.model.types import SiteConfig
from generator.build_reports import ProgressBar, built_line, report, show_warnings, watch_builds


def _site_args(site_dir: Path) -> list[str]:
    """--site DIR, for a command to print, unless the site is the current folder."""
    return [] if site_dir.resolve() == Path.cwd().resolve() else ["--site", str(site_dir)]


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
@click.option("--no-cache", is_flag=True, help="Ignore the build cache in .cache/ (and do not update it).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but problems.")
@click.option("--watch", is_flag=True, help="Then rebuild after every change to content/, templates/ and site.yaml, "
                                           "until Ctrl-C.")
@click.option("--poll", is_flag=True, help="With --watch: poll for changes (for file systems without change "
                                          "events).")
def build_command(site_dir: Path, output_dir: Path | None, drafts: bool, strict: bool, base_url: str | None,
                  no_cache: bool, quiet: bool, watch: bool, poll: bool) -> None:
    """Build the site into output/ (a failed build leaves it untouched)."""
    options = BuildOptions(site_dir, output_dir, drafts=drafts, strict=strict, base_url=base_url,
                           use_cache=not no_cache)
    if poll and not watch:
        raise click.UsageError("--poll goes with --watch")

    def waiting(pid: str) -> None:
        click.echo(f"Another build into {options.output} is running (process {pid}): waiting for it to finish…",
                   err=True)

    with ProgressBar(enabled=not quiet and sys.stderr.isatty()) as progress:
        if watch:
            sys.exit(watch_builds(options, quiet, progress, waiting, poll))
        try:
            result = build(options, progress=progress.update, waiting=waiting)
        except SiteError as error:
            progress.close()
            report(error.problems, "Build")
            sys.exit(1)
    show_warnings(result)
    if not quiet:
        click.echo(built_line(options, result))
        if result.search == "indexed":
            click.echo(f"Search index rebuilt in {result.timings.get('search index', 0.0):.2f} s.")
        elif result.search == "unchanged":
            click.echo("Search index unchanged: no page it covers changed.")


@cli.command("check")
@site_option
@click.option("--drafts", is_flag=True, help="Also check events marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also verify the site built there: links, anchors, titles, feeds, data "
                   "(default: <site>/output, once built).")
@click.option("--sources", is_flag=True, help="Instead: fetch every source's address and report the dead ones "
                                               "(uses the network; PATH… limits it to those files).")
@click.option("--refresh", is_flag=True, help="With --sources: ask again, ignoring the answers cached for a day.")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="With --sources: seconds to wait for a page.")
@click.option("--mark-dead", is_flag=True, help="With --sources: add 'dead: <today>' to sources that are gone "
                                                "(404, 410, redirected to the home page).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(site_dir: Path, drafts: bool, strict: bool, output_dir: Path | None, sources: bool,
                  refresh: bool, timeout: float, mark_dead: bool, paths: tuple[Path, ...]) -> None:
    """Validate site.yaml, content and templates without writing anything; verify the built site. With
    --sources, check instead that the sources' addresses still answer."""
    if sources:
        from generator.source_commands import check_source_urls, user_agent
        from generator.verify.dead_sources import SourceCheckOptions

        sys.exit(check_source_urls(SourceCheckOptions(
            site_dir, paths, refresh=refresh, timeout=timeout, strict=strict, mark_dead=mark_dead,
            user_agent=user_agent("source check"))))
    if paths or refresh or mark_dead:
        raise click.UsageError("PATH, --refresh and --mark-dead go with --sources")
    try:
        result = check(BuildOptions(site_dir, drafts=drafts, strict=strict))
    except SiteError as error:
        report(error.problems, "Check")
        sys.exit(1)
    show_warnings(result)
    warnings = len(result.warnings)
    click.echo(f"Checked: no errors, {warnings} warning{'s' * (warnings != 1)}; {result.pages} files would be built.")
    if result.site is not None and result.site.translations:
        from generator.verify.translations import translation_report

        click.echo("Translations:")
        for language in translation_report(result.site, site_dir):
            for line in language.lines():
                click.echo(f"  {line}")
    built = output_dir or BuildOptions(site_dir).output
    if output_dir is not None or built.is_dir():
        from generator.verify.links import verify_built_site

        published = verify_built_site(built, site_dir)
        if published.problems:
            report(published.problems, f"Check of the built site in {built}")
            sys.exit(1)
        click.echo(f"Verified the built site in {built}: {published.pages} pages, {published.links} links; "
                   f"no broken links.")


def _actor_entry(text: str, config: SiteConfig) -> dict[str, str]:
    """--actor ID[:ROLE[:SIDE]] as an actor entry {id, role, supports}, checked against site.yaml."""
    ident, role, side, *rest = [*text.split(":"), "", ""]
    if any(rest):
        raise click.BadParameter(f"'{text}': write ID, ID:ROLE or ID:ROLE:SIDE", param_hint="--actor")
    if ident not in config.actors:
        raise click.BadParameter(f"unknown actor '{ident}'{suggest(ident, config.actors)}", param_hint="--actor")
    entry = {"id": ident}
    if role:
        if role not in config.roles:
            raise click.BadParameter(f"unknown role '{role}'{suggest(role, config.roles)}", param_hint="--actor")
        entry["role"] = role
    if side:
        if side not in config.sides:
            raise click.BadParameter(f"unknown side '{side}'{suggest(side, config.sides)}", param_hint="--actor")
        if not config.roles[role or "acted"].acts:
            raise click.BadParameter(f"'{text}': the role '{role}' backs no side", param_hint="--actor")
        entry["supports"] = side
    return entry


@cli.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="A timeline of foreign involvement", show_default=True, help="The site's title.")
@click.option("--language", default="en", show_default=True, help="The content's language (BCP 47: en, fr, ar…).")
def init_command(folder: Path, title: str, language: str) -> None:
    """Start a new site in FOLDER (new or empty): site.yaml, an example event, pages and templates."""
    from generator.authoring.init import NotEmpty, init_site
    from generator.model.dates import is_known_language

    if not title.strip():
        raise click.BadParameter("the title must not be empty", param_hint="--title")
    if not is_known_language(language):
        raise click.BadParameter(f"unknown language code '{language}' (use BCP 47, e.g. en, en-GB, fr)",
                                 param_hint="--language")
    try:
        init_site(folder, title.strip(), language)
    except NotEmpty:
        click.echo(f"{folder}: not an empty folder; init writes only into a new or empty one, so that it never "
                   f"overwrites a site", err=True)
        sys.exit(1)
    except FileNotFoundError as error:
        click.echo(f"the generator's own templates are missing ({error.args[0]}): nothing was written", err=True)
        sys.exit(1)
    click.echo(f"Wrote a new site into {folder}: site.yaml (every key explained), an example event, About and "
               f"Methodology pages, templates/. Build it with: {command('build', '--site', str(folder))}")


@cli.command("new")
@site_option
@click.argument("title")
@click.option("--date", "date_text", required=True, help="2015, 2020-01 or 2020-01-02.")
@click.option("--actor", "actors", multiple=True, required=True,
              help="An actor id, or ID:ROLE or ID:ROLE:SIDE (uae:supplier:lna, eu:enforcer); repeat for several.")
@click.option("--kind", required=True, help="A kind id from site.yaml.")
@click.option("--supports", help="A side id from site.yaml.")
@click.option("--location", help="Where it happened.")
@click.option("--slug", help="The slug (default: from the title).")
def new_command(site_dir: Path, title: str, date_text: str, actors: tuple[str, ...], kind: str,
                supports: str | None, location: str | None, slug: str | None) -> None:
    """Write a new event file with a sources stub, ready to fill in."""
    from generator.model.text import slugify
    from generator.read.fields import ID_PATTERN
    from generator.authoring.scaffold import new_event

    problems = Problems()
    config = load_config(site_dir, problems)
    if config is None:
        report(problems.sorted(), "New")
        sys.exit(1)
    try:
        date = parse_partial_date(date_text)
    except DateError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    entries = [_actor_entry(actor, config) for actor in actors]
    if not any(config.roles[entry.get("role", "acted")].acts for entry in entries):
        raise click.BadParameter("no actor acts: give at least one an acting role (or none, which means acted)",
                                 param_hint="--actor")
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
        path = new_event(site_dir, title, date, entries, kind, supports, location, slug)
    except FileExistsError as error:
        click.echo(f"{error.args[0]}: already exists; not overwritten (choose another --slug)", err=True)
        sys.exit(1)
    click.echo(f"Wrote {path}. Fill in its source and summary, then run: {command('check', *_site_args(site_dir))}")


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    """--date and --published: a partial date; --published also takes n.d. (no date shown)."""
    from generator.read.fields import UNDATED

    if value is None:
        return None
    if param.name == "published" and value.strip().lower() in UNDATED:
        return "n.d."
    try:
        return parse_partial_date(value)
    except DateError as error:
        raise click.BadParameter(str(error)) from None


@cli.command("import")
@site_option
@click.argument("article")
@click.option("--url", help="The article's address (default: the page's canonical address).")
@click.option("--publisher", help="Who published it (default: the page's site name).")
@click.option("--language", help="Its language, BCP 47 (default: detected).")
@click.option("--date", callback=_date_option, help="The event's date: 2015, 2020-01 or 2020-01-02 "
                                                     "(default: proposed from the dates in the text).")
@click.option("--published", callback=_date_option, help="The article's publication date, or n.d. "
                                                         "(default: the page's date).")
@click.option("--title", help="The event's title, in your own words (default: the article's headline).")
@click.option("--actor", "actors", multiple=True, help="An actor id (repeat for several; default: detected).")
@click.option("--kind", help="A kind id from site.yaml (default: detected from keywords).")
@click.option("--slug", help="The slug (default: from the title, or the actors and kind).")
def import_command(site_dir: Path, article: str, url: str | None, publisher: str | None, language: str | None,
                   date: Any, published: Any, title: str | None, actors: tuple[str, ...], kind: str | None,
                   slug: str | None) -> None:
    """Turn a news article (text file, saved HTML page, or - for standard input) into a draft event."""
    from urllib.parse import urlsplit

    from generator.model.dates import is_known_language
    from generator.authoring.draft import describe, write_draft
    from generator.read.fields import ID_PATTERN
    from generator.authoring.importer import ImportOptions, prepare_draft

    problems = Problems()
    config = load_config(site_dir, problems)
    if config is None:
        report(problems.sorted(), "Import")
        sys.exit(1)
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise click.BadParameter(f"must be an http:// or https:// address, found '{url}'", param_hint="--url")
    if language and not is_known_language(language):
        raise click.BadParameter(f"unknown language code '{language}' (use BCP 47, e.g. en, fr, ar, id)",
                                 param_hint="--language")
    for actor in actors:
        if actor not in config.actors:
            raise click.BadParameter(f"unknown actor '{actor}'{suggest(actor, config.actors)}", param_hint="--actor")
    if kind and kind not in config.kinds:
        raise click.BadParameter(f"unknown kind '{kind}'{suggest(kind, config.kinds)}", param_hint="--kind")
    if slug is not None and not ID_PATTERN.match(slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens", param_hint="--slug")
    options = ImportOptions(article, site_dir, url=url, publisher=publisher, language=language, date=date,
                            published=published, title=title, actors=actors, kind=kind, slug=slug)
    try:
        draft = prepare_draft(config, options)
        write_draft(draft)
    except SiteError as error:
        report(error.problems, "Import")
        sys.exit(1)
    except FileExistsError as error:
        click.echo(f"{error.filename}: already exists; not overwritten (give another --slug or --date)", err=True)
        sys.exit(1)
    except OSError as error:
        click.echo(f"{error.filename}: cannot write the draft: {error.strerror}", err=True)
        sys.exit(1)
    for line in describe(draft, command("check", "--drafts", *_site_args(site_dir))):
        click.echo(line)


@cli.command("archive")
@site_option
@click.option("--save", is_flag=True, help="Ask Save Page Now to capture the sources that have no snapshot.")
@click.option("--api", metavar="URL", help="One base address serving /wayback/available, /save and "
                                           "/save/status/JOB instead of the Internet Archive's (for tests).")
@click.option("--rate", default=3.0, show_default=True, type=click.FloatRange(0.1, 6000),
              help="Save Page Now requests a minute, at most.")
@click.option("--backoff", default=5.0, show_default=True, type=click.FloatRange(0, 600),
              help="Seconds before the first retry after a 429 or 5xx (doubling), and between checks of a capture.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def archive_command(site_dir: Path, save: bool, api: str | None, rate: float, backoff: float, dry_run: bool,
                    paths: tuple[Path, ...]) -> None:
    """Find (or, with --save, make) an archived copy of every source without archive_url, and write its
    address and date into the file (PATH… limits it to those files)."""
    from generator.source_commands import archive, user_agent
    from generator.verify.archive import ArchiveOptions

    sys.exit(archive(ArchiveOptions(site_dir, paths, save=save, api=api, rate=rate, dry_run=dry_run,
                                    backoff=backoff, user_agent=user_agent("archive"),
                                    keys=ArchiveOptions.keys_from_environment())))


@cli.command("serve")
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (others can reach it!).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--drafts/--no-drafts", default=True, show_default=True, help="Show events marked draft: true.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--poll", is_flag=True, help="Poll for changes (for file systems without change events).")
def serve_command(site_dir: Path, host: str, port: int, drafts: bool, open_browser: bool, poll: bool) -> None:
    """Preview the site with live reload: rebuild on every change to content/, templates/ and site.yaml."""
    from generator.serve.server import main as serve_main

    sys.exit(serve_main(site_dir, host, port, drafts, open_browser, poll))


def run(args: list[str] | None = None) -> int:
    """Run the CLI with these arguments (the command line's by default) and return its exit status, unless a
    command ended with sys.exit() (its SystemExit passes through): a bug shows as one line (GENERATOR_DEBUG=1 for
    the traceback), Ctrl-C as 'Interrupted.'"""
    import os

    try:
        cli(args=args, prog_name=command(), standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as error:  # a bug: say so plainly, without a traceback
        if os.environ.get("GENERATOR_DEBUG"):
            raise
        click.echo(f"internal error: {type(error).__name__}: {error} (this is a bug in the generator; "
                   f"run with GENERATOR_DEBUG=1 for details)", err=True)
        return 3
    return 0


def main() -> None:
    """The command line's entry point: run(), then end the process with its status."""
    import os

    status = run()
    sys.stdout.flush()
    sys.stderr.flush()
    if status:
        sys.exit(status)
    # Done: end the process without freeing the heap object by object (50 ms after a large build).
    os._exit(0)


if __name__ == "__main__":
    main()
