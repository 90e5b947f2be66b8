"""The live preview server: build, serve, watch, rebuild what changed, reload the browser.

It speaks the livereload browser protocol (livereload.js, shipped by the livereload package, talking to our
own tornado WebSocket handler), with
our own watcher, debounce and static file handler, because livereload's own pieces drop reloads (a
change within three seconds of the last reload is ignored), cannot serve a site under a sub-path or
serve its 404 page, and rebuild on any change anywhere. Rebuilds run one at a time in the watcher's
thread; changes made during a rebuild are gathered into the next one, so none is lost. A rebuild
renders the pages open in browsers first (each livereload client says which page it shows), reloads
them, then brings the rest up to date; a request for a page of the rest waits for it.
"""

from __future__ import annotations

import asyncio
import errno
import html
import importlib.util
import json
import logging
import mimetypes
import signal
import sys
import threading
import time
import traceback
import webbrowser
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

from tornado import ioloop, web, websocket

from generator.engine.gc_policy import settle_memory
from generator.pipeline.build import Builder
from generator.pipeline.options import BuildOptions, BuildResult
from generator.model.errors import Problem, SiteError
from generator.pipeline.search_refresh import DELTA, SearchRefresher
from generator.serve.search_index import SEARCH_INDEX, Notice, SearchIndexHandler
from generator.pipeline.watching import WATCHED, describe, watching

LIVERELOAD_SCRIPT = "/livereload.js?port={port}"


@dataclass
class PreviewState:
    """What the server shows: the last good build, and the current error if the last rebuild failed."""

    root: Path
    base_path: str
    problems: list[Problem] = field(default_factory=list)
    crash: str = ""
    builds: int = 0
    changed: list[str] = field(default_factory=list)  # the files whose changes the last rebuild took in
    pending: set[str] = field(default_factory=set)  # output paths a quick rebuild left for the rest
    lock: threading.Lock = field(default_factory=threading.Lock)  # pages and problems change together

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Held while a build that succeeded replaces the pages: no page is read with the old problems."""
        with self.lock:
            yield
            self.problems, self.crash = [], ""

    def read(self, file: Path) -> tuple[bytes | None, str]:
        """A file's bytes (None if unreadable) and the error overlay to show with them, of the same build."""
        with self.lock:
            try:
                body: bytes | None = file.read_bytes()
            except OSError:
                body = None
            return body, error_overlay(self) if self.failing else ""

    @property
    def failing(self) -> bool:
        return bool(self.problems or self.crash)


class ReloadSocket(websocket.WebSocketHandler):
    """The livereload protocol's WebSocket (hello, info with the page's URL, reload), on tornado's public
    WebSocketHandler: our own set of browsers and no reload throttle. The origin check is tornado's: only
    pages served by this server may connect."""

    waiters: dict[ReloadSocket, str] = {}  # each open page's socket, and the page's URL path

    def on_close(self) -> None:
        ReloadSocket.waiters.pop(self, None)

    def on_message(self, message: str | bytes) -> None:
        data = json.loads(message)
        if data.get("command") == "hello":
            self.write_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                                "serverName": "timeline-generator"})
        elif data.get("command") == "info" and "url" in data:
            ReloadSocket.waiters[self] = urlsplit(str(data["url"])).path

    @classmethod
    def reload(cls, path: str) -> int:
        """Tell every open page to reload (only its stylesheets when path is a .css file)."""
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for waiter in list(cls.waiters):
            try:
                waiter.write_message(message)
            except Exception:  # a closed socket: forget it
                cls.waiters.pop(waiter, None)
        return len(cls.waiters)

    @classmethod
    def open_pages(cls, base_path: str) -> set[str]:
        """The output paths of the pages open in browsers."""
        return {rel for path in list(cls.waiters.values()) if (rel := page_rel(path, base_path)) is not None}


