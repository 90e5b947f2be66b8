"""`check --sources`: fetch every source's address and report the dead ones where they are cited.

Each distinct address is fetched once, concurrently but never more than two at a time from one host, with a
timeout and a User-Agent that says who asks; redirects are followed, and one that ends on the site's home page
counts as dead (the article is usually gone). Answers are kept in the store for a day (`refresh` asks again).
A dead source is a warning when it has an archived copy; without one it is a warning too, and an error under
--strict. With mark_dead, sources that are gone for good (404, 410, a redirect to the home page) get a
`dead: <today>` line, written like `archive` writes (see source_edit.py), so that the site links their
archived copy first: the build itself never depends on the store.
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from generator.engine.source_store import CheckResult, SourceStore
from generator.model.errors import Problem, Problems
from generator.read.source_edit import EditError
from generator.verify.source_files import CitingFile, Unchanged, citing_files, read_citing, write_if_unchanged
from generator.verify.web import fetch, pool

DAY = 86400.0
GONE_FOR_GOOD = ("404 ", "410 ", "redirected to the home page")  # what --mark-dead marks (not a timeout)


@dataclass
class SourceCheckOptions:
    site_dir: Path
    paths: tuple[Path, ...] = ()
    refresh: bool = False
    timeout: float = 20.0
    strict: bool = False
    mark_dead: bool = False
    per_host: int = 2
    jobs: int = 8
    user_agent: str = "timeline-generator"


@dataclass
class SourceCheckReport:
    sources: int = 0
    urls: int = 0
    fetched: int = 0  # the others came from the store
    dead: int = 0
    problems: Problems = field(default_factory=Problems)
    marked: list[str] = field(default_factory=list)  # files given dead: lines


class HostLimit:
    """A semaphore per host: at most `size` requests at a time to each."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.hosts: dict[str, threading.Semaphore] = {}

    def __call__(self, url: str) -> threading.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self.lock:
            return self.hosts.setdefault(host, threading.Semaphore(self.size))


def check_sources(options: SourceCheckOptions, store: SourceStore | None = None,
                  progress: Callable[[int, int], None] | None = None) -> SourceCheckReport:
    """Check the sources of the site's files (or of options.paths); the store is the site's own unless given."""
    if store is None:
        own = SourceStore(options.site_dir)
        try:
            return check_sources(options, own, progress)
        finally:
            own.close()
    report = SourceCheckReport()
    files = [f for path, rel in citing_files(options.site_dir, options.paths, report.problems)
             if (f := read_citing(path, rel, report.problems)) is not None]
    urls = sorted({spot.url for f in files for spot in f.doc.spots if spot.url})
    report.sources = sum(len(f.doc.spots) for f in files)
    report.urls = len(urls)
    results = _results(urls, options, store, report, progress)
    today = datetime.date.today().isoformat()
    for citing in files:
        marks: dict[int, list[tuple[str, str]]] = {}
        for index, spot in enumerate(citing.doc.spots):
            result = results.get(spot.url)
            if result is None or not result.dead:
                continue
            report.dead += 1
            message = f"source {spot.number}: {spot.url}: {result.reason}"
            if spot.values.get("archive_url"):
                report.problems.warn(citing.rel, spot.line, f"{message} (an archived copy is linked)")
            elif options.strict:
                report.problems.error(citing.rel, spot.line, f"{message} (and no archive_url: run archive)")
            else:
                report.problems.warn(citing.rel, spot.line, f"{message} (and no archive_url: run archive)")
            if options.mark_dead and "dead" not in spot.values and result.reason.startswith(GONE_FOR_GOOD):
                marks[index] = [("dead", today)]
        if marks:
            _mark(citing, marks, report)
    return report


def _results(urls: list[str], options: SourceCheckOptions, store: SourceStore, report: SourceCheckReport,
             progress: Callable[[int, int], None] | None) -> dict[str, CheckResult]:
    results: dict[str, CheckResult] = {}
    todo = []
    for url in urls:
        known = None if options.refresh else store.check(url, DAY)
        if known is None:
            todo.append(url)
        else:
            results[url] = known
    report.fetched = len(todo)
    manager = pool(options.user_agent, options.timeout, options.per_host)
    limit = HostLimit(options.per_host)
    lock = threading.Lock()

    def one(url: str) -> None:
        with limit(url):
            fetched = fetch(manager, url, options.timeout)
        result = CheckResult(fetched.dead, fetched.reason)
        store.put_check(url, result)
        with lock:
            results[url] = result
            if progress is not None:
                progress(len(results), len(urls))

    # Hosts interleaved, so that the workers are not all queued behind one host's limit.
    rank: dict[str, int] = {}
    order = []
    for url in todo:
        rank[_host(url)] = rank.get(_host(url), -1) + 1
        order.append((rank[_host(url)], url))
    todo = [url for _, url in sorted(order)]
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as workers:
        for future in [workers.submit(one, url) for url in todo]:
            future.result()
    return results


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _mark(citing: CitingFile, marks: dict[int, list[tuple[str, str]]], report: SourceCheckReport) -> None:
    try:
        write_if_unchanged(citing, citing.doc.with_keys(marks))
        report.marked.append(citing.rel)
    except EditError as error:
        report.problems.error(citing.rel, error.line, error.message)
    except Unchanged as error:
        report.problems.error(citing.rel, None, str(error))
