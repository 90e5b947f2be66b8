"""A fake Internet Archive and a fake web on a loopback port: the availability interface, Save Page Now, and
pages that are live, dead (404, 410), slow (past any timeout), redirected to the home page, or held until two
requests are in flight. Every request is logged with its time; nothing else is ever reached (conftest.py's guard refuses
connections to any other address)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Request:
    at: float  # time.monotonic()
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeArchive:
    base: str = ""
    snapshots: dict[str, str] = field(default_factory=dict)  # url -> timestamp of its closest snapshot
    log: list[Request] = field(default_factory=list)
    busy_saves: int = 0  # answer this many POST /save with 429 first
    busy_status: int = 0  # and this many availability calls with 503
    failing_captures: set[str] = field(default_factory=set)
    hooks: dict[str, Callable[[], None]] = field(default_factory=dict)  # url asked about -> run first
    release: threading.Event = field(default_factory=threading.Event)  # ends every held or slow request
    held: int = 0
    max_held: int = 0
    hold_total: int = 0  # how many /hold/ pages the test asks for (the last ones need no partner)
    holds_done: int = 0
    hold_arrivals: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)
    jobs: dict[str, list[object]] = field(default_factory=dict)

    def requests(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]

    def page(self, name: str) -> str:
        return f"{self.base}/{name}"

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
        with self.condition:
            return self.condition.wait_for(predicate, timeout)


class Handler(BaseHTTPRequestHandler):
    fake: FakeArchive
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _record(self, query: dict[str, str]) -> None:
        fake = self.fake
        with fake.condition:
            fake.log.append(Request(time.monotonic(), self.command, urlsplit(self.path).path, query,
                                    {k.lower(): v for k, v in self.headers.items()}))
            fake.condition.notify_all()

    def _send(self, status: int, body: object = "", headers: dict[str, str] | None = None) -> None:
        data = (json.dumps(body) if not isinstance(body, str) else body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        query = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self._record(query)
        fake = self.fake
        if urlsplit(self.path).path != "/save":
            return self._send(404, "no")
        with fake.condition:
            if fake.busy_saves > 0:
                fake.busy_saves -= 1
                return self._send(429, {"message": "slow down"})
            job = f"spn2-{len(fake.jobs) + 1}"
            fake.jobs[job] = [query["url"], 0]
        self._send(200, {"url": query["url"], "job_id": job})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self._record(query)
        fake, path = self.fake, parts.path
        if path == "/wayback/available":
            return self._available(query)
        if path.startswith("/save/status/"):
            return self._status(path.rsplit("/", 1)[1])
        if path == "/":
            return self._send(200, "<title>Home</title>")
        if path.startswith("/live/"):
            return self._send(200, "<title>Article</title>")
        if path.startswith("/dead/"):
            return self._send(404, "<title>Not found</title>")
        if path.startswith("/gone/"):
            return self._send(410, "<title>Gone</title>")
        if path.startswith("/moved/"):
            return self._send(302, "", {"Location": "/"})
        if path.startswith("/slow/"):
            fake.release.wait(30)
            return self._send(200, "<title>Late</title>")
        if path.startswith("/hold/"):
            return self._hold()
        self._send(404, "unknown")

    def _available(self, query: dict[str, str]) -> None:
        fake, url = self.fake, query.get("url", "")
        with fake.condition:
            hook = fake.hooks.pop(url, None)
            busy = fake.busy_status > 0
            fake.busy_status -= busy
        if hook is not None:
            hook()
        if busy:
            return self._send(503, {"message": "try later"})
        stamp = fake.snapshots.get(url)
        closest = {"closest": {"available": True, "status": "200", "timestamp": stamp,
                               "url": f"{fake.base}/web/{stamp}/{url}"}} if stamp else {}
        self._send(200, {"url": url, "archived_snapshots": closest})

    def _status(self, job: str) -> None:
        fake = self.fake
        with fake.condition:
            url, polls = fake.jobs[job]
            fake.jobs[job][1] = int(polls) + 1  # type: ignore[call-overload]
        if not polls:
            return self._send(200, {"status": "pending", "job_id": job})
        if url in fake.failing_captures:
            return self._send(200, {"status": "error", "status_ext": "error:not-found",
                                    "message": "The server cannot find the requested resource."})
        self._send(200, {"status": "success", "job_id": job, "original_url": url, "timestamp": "20261206101500"})

    def _hold(self) -> None:
        """Answer once a partner request has arrived too (requests are paired in the order they arrive), so
        that the client's requests overlap. A request counts as held until its answer is sent but for the last
        byte: the client, which can start another request only once it has the whole answer, cannot be seen
        with three at once because the server counted late."""
        fake = self.fake
        with fake.condition:
            arrived = fake.hold_arrivals
            fake.hold_arrivals += 1
            fake.held += 1
            fake.max_held = max(fake.max_held, fake.held)
            fake.condition.notify_all()
            fake.condition.wait_for(lambda: fake.hold_arrivals >= arrived // 2 * 2 + 2
                                    or fake.holds_done >= fake.hold_total - 1 or fake.release.is_set(), 10)
        data = b"<title>Held</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:-1])
        self.wfile.flush()
        with fake.condition:
            fake.held -= 1
            fake.holds_done += 1
            fake.condition.notify_all()
        self.wfile.write(data[-1:])


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (a timeout, an interrupted run) is what some tests do on purpose


@pytest.fixture
def fake_archive():
    fake = FakeArchive()
    handler = type("BoundHandler", (Handler,), {"fake": fake})
    server = Server(("127.0.0.1", 0), handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    with fake.condition:
        fake.condition.notify_all()
    server.shutdown()
    server.server_close()
