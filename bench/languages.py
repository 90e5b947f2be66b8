"""`make bench-languages`: what a second language costs. The same generated events built as a one-language
site and as a two-language site in which every event is translated (bench/synth.py), cold builds
interleaved (A, B, A, B…, so that the machine's drift hits both alike), then one-event edits on the
two-language site: of an original, and of a translation. The target: the two-language cold build at most
2.2 times the one-language one (Hugo measures 2 to 2.6 times on such sites), and an edit under a second.
Search is turned off here: its indexing (bench/search_bench.py) would hide what languages cost.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import threading
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, SCRATCH, run_build, set_aside  # noqa: E402
from synth import make_site, refresh_site  # noqa: E402


def site_for(count: int, languages: tuple[str, ...]) -> Path:
    site = SCRATCH / f"site-{count}-{'-'.join(languages)}"
    expected = count * len(languages)
    if not (site / "content").is_dir() or sum(1 for _ in (site / "content/events").rglob("*.md")) != expected:
        if site.exists():
            (SCRATCH / "attic").mkdir(parents=True, exist_ok=True)
            os.rename(site, SCRATCH / "attic" / f"{site.name}-{time.monotonic_ns()}")
        make_site(site, count, languages=languages)
    refresh_site(site, languages)
    with open(site / "site.yaml", "a", encoding="utf-8") as config:  # what search costs: bench/search_bench.py
        config.write("search: false\n")
    return site


def edit(site: Path, pattern: str, index: int, mark: str = "edited") -> tuple[Path, str, float]:
    """Add "(<mark> <index>, <time>)" to the title of one event file (of those matching pattern); its page in output/,
    what was added, and when the file was saved."""
    files = sorted((site / "content/events").rglob(pattern))
    files = [f for f in files if pattern != "*.md" or f.name.count(".") == 1]
    path = files[(index * 7919) % len(files)]
    text = path.read_text()
    added = f"({mark} {index}, {time.time_ns()})"  # (new at each run, so that it is not in the page already)
    text = re.sub(r'^title: ("?)(.*?)("?)$', lambda m: f"title: {m[1]}{m[2]} {added}{m[3]}", text, count=1, flags=re.M)
    saved = time.perf_counter()
    path.write_text(text)
    slug = path.name.split(".")[0]
    language = path.name.split(".")[1] if path.name.count(".") == 2 else ""
    return site / "output" / language / "events" / slug / "index.html", added, saved


def watched_edits(site: Path, runs: int) -> list[float]:
    """One-event edits under `build --watch`, alternately of an original and of a translation: the seconds from
    each save to the event's page in output/ showing it (the build's other pages are written with it, in one
    commit). Each next edit waits for the watch to say that its build is over (its cache saved)."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--watch", "--site", str(site)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    output = process.stdout

    def read() -> None:
        for said in output:
            lines.put(said)

    threading.Thread(target=read, daemon=True).start()

    def line(starting: str) -> str:
        while not (found := lines.get(timeout=300)).startswith(starting):
            pass
        return found

    times = []
    try:
        line("Watching")
        for n in range(runs):
            page, added, saved = edit(site, "*.id.md" if n % 2 else "*.md", 1000 + n, "watched")
            while added.encode() not in page.read_bytes():
                time.sleep(0.002)
            times.append(time.perf_counter() - saved)
            print(f"  watched edit {n + 1}: {times[-1]:.2f} s; {line('Changed').strip()}")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--watched-only", action="store_true", help="Only the edits under build --watch.")
    options = parser.parse_args()
    if options.watched_only:
        report_watched(watched_edits(site_for(options.count, ("en", "id")), 2 * options.runs))
        return
    one, two = site_for(options.count, ("en",)), site_for(options.count, ("en", "id"))
    for site in (one, two):  # warm the disk and the interpreter's caches once
        set_aside(site, "warmup")
        run_build(site)
    colds: dict[Path, list[float]] = {one: [], two: []}
    for n in range(options.runs):
        for site in (one, two):
            set_aside(site, f"cold{n}")
            colds[site].append(run_build(site)[0])
    set_aside(two, "memory")
    peak = run_build(two, sample=True)[1]
    originals, translations = [], []
    for n in range(options.runs):
        edit(two, "*.md", n)
        originals.append(run_build(two)[0])
        edit(two, "*.id.md", n)
        translations.append(run_build(two)[0])
    a, b = statistics.median(colds[one]), statistics.median(colds[two])
    print(f"{options.count} events, cold build (median of {options.runs}, interleaved): one language {a:.2f} s, "
          f"two languages {b:.2f} s: {b / a:.2f} times (target: at most 2.2)")
    print(f"  runs: one {', '.join(f'{t:.2f}' for t in colds[one])}; two {', '.join(f'{t:.2f}' for t in colds[two])}")
    print(f"  two languages, peak memory {peak:.0f} MB")
    print(f"  one-event edit, two languages (median): of an original {statistics.median(originals):.2f} s, "
          f"of a translation {statistics.median(translations):.2f} s (target: under 1 s)")
    report_watched(watched_edits(two, 2 * options.runs))


def report_watched(times: list[float]) -> None:
    print(f"  one-event edit under build --watch, two languages (median, save to page in output/): of an original "
          f"{statistics.median(times[::2]):.2f} s, of a translation {statistics.median(times[1::2]):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
