"""`archive`: find, or with --save make, an archived copy of every source that has none, and write its address
(`archive_url`) and date (`archived`) into the file that cites it.

The Internet Archive's availability interface (/wayback/available?url=…&timestamp=…) names the snapshot closest
to the source's own date; Save Page Now (/save, then /save/status/JOB until the capture is done) makes one,
at most `rate` requests a minute. Every answer goes into the store (.cache/sources.sqlite) as it arrives and each
file is written once its sources are done, atomically and only if it did not change meanwhile: an interrupted
run leaves each file untouched or complete, and the next run takes what was learned from the store.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.engine.source_store import Snapshot, SourceStore
from generator.model.errors import Problem, Problems
from generator.read.source_edit import EditError, SourceSpot
from generator.verify.source_files import Unchanged, citing_files, read_citing, write_if_unchanged
from generator.verify.web import ApiError, RateLimit, call_json, pool

ARCHIVE_API = "https://archive.org"  # /wayback/available
SAVE_API = "https://web.archive.org"  # /save, /save/status/JOB, and the snapshots' /web/…
NONE_FOR = 86400.0  # a 'no snapshot' answer is trusted for a day
MAX_CAPTURE_WAIT = 600.0
GIVE_UP_AFTER = 3  # sources in a row for which the Archive could not be reached: the network is down


@dataclass
class ArchiveOptions:
    site_dir: Path
    paths: tuple[Path, ...] = ()
    save: bool = False
    api: str | None = None  # one base address for both of the Archive's hosts (tests)
    rate: float = 3.0  # Save Page Now requests a minute
    dry_run: bool = False
    backoff: float = 5.0  # seconds before the first retry, doubling; also between status checks of a capture
    timeout: float = 60.0
    tries: int = 4
    user_agent: str = "timeline-generator"
    keys: tuple[str, str] | None = None  # IA_ACCESS_KEY, IA_SECRET_KEY

    @staticmethod
    def keys_from_environment() -> tuple[str, str] | None:
        access, secret = os.environ.get("IA_ACCESS_KEY"), os.environ.get("IA_SECRET_KEY")
        return (access, secret) if access and secret else None


@dataclass
class ArchiveSummary:
    found: int = 0
    cached: int = 0  # of found and saved: taken from the store, without asking
    saved: int = 0
    archived_already: int = 0
    no_snapshot: int = 0
    failed: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    not_written: list[Problem] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)  # --dry-run: what would be written
    unreachable: int = 0  # sources in a row for which no server answered
    stopped: str = ""  # why the run stopped before the end

    @property
    def skipped(self) -> int:
        return self.archived_already + self.no_snapshot


class Wayback:
    """The Archive's two interfaces, through one pool, with retries and the rate limit on captures."""

    def __init__(self, options: ArchiveOptions) -> None:
        self.options = options
        base = options.api.rstrip("/") if options.api else None
        self.available_url = f"{base or ARCHIVE_API}/wayback/available"
        self.save_base = base or SAVE_API
        self.http = pool(options.user_agent, options.timeout, per_host=1)
        self.limit = RateLimit(options.rate)

    def _call(self, method: str, url: str, fields: dict[str, str] | None = None,
              headers: dict[str, str] | None = None, limited: bool = False) -> dict[str, object]:
        answer = call_json(self.http, method, url, self.options.timeout, self.options.backoff, self.options.tries,
                           fields, headers, before=self.limit.wait if limited else None)
        if not isinstance(answer, dict):
            raise ApiError(f"unexpected answer from {url}")
        return answer

    def closest(self, url: str, target: str) -> Snapshot:
        fields = {"url": url, **({"timestamp": target} if target else {})}
        answer = self._call("GET", self.available_url, fields)
        snapshots = answer.get("archived_snapshots")
        closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
        if not isinstance(closest, dict) or not closest.get("available") or \
                not str(closest.get("status", "200")).startswith("2"):
            return Snapshot(None, None)
        address, stamp = str(closest.get("url", "")), str(closest.get("timestamp", ""))
        if not self.options.api:
            address = address.replace("http://web.archive.org/", "https://web.archive.org/", 1)
        return Snapshot(address, _day(stamp)) if address and len(stamp) >= 8 else Snapshot(None, None)

    def submit(self, url: str) -> str:
        """Ask Save Page Now for a capture; its job id."""
        keys = self.options.keys
        headers = {"Authorization": f"LOW {keys[0]}:{keys[1]}"} if keys else {}
        answer = self._call("POST", f"{self.save_base}/save", {"url": url}, headers, limited=True)
        job = answer.get("job_id")
        if not job:
            raise ApiError(str(answer.get("message") or answer.get("status_ext") or "no capture job was started"))
        return str(job)

    def wait_for(self, job: str, url: str, sleep: Callable[[float], None] = time.sleep) -> Snapshot:
        """Poll a capture until it is done; its snapshot (ApiError when it failed)."""
        deadline = time.monotonic() + MAX_CAPTURE_WAIT
        while True:
            answer = self._call("GET", f"{self.save_base}/save/status/{job}")
            status = answer.get("status")
            if status == "success":
                stamp = str(answer.get("timestamp", ""))
                original = str(answer.get("original_url") or url)
                return Snapshot(f"{self.save_base}/web/{stamp}/{original}", _day(stamp))
            if status != "pending":
                raise ApiError(str(answer.get("message") or answer.get("status_ext") or f"capture {status}"))
            if time.monotonic() > deadline:
                raise ApiError(f"the capture was not done after {MAX_CAPTURE_WAIT:g} s (job {job})")
            sleep(self.options.backoff)