class LiveReloadScript(web.RequestHandler):
    """livereload.js, the browser half of the protocol, as the livereload package ships it (package data)."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript")
        self.write(LIVERELOAD_JS.read_bytes())


LIVERELOAD_JS = Path(importlib.util.find_spec("livereload").origin or "").parent / "vendors" / "livereload.js"  # type: ignore[union-attr]


class SiteHandler(web.RequestHandler):
    """Serves the built site under its base path, with pretty URLs, the site's 404 page and no way out."""

    def initialize(self, state: PreviewState, port: int) -> None:
        self.state = state
        self.port = port

    async def get(self, path: str) -> None:
        await self.serve(path, head=False)

    async def head(self, path: str) -> None:
        await self.serve(path, head=True)

    async def serve(self, path: str, head: bool) -> None:
        base = self.state.base_path
        url_path = "/" + path
        if base != "/" and url_path in ("/", base.rstrip("/")):
            self.redirect(base)
            return
        rel = page_rel(url_path, base)
        deadline = time.monotonic() + 10
        while rel in self.state.pending and time.monotonic() < deadline:  # the rebuild after the reload has it
            await asyncio.sleep(0.01)
        file = self.resolve(url_path)
        if file is None:
            self.send_file(self.state.root / "404.html", 404, head)
        elif file.is_dir():
            self.redirect(self.request.path + "/")
        else:
            self.send_file(file, 200, head)

    def resolve(self, url_path: str) -> Path | None:
        """The file for a URL path, or None; never anything outside the built site."""
        base = self.state.base_path
        if not url_path.startswith(base) and url_path + "/" != base:
            return None
        relative = unquote(url_path[len(base):]) if url_path.startswith(base) else ""
        parts = PurePosixPath("/" + relative).parts[1:]
        if any(part in ("..", ".") or "\\" in part or "\x00" in part for part in parts):
            return None
        root = self.state.root.resolve()
        target = root.joinpath(*parts)
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != root and root not in resolved.parents:
            return None
        if resolved.is_dir():
            if not url_path.endswith("/") and parts:
                return resolved
            resolved = resolved / "index.html"
        return resolved if resolved.is_file() else None

    def send_file(self, file: Path, status: int, head: bool) -> None:
        body, overlay = self.state.read(file)
        if body is None:
            body, status = b"<!doctype html><title>Not found</title><h1>Not found</h1>", 404
            file = Path("404.html")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "application/xml"):
            kind += "; charset=utf-8"
        if kind.startswith("text/html"):
            body = self.inject(body, overlay)
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Length", str(len(body)))
        if not head:
            self.write(body)

    def inject(self, body: bytes, overlay: str) -> bytes:
        """Add the livereload client, the search indexes' addresses (for search.js) and the error overlay."""
        preview = {"searchIndex": SEARCH_INDEX, "searchDelta": self.state.base_path + DELTA + "/"}
        extra = (f'<script src="{LIVERELOAD_SCRIPT.format(port=self.port)}" async></script>'
                 f"<script>window.generatorPreview={json.dumps(preview)}</script>{overlay}")
        text = body.decode("utf-8", "replace")
        index = text.rfind("</body>")
        text = text[:index] + extra + text[index:] if index >= 0 else text + extra
        return text.encode("utf-8")


