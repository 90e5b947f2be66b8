"""`make bench`: build times, memory and page sizes for generated sites of 1,000 and 10,000 events.

Cold builds start with no cache and no output; old trees are renamed aside, never deleted between runs,
because deleting many files slows file creation on these machines for minutes afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hugo_site import make_hugo_site  # noqa: E402
from synth import make_site, refresh_site  # noqa: E402
from search_bench import report as search_report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "bench" / "scratch"


def tree_pss_mb(pid: int) -> float:
    """Proportional memory (PSS) of a process and its descendants, in MB: shared pages counted once."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (OSError, ValueError):
            continue
    return total / 1024


def run_build(site: Path, *extra: str, sample: bool = False) -> tuple[float, float]:
    """Run `generator build` on site; (wall seconds, peak memory of the process tree in MB if sampled).

    Sampling reads /proc/<pid>/smaps_rollup of every process 50 times a second, which walks their page
    tables and slows the build it measures (by up to a quarter): times come from runs without it.

    The build runs as Python runs by default, keeping its modules' compiled bytecode: without
    PYTHONDONTWRITEBYTECODE, which some machines set (this one's shell does), every run would compile the
    generator's 80 modules again, 0.2 s of every build."""
    command = [sys.executable, "-m", "generator", "build", "--quiet", "--site", str(site), *extra]
    peak = 0.0
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment)
    done = threading.Event()

    def sampling() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_mb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sampling)
    if sample:
        sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    if sample:
        sampler.join()
    if process.returncode:
        raise SystemExit(f"build failed:\n{errors.decode()[-2000:]}")
    return elapsed, peak


def set_aside(site: Path, label: str) -> None:
    """Move output/ and .cache/ out of the way (renamed, not deleted)."""
    attic = SCRATCH / "attic"
    attic.mkdir(parents=True, exist_ok=True)
    for name in ("output", ".cache"):
        if (site / name).exists():
            os.rename(site / name, attic / f"{site.name}-{name.strip('.')}-{label}-{time.monotonic_ns()}")


def edit_one(site: Path, index: int) -> None:
    files = sorted((site / "content/events").rglob("*.md"))
    path = files[(index * 7919) % len(files)]
    text = path.read_text()
    path.write_text(re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)} (edited {index})", text, count=1,
                           flags=re.M))


def largest_page_kb(site: Path) -> tuple[float, str]:
    biggest = max((p for p in (site / "output").rglob("*.html")), key=lambda p: p.stat().st_size)
    return biggest.stat().st_size / 1024, biggest.relative_to(site / "output").as_posix()


def measure(count: int, runs: int) -> dict[str, object]:
    site = SCRATCH / f"site-{count}"
    if not (site / "content").is_dir() or len(list((site / "content/events").rglob("*.md"))) != count:
        if site.exists():
            os.rename(site, SCRATCH / "attic" / f"site-{count}-{time.monotonic_ns()}") if (SCRATCH / "attic").is_dir() \
                else shutil.rmtree(site)
        make_site(site, count)
    refresh_site(site)  # the current templates and site.yaml
    set_aside(site, "warmup")
    run_build(site)  # warm the disk and the interpreter's caches once
    colds, peaks = [], []
    for n in range(runs):
        set_aside(site, f"cold{n}")
        colds.append(run_build(site)[0])
    set_aside(site, "memory")
    peaks.append(run_build(site, sample=True)[1])  # one more cold build, for its memory
    nochange = [run_build(site)[0] for _ in range(runs)]
    peaks.append(run_build(site, sample=True)[1])
    edits = []
    for n in range(runs):
        edit_one(site, n)
        edits.append(run_build(site)[0])
    edit_one(site, runs)
    peaks.append(run_build(site, sample=True)[1])
    size_kb, page = largest_page_kb(site)
    return {"events": count, "cold": statistics.median(colds), "nochange": statistics.median(nochange),
            "edit": statistics.median(edits), "peak": max(peaks), "edit_peak": peaks[-1], "largest_kb": size_kb,
            "largest": page, "runs": {"cold": colds, "no change": nochange, "one edit": edits}}


def hugo_cold(count: int) -> float | None:
    """Cold build time of the same corpus with a minimal Hugo site, if the hugo binary is installed."""
    hugo = shutil.which("hugo")
    if not hugo:
        return None
    site = make_hugo_site(SCRATCH / f"site-{count}", SCRATCH / f"hugo-{count}")
    times = []
    for _ in range(3):
        if (site / "public").exists():
            os.rename(site / "public", SCRATCH / "attic" / f"hugo-public-{time.monotonic_ns()}")
        started = time.perf_counter()
        subprocess.run([hugo, "--quiet", "--source", str(site)], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    (SCRATCH / "attic").mkdir(exist_ok=True)
    rows = [measure(count, args.runs) for count in args.counts]
    print(f"{'events':>7} | {'cold build':>10} | {'no change':>9} | {'one edit':>8} | {'peak memory':>11} | "
          f"{'edit memory':>11} | largest page")
    print("-" * 96)
    for row in rows:
        print(f"{row['events']:>7} | {row['cold']:>8.2f} s | {row['nochange']:>7.2f} s | {row['edit']:>6.2f} s | "
              f"{row['peak']:>8.0f} MB | {row['edit_peak']:>8.0f} MB | {row['largest_kb']:.0f} KB ({row['largest']})")
    for row in rows:  # the machine's speed varies from run to run: each run, not only the median
        print(f"{row['events']:>7} events, each run: " + "; ".join(
            f"{what} " + " ".join(f"{seconds:.2f}" for seconds in times)
            for what, times in row["runs"].items()))  # type: ignore[attr-defined]
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        ratio = float(small["cold"]) / float(large["cold"])  # type: ignore[arg-type]
        print(f"cold build {small['events']} / {large['events']} events: {ratio:.2f} of the time")
    for row in rows:
        hugo = hugo_cold(int(row["events"]))  # type: ignore[call-overload]
        if hugo is not None:
            print(f"hugo, same {row['events']} events, cold: {hugo:.2f} s")
    largest = max(rows, key=lambda row: int(row["events"]))  # type: ignore[call-overload]
    for line in search_report(SCRATCH / f"site-{largest['events']}" / "output"):  # (after its one-edit builds)
        print(f"{largest['events']} events, {line}")
    print(f"(median of {args.runs} runs; peak memory = the largest PSS of the build's process tree, sampled every "
          f"20 ms in separate cold, no-change and one-edit builds; {os.cpu_count()} cores)")
    kept = len(os.listdir(SCRATCH / "attic"))
    free_gb = shutil.disk_usage(SCRATCH).free / 1e9
    print(f"{SCRATCH / 'attic'}: {kept} set-aside trees (half a gigabyte each at 10,000 events), {free_gb:.0f} GB "
          f"free on its disk; empty it with rm -rf when it grows, and benchmark again only a few minutes later")


if __name__ == "__main__":
    main()
