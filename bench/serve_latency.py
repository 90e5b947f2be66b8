"""Save-to-reload latency of the preview server: event file written -> new page on disk and reload sent.

Runs the real server (`python -m generator serve`) in a subprocess, connects as a livereload client
over its WebSocket, edits one event and times the arrival of the reload message; then checks that the
page on disk already has the new text. Median of several edits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(site: Path, edits: int) -> list[float]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout
        for line in server.stdout:  # wait for the initial build
            if line.startswith("Serving"):
                break
        await asyncio.sleep(2.0)  # let the first publish and the watcher settle
        socket_ = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
        await socket_.write_message(json.dumps({"command": "hello", "protocols": []}))
        await socket_.read_message()
        await socket_.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
        files = sorted(path for path in (site / "content/events").rglob("*.md") if path.name.count(".") == 1)
        # (the originals: a translation, x.id.md, is the page id/events/x/)
        latencies = []
        for n in range(edits):
            path = files[(n * 7919 + 13) % len(files)]
            text = path.read_text()
            marker = f"latency probe {n} {time.monotonic_ns()}"
            started = time.perf_counter()
            path.write_text(re.sub(r"^title: .*$", f"title: {marker}", text, count=1, flags=re.M))
            message = await asyncio.wait_for(socket_.read_message(), timeout=30)
            elapsed = time.perf_counter() - started
            assert message and json.loads(message)["command"] == "reload", message
            slug = path.stem
            page = site / ".cache/preview/events" / slug / "index.html"
            assert marker in page.read_text(), f"{page} does not have the new title yet"
            latencies.append(elapsed * 1000)
            await asyncio.sleep(1.5)  # let the deferred feeds and data update finish
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args()
    latencies = asyncio.run(measure(args.site.resolve(), args.edits))
    print(f"{args.site}: save-to-reload median {statistics.median(latencies):.0f} ms, "
          f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms over {len(latencies)} edits")


if __name__ == "__main__":
    main()
