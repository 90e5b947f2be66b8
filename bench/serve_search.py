"""What the preview's search index costs after an edit: the real server (`python -m generator serve`) on a copy
of a bench site with search on, the first (full) indexing timed, then one-event edits, each timed from the save
to the server saying that a new index is in place (its /__generator__/search-index answer, asked to wait for
the next version). Prints each edit's time, how many pages the index of the edits covers, and whether the whole
site was indexed again (it should not be).

    .venv/bin/python bench/serve_search.py bench/scratch/site-10000-en [--edits 7]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_search(site: Path) -> Path:
    """A copy of the site (made once, beside it) whose site.yaml turns search on."""
    copy = site.parent / f"{site.name}-search"
    if not (copy / "content").is_dir():
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        for name in ("content", "templates"):
            shutil.copytree(site / name, copy / name)
    config = (site / "site.yaml").read_text(encoding="utf-8").replace("search: false\n", "")
    (copy / "site.yaml").write_text(config + "search: true\n", encoding="utf-8")
    return copy


def asked(port: int, path: str, timeout: float = 600) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return json.loads(response.read())


def measure(site: Path, edits: int) -> None:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout
        for line in server.stdout:  # the first build
            if line.startswith("Serving"):
                break
        while True:  # the first, full, index
            state = asked(port, "/__generator__/search-index?after=0")
            if state["version"]:
                break
        first = time.perf_counter() - started
        status = asked(port, "/__generator__/status")["search"]
        print(f"{site.name}: first build and full index {first:.1f} s")
        files = sorted(path for path in (site / "content/events").rglob("*.md") if path.name.count(".") == 1)
        times, covered = [], []
        for n in range(edits):
            path = files[(n * 7919 + 29) % len(files)]
            text = path.read_text(encoding="utf-8")
            version = state["version"]
            began = time.perf_counter()
            path.write_text(re.sub(r"^title: .*$", f"title: search probe {n} {time.monotonic_ns()}", text,
                                   count=1, flags=re.M), encoding="utf-8")
            while state["version"] == version:
                state = asked(port, f"/__generator__/search-index?after={version}")
            times.append(time.perf_counter() - began)
            status = asked(port, "/__generator__/status")["search"]
            covered.append(status["delta_pages"])
            print(f"  edit {n + 1}: new index in place after {times[-1]:.2f} s, covering {status['delta_pages']} "
                  f"page(s); full indexings so far: {status['full_runs']}")
        print(f"{site.name}: save to search index in place, median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}) over {edits} edits; the index of the edits covered "
              f"{covered[0]}–{covered[-1]} pages; full indexings: {status['full_runs']} (the first)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args()
    measure(with_search(args.site.resolve()), args.edits)


if __name__ == "__main__":
    main()