def _day(stamp: str) -> str:
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"


def target_of(spot: SourceSpot) -> str:
    """The source's date as a Wayback timestamp prefix (2020-01-02 -> 20200102), or '' when it has none."""
    date = spot.text("date") or ""
    digits = date.replace("-", "")
    return digits if digits.isdigit() and len(digits) in (4, 6, 8) else ""


def run_archive(options: ArchiveOptions, problems: Problems, store: SourceStore | None = None,
                progress: Callable[[int, int], None] | None = None) -> ArchiveSummary:
    """Archive the sources of the site's files (or of options.paths); problems gets unreadable files. The
    store is the site's own (.cache/sources.sqlite) unless given."""
    if store is None:
        own = SourceStore(options.site_dir)
        try:
            return run_archive(options, problems, own, progress)
        finally:
            own.close()
    summary = ArchiveSummary()
    wayback = Wayback(options)
    files = [f for path, rel in citing_files(options.site_dir, options.paths, problems)
             if (f := read_citing(path, rel, problems)) is not None]
    total = sum(len(f.doc.spots) for f in files)
    done = 0
    for citing in files:
        additions: dict[int, list[tuple[str, str]]] = {}
        for index, spot in enumerate(citing.doc.spots):
            done += 1
            if spot.values.get("archive_url") or not spot.url:
                summary.archived_already += 1
            elif (snapshot := _snapshot(wayback, store, spot, citing.rel, options, summary)) is not None:
                additions[index] = [("archive_url", snapshot.archive_url or ""), ("archived", snapshot.archived or "")]
                summary.planned.append(f"{citing.rel}:{spot.line}: source {spot.number}: archive_url: "
                                       f"{snapshot.archive_url} (archived {snapshot.archived})")
            if progress is not None:
                progress(done, total)
            if summary.unreachable >= GIVE_UP_AFTER:
                summary.stopped = (f"the Archive could not be reached for {GIVE_UP_AFTER} sources in a row: "
                                   f"stopped (what was found is written; run again later to carry on)")
                break
        if additions and not options.dry_run:
            try:
                write_if_unchanged(citing, citing.doc.with_keys(additions))
                summary.written.append(citing.rel)
            except EditError as error:
                summary.not_written.append(Problem(citing.rel, error.line, error.message))
            except Unchanged as error:
                summary.not_written.append(Problem(citing.rel, None, str(error)))
        if summary.stopped:
            break
    return summary


def _snapshot(wayback: Wayback, store: SourceStore, spot: SourceSpot, rel: str, options: ArchiveOptions,
              summary: ArchiveSummary) -> Snapshot | None:
    """The source's snapshot: from the store, the availability interface or (--save) a capture; None if none."""
    url, target = spot.url, target_of(spot)
    known = store.snapshot(url, target, NONE_FOR)
    if known is not None and known.archive_url:
        summary.found += 1
        summary.cached += 1
        return known
    pending = store.job(url)  # a capture asked for by an interrupted run
    try:
        if known is None and not pending:
            known = wayback.closest(url, target)
            summary.unreachable = 0
            store.put_snapshot(url, target, known)
            if known.archive_url:
                summary.found += 1
                return known
        if not options.save or options.dry_run:
            summary.no_snapshot += 1
            return None
        job = pending or wayback.submit(url)
        store.put_job(url, job)
        saved = wayback.wait_for(job, url)
    except ApiError as error:
        summary.unreachable = summary.unreachable + 1 if error.unreachable else 0
        store.put_job(url, None)  # a capture that failed is asked for again next time
        summary.failed.append(Problem(rel, spot.line, f"source {spot.number}: {url}: {error}"))
        return None
    summary.unreachable = 0
    store.put_snapshot(url, target, saved)
    store.put_job(url, None)
    summary.saved += 1
    return saved
