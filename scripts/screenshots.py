"""Screenshots of the built site at phone and desktop widths, to look at what readers see (`make screenshots`).

Builds the bundled site into a temporary folder, serves it on a loopback port and has Debian's chromium
(through Playwright) photograph the home page, an event page and an actor page at 375 and 1280 pixels
wide, in light and dark colour schemes, into screenshots/ (git-ignored):

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--full]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import BuildOptions, build  # noqa: E402


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {
    "home": "",
    "event": "events/2020-01-02-turkish-parliament-authorises-troops/",
    "actor": "actors/russia/",
}
WIDTHS = (375, 1280)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def first_event(output: Path) -> str:
    """An event page that exists: the preferred one, else the first built."""
    if (output / PAGES["event"] / "index.html").is_file():
        return PAGES["event"]
    return "events/" + sorted(p.name for p in (output / "events").iterdir())[0] + "/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--full", action="store_true", help="whole pages rather than the first screenful")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "site"
        build(BuildOptions(ROOT, output_dir=output, use_cache=False))
        pages = dict(PAGES, event=first_event(output))
        server, base = serve(output)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                for scheme in ("light", "dark"):
                    for width in WIDTHS:
                        context = browser.new_context(viewport={"width": width, "height": 900},
                                                      color_scheme=scheme, device_scale_factor=1)
                        page = context.new_page()
                        for name, path in pages.items():
                            page.goto(base + path)
                            page.wait_for_load_state("networkidle")
                            target = args.out / f"{name}-{width}-{scheme}.png"
                            page.screenshot(path=str(target), full_page=args.full)
                            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                            for part in ("figure.chart", "figure.map", "#filters"):
                                element = page.locator(part).first
                                if element.count():
                                    shot = args.out / f"{name}-{width}-{scheme}-{part.strip('#.').split('.')[-1]}.png"
                                    element.screenshot(path=str(shot))
                        context.close()
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