def error_overlay(state: PreviewState) -> str:
    """A fixed panel over the page naming each problem as file:line: message."""
    if state.crash:
        items = f"<li><pre>{html.escape(state.crash)}</pre></li>"
    else:
        items = "".join(f"<li>{html.escape(str(problem))}</li>" for problem in state.problems[:50])
        if len(state.problems) > 50:
            items += f"<li>… and {len(state.problems) - 50} more</li>"
    return (
        '<div id="generator-error-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;'
        "overflow:auto;z-index:2147483647;background:#3b0d0d;color:#fff;font:14px/1.5 ui-monospace,monospace;"
        'padding:1rem 1.25rem;border-top:4px solid #f87171">'
        "<strong>The site could not be rebuilt.</strong> The last good pages are shown; fix the file and save."
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


class PreviewServer:
    """Builds the site into a preview folder, serves it and rebuilds on every change."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True,
                 poll: bool = False, log: Callable[[str], None] | None = None) -> None:
        self.site_dir = site_dir.resolve()
        self.host = host
        self.port = port
        self.poll = poll
        self.log = log or (lambda line: print(line, flush=True))
        self.output = self.site_dir / ".cache" / "preview"
        self.builder = Builder(BuildOptions(self.site_dir, self.output, drafts=drafts, trust_output=True))
        self.state = PreviewState(root=self.output, base_path="/")
        self.builder.committing = self.state.committing
        self.builder.search_later = True  # the search index is refreshed after each rebuild, in its own thread
        self.index_swapped = Notice()  # a new search index is in place: search pages waiting for one are told
        self.search = SearchRefresher(self.output, self.state.lock, self.log, swapped=self.index_swapped.give)
        self.loop: ioloop.IOLoop | None = None
        self.stop_event = threading.Event()
        self.watching = threading.Event()  # set once the watcher is in place

    # -- building -----------------------------------------------------------------------------
    def rebuild(self, changed: list[str]) -> BuildResult | None:
        """Rebuild after changes (["start"]: the first build); never raises: problems are kept in the state
        and shown in the browser. After a change, a quick build renders the pages open in browsers and the
        changed events' own pages, the browsers reload, and then the rest is brought up to date (a request
        for a page of the rest waits for it)."""
        started = time.perf_counter()
        what = describe(changed)
        if changed == ["start"]:
            result = self._build(what)
            if result is not None:
                self.search.request(self.builder.search_due)
                self.log(f"{what}: {result.rendered} page(s) rendered, {result.written} file(s) written in "
                         f"{(time.perf_counter() - started) * 1000:.0f} ms")
            self.state.changed = changed
            self.state.builds += 1
            return result
        self.search.stop_indexing()
        quick = self._build(what, changed=set(changed), first=ReloadSocket.open_pages(self.state.base_path))
        reloaded = time.perf_counter()
        self.reload_browsers(quick)
        rest = None if quick is None else self._build(what, changed=set())
        self.state.pending = set()
        if rest is not None:
            self.search.request(self.builder.search_due)
        if quick is not None and rest is None:  # the rest failed: show its problems
            self.reload_browsers(None)
        elif quick is not None and rest is not None:
            self.log(f"{what}: reloaded after {(reloaded - started) * 1000:.0f} ms; "
                     f"{quick.rendered + rest.rendered} page(s) re-rendered, {quick.written + rest.written} "
                     f"file(s) written in {(time.perf_counter() - started) * 1000:.0f} ms")
        self.state.changed = changed
        self.state.builds += 1
        return quick

    def _build(self, what: str, changed: set[str] | None = None, first: set[str] | None = None) -> BuildResult | None:
        """One run of the builder; its problems or its crash go to the state, never further."""
        try:
            result = self.builder.run(changed=changed, first=first)
        except SiteError as error:
            self.state.problems, self.state.crash = error.problems, ""
            errors = [p for p in error.problems if not p.warning]
            shown = str(errors[0] if errors else error.problems[0])
            self.log(f"{what}: build failed, {len(errors)} error(s), last good pages kept: {shown}")
            return None
        except (Exception, SystemExit) as error:  # a bug must not take the preview down
            self.state.problems, self.state.crash = [], "".join(traceback.format_exception(error)).strip()
            self.log(f"{what}: build crashed ({type(error).__name__}: {error}); last good pages kept")
            return None
        self.state.problems, self.state.crash = [], ""  # also when nothing was committed
        self.state.pending = set(result.deferred)
        if self.builder.site is not None:
            self.state.base_path = self.builder.site.config.base_path
        return result

    def reload_browsers(self, result: BuildResult | None) -> None:
        """Reload the pages open in browsers: only stylesheets when only stylesheets changed."""
        changed = result.changed if result else []
        only_css = bool(changed) and all(rel.endswith(".css") for rel in changed)
        path = self.state.base_path + changed[0] if only_css else "*"
        if self.loop is not None:
            self.loop.add_callback(ReloadSocket.reload, path)

    # -- watching -----------------------------------------------------------------------------
    def watch(self) -> None:
        """Watch the site's sources until stopped; one rebuild per burst of changes."""
        for changed in watching(self.site_dir, self.stop_event, self.watching, self.poll):
            self.rebuild(changed)
            settle_memory()

    # -- serving ------------------------------------------------------------------------------
    def application(self) -> web.Application:
        return web.Application([
            (r"/livereload", ReloadSocket),
            (r"/livereload\.js", LiveReloadScript),
            (r"/__generator__/status", StatusHandler, {"state": self.state, "search": self.search}),
            (SEARCH_INDEX, SearchIndexHandler, {"search": self.search, "swapped": self.index_swapped}),
            (r"/(.*)", SiteHandler, {"state": self.state, "port": self.port}),
        ])

    def run(self, open_browser: bool = False) -> None:
        logging.getLogger("tornado.access").setLevel(logging.ERROR)
        result = self.rebuild(["start"])
        settle_memory()
        if result is None and not self.output.exists():
            self.output.mkdir(parents=True, exist_ok=True)
        app = self.application()
        try:
            app.listen(self.port, address=self.host)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUse(self.host, self.port) from None
            raise
        self.loop = self.index_swapped.loop = ioloop.IOLoop.current()
        watcher = threading.Thread(target=self.watch, name="watcher", daemon=True)
        watcher.start()
        self.watching.wait(timeout=10)  # a save right after the announcement must not be missed
        url = f"http://{'localhost' if self.host in ('127.0.0.1', '::1') else self.host}:{self.port}" \
              f"{self.state.base_path}"
        self.log(f"Serving {self.site_dir.name} at {url} (drafts {'shown' if self.builder.options.drafts else 'hidden'}); "
                 f"watching {', '.join(WATCHED)}. Press Ctrl-C to stop.")
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            self.log(f"warning: bound to {self.host}: the preview is reachable from the network")
        if open_browser:
            webbrowser.open(url)
        # Ctrl-C stops the loop through asyncio's signal handler, which wakes the loop however the kernel
        # delivers the signal: Python's own handler only sets a flag, and when the signal lands on another
        # thread (the watcher's), the loop, asleep in epoll until its next event, never sees it.
        self.loop.add_callback(lambda: asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._stop))
        try:
            self.loop.start()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop_event.set()
            self.log("Stopped.")

    def _stop(self) -> None:
        if self.loop is not None:
            self.loop.stop()


