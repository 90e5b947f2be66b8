"""Search figures for a built site (bench/run.py calls it for its largest site; or by hand:
`.venv/bin/python bench/search_bench.py bench/scratch/site-10000`):

- indexing: Pagefind run alone over the pages search covers (as the build runs it), in a fresh process:
  wall time, and peak memory (the largest resident set of Pagefind's process, from getrusage of the children);
- in chromium (Debian's, through Playwright): the bytes a cold browser downloads for its first query (the
  Pagefind script and its worker, WebAssembly, metadata, index chunk, filters and the fragments of the results
  the page draws first: ten), with the largest query's files by kind, and the time of a warm query (the search
  and the first ten results' data, the index chunks already loaded).
"""

from __future__ import annotations

import functools
import http.server
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Place names: each in about a tenth of the synthetic events (as a name is in a real timeline). The synthetic
# summaries are drawn from 70 common words, each in nearly every event: such a word is timed on its own.
QUERIES = ("Jufra", "al-Watiya", "Derna", "Tarhuna", "Gharyan")
EVERYWHERE = "ceasefire"
DRAWN = 10  # results the search page draws first (PAGE in templates/static/search.js)


def indexed_pages(output: Path) -> list[tuple[str, str]]:
    """The pages search covers, as the build chooses them: events, actors' first pages, content pages."""
    pages = [*output.glob("events/*/index.html"), *output.glob("actors/*/index.html"),
             *(p for p in output.glob("*/index.html") if "data-pagefind-body" in p.read_text(encoding="utf-8"))]
    return [(p.relative_to(output).as_posix(), str(p)) for p in pages]


def index_once(output: str) -> None:
    """(In a fresh process) index the site's pages once; print seconds, Pagefind's peak MB, bundle KB."""
    from generator.publish.search import build_index

    pages = indexed_pages(Path(output))
    view = Path(tempfile.mkdtemp(dir=Path(output).parent)) / "view"
    started = time.perf_counter()
    try:
        files = build_index(view, pages)
    finally:
        shutil.rmtree(view.parent, ignore_errors=True)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"pages": len(pages), "seconds": seconds, "peak_mb": peak_kb / 1024,
                      "bundle_kb": sum(len(b) for b in files.values()) / 1024}))


def indexing(output: Path, runs: int = 3) -> dict[str, float]:
    found = [json.loads(subprocess.run([sys.executable, __file__, "--index", str(output)], check=True,
                                       capture_output=True, text=True).stdout) for _ in range(runs)]
    return {"pages": found[0]["pages"], "seconds": statistics.median(f["seconds"] for f in found),
            "peak_mb": max(f["peak_mb"] for f in found), "bundle_kb": found[0]["bundle_kb"],
            "runs": [round(f["seconds"], 2) for f in found]}


def in_browser(output: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    firsts, warm, everywhere, largest = [], [], [], {}
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for query in QUERIES:
                context = browser.new_context()  # a cold browser: nothing cached
                page = context.new_page()
                page.goto(base + "search/")
                page.wait_for_load_state("networkidle")
                sizes: dict[str, int] = {}

                def seen(response, sizes=sizes) -> None:  # type: ignore[no-untyped-def]
                    if "/pagefind/" in response.url:
                        try:
                            sizes[response.url] = len(response.body())
                        except Exception:  # the page moved on
                            pass
                page.on("response", seen)
                page.goto(base + f"search/?q={query}")
                page.wait_for_function("document.querySelectorAll('#search-results > li').length > 0")
                page.wait_for_load_state("networkidle")
                firsts.append(sum(sizes.values()) / 1024)
                if firsts[-1] == max(firsts):
                    largest = {"query": query, "files": kinds(sizes)}
                # warm: the module and this language's chunks are loaded; time searches and their first results
                times = page.evaluate("""async (queries) => {
                    const pagefind = await import('/pagefind/pagefind.js');
                    for (const q of queries) { const r = await pagefind.search(q);
                        await Promise.all(r.results.slice(0, DRAWN).map(x => x.data())); }
                    const times = [];
                    for (const q of queries) { const t = performance.now(); const r = await pagefind.search(q);
                        await Promise.all(r.results.slice(0, DRAWN).map(x => x.data()));
                        times.push(performance.now() - t); }
                    return times; }""".replace("DRAWN", str(DRAWN)), list(QUERIES))
                warm.extend(times)
                everywhere.append(page.evaluate("""async (q) => {
                    const pagefind = await import('/pagefind/pagefind.js');
                    let r = await pagefind.search(q); await Promise.all(r.results.slice(0, DRAWN).map(x => x.data()));
                    const t = performance.now(); r = await pagefind.search(q);
                    await Promise.all(r.results.slice(0, DRAWN).map(x => x.data()));
                    return [performance.now() - t, r.results.length]; }""".replace("DRAWN", str(DRAWN)), EVERYWHERE))
                page.remove_listener("response", seen)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return {"first_kb_median": statistics.median(firsts), "first_kb_max": max(firsts),
            "warm_ms_median": statistics.median(warm), "warm_ms_max": max(warm),
            "everywhere_ms": statistics.median(t for t, _ in everywhere), "everywhere_n": everywhere[0][1],
            "largest": largest}


def kinds(sizes: dict[str, int]) -> dict[str, tuple[int, float]]:
    """The files of one query by kind (a file of its own, or its folder: index/, fragment/, filter/): how many
    and their KB, largest first."""
    found: dict[str, list[float]] = {}
    for url, size in sizes.items():
        name = url.split("/pagefind/", 1)[1].split("?")[0]
        kind = name.split("/")[0] + "/" if "/" in name else name
        kind = "metadata (.pf_meta)" if kind.endswith(".pf_meta") else kind
        count_kb = found.setdefault(kind, [0, 0.0])
        count_kb[0] += 1
        count_kb[1] += size / 1024
    return {kind: (int(n), kb) for kind, (n, kb) in sorted(found.items(), key=lambda item: -item[1][1])}


def report(output: Path) -> list[str]:
    index = indexing(output)
    lines = [f"search index, {index['pages']} pages: Pagefind {index['seconds']:.2f} s (runs {index['runs']}), "
             f"peak memory {index['peak_mb']:.0f} MB, bundle {index['bundle_kb'] / 1024:.1f} MB"]
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        seen = in_browser(output)
        lines.append(f"search in chromium: first query downloads {seen['first_kb_median']:.0f} KB (largest "
                     f"{seen['first_kb_max']:.0f} KB, {len(QUERIES)} queries); warm query {seen['warm_ms_median']:.1f} "
                     f"ms (slowest {seen['warm_ms_max']:.1f} ms); a word on nearly every page ('{EVERYWHERE}', "
                     f"{seen['everywhere_n']} pages): {seen['everywhere_ms']:.0f} ms")
        lines.append(f"  largest first query ('{seen['largest']['query']}'): " + ", ".join(
            f"{kind} {kb:.1f} KB" + (f" ({n} files)" if n > 1 else "") for kind, (n, kb) in seen["largest"]["files"].items()))
    return lines


if __name__ == "__main__":
    if sys.argv[1] == "--index":
        index_once(sys.argv[2])
    else:
        print("\n".join(report(Path(sys.argv[1]) / "output")))