class StatusHandler(web.RequestHandler):
    """JSON about the last rebuild (its number, its problems, the files it took in) and the pages open in
    browsers, for tools and tests."""

    def initialize(self, state: PreviewState, search: SearchRefresher) -> None:
        self.state = state
        self.search = search

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.write({"builds": self.state.builds, "ok": not self.state.failing,
                    "search": {"state": self.search.state, "runs": self.search.runs,
                               "full_runs": self.search.full_runs, "delta_pages": self.search.delta_pages},
                    "problems": [str(p) for p in self.state.problems], "crash": self.state.crash,
                    "changed": self.state.changed, "open": sorted(ReloadSocket.open_pages(self.state.base_path))})


class PortInUse(Exception):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"port {port} on {host} is already in use (or not allowed): choose another with --port, "
                         f"e.g. --port {port + 1}")


def page_rel(url_path: str, base_path: str) -> str | None:
    """The output path a URL path asks for ('/timeline/events/x/' -> 'events/x/index.html'), or None."""
    if not url_path.startswith(base_path):
        return None
    rel = unquote(url_path[len(base_path):])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    elif "." not in rel.rsplit("/", 1)[-1]:
        rel += "/index.html"
    return rel


def main(site_dir: Path, host: str, port: int, drafts: bool, open_browser: bool, poll: bool) -> int:
    """Run the preview server until Ctrl-C; the exit status."""
    server = PreviewServer(site_dir, host=host, port=port, drafts=drafts, poll=poll)
    try:
        server.run(open_browser=open_browser)
    except PortInUse as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
