"""The live preview server, run for real in a subprocess and fetched over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import pytest

from conftest import ROOT, free_port
from generator.serve.server import PreviewServer, page_rel
from tornado import ioloop
from tornado.websocket import websocket_connect


class Served:
    def __init__(self, site, *args: str) -> None:
        self.site = site
        self.port = free_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site.root), "--port", str(self.port), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait(lambda: any(line.startswith("Serving") for line in self.lines) or self.process.poll() is not None,
                  what="the server to start")
        assert self.process.poll() is None, "\n".join(self.lines)
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait(self, condition, timeout: float = 15.0, what: str = "a condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; server said:\n" + "\n".join(self.lines))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()

    def status(self) -> dict:
        return json.loads(self.get("/__generator__/status")[2])

    def rebuilt(self, builds_before: int):
        return lambda: self.status()["builds"] > builds_before

    def wait_open(self, rel: str) -> None:
        """Wait until the livereload client of a page has told the server which page it shows."""
        self.wait(lambda: rel in self.status()["open"], what=f"the browser's page {rel} to be known")

    def wait_taken_in(self, rel: str) -> None:
        """Wait until a rebuild that took in a change of the file rel has ended (its log line is printed)."""
        self.wait(lambda: rel in self.status()["changed"], what=f"a rebuild after the change of {rel}")

    def stop(self) -> int:
        alive = self.process.poll() is None
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the server did not stop within 10 s of Ctrl-C; it said:\n" +
                                 "\n".join(self.lines)) from None
        assert alive, "the server had died:\n" + "\n".join(self.lines)
        return code


@pytest.fixture
def served(site):
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    site.event("talks", title="Moscow talks", date="2020-01-13", actors="russia", kind="diplomacy")
    servers = []

    def start(*args: str) -> Served:
        servers.append(Served(site, *args))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()


def test_serves_pages_with_pretty_urls_mime_types_and_the_sites_404(served):
    server = served()
    status, kind, body = server.get("/events/troops/")
    assert status == 200 and kind == "text/html; charset=utf-8" and "<h1>Turkish troops deploy</h1>" in body
    assert server.get("/static/style.css")[1] == "text/css; charset=utf-8"
    status, _, body = server.get("/no/such/page/")
    assert status == 404 and "Page not found" in body
    assert server.get("/events/troops")[0] == 200  # redirected to the folder
    assert server.stop() == 0
    assert server.lines[-1] == "Stopped."


def test_livereload_client_is_injected_and_its_endpoint_answers(served):
    server = served()
    body = server.get("/")[2]
    assert re.search(r'<script src="/livereload\.js\?port=\d+" async></script><script>window\.generatorPreview='
                     r'\{"searchIndex": "/__generator__/search-index", "searchDelta": "/pagefind-delta/"\}</script>\s*</body>',
                     body)
    status, kind, script = server.get("/livereload.js")
    assert status == 200 and kind.startswith("application/javascript") and "LiveReload" in script


def test_nothing_outside_the_site_is_readable(served):
    server = served()  # (one server for every path: each request is independent of the others)
    for path in ("/../site.yaml", "/%2e%2e/site.yaml", "/static/..%2f..%2fsite.yaml", "/..%5csite.yaml",
                 "/%2e%2e%2f%2e%2e%2fetc/passwd", "/.cache/build.sqlite"):
        status, _, body = _raw_get(server, path)
        assert status == 404, path
        assert "title: Test timeline" not in body, path


def _raw_get(server: Served, path: str) -> tuple[int, str, str]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type") or "", response.read().decode()


def test_an_edit_is_served_within_a_bound_and_logged(served, site):
    server = served()
    builds = server.status()["builds"]
    started = time.monotonic()
    site.event("troops", title="Turkish troops land in Tripoli", date="2020-01-05")
    server.wait(lambda: "Turkish troops land in Tripoli" in server.get("/events/troops/")[2], timeout=10,
                what="the edited page")
    assert time.monotonic() - started < 5
    server.wait(server.rebuilt(builds), what="the rebuild count")
    line = next(line for line in server.lines if line.startswith("Changed content/events/troops.md"))
    assert re.search(r": reloaded after \d+ ms; \d+ page\(s\) re-rendered, \d+ file\(s\) written in \d+ ms$", line)


def test_an_error_shows_an_overlay_and_fixing_it_recovers(served, site):
    server = served()
    good = (site.root / "content/events/troops.md").read_text()
    (site.root / "content/events/troops.md").write_text(good.replace("actors: [turkey]", "actors: [turky]"))
    server.wait(lambda: not server.status()["ok"], what="the failed rebuild")
    status, _, body = server.get("/events/troops/")
    assert status == 200 and "<h1>Turkish troops deploy</h1>" in body  # the last good page
    assert "generator-error-overlay" in body
    assert "content/events/troops.md:4: unknown actor &#x27;turky&#x27; (did you mean &#x27;turkey&#x27;?)" in body
    assert "generator-error-overlay" in server.get("/")[2]
    (site.root / "content/events/troops.md").write_text(good.replace("Turkish troops deploy", "Fixed title"))
    server.wait(lambda: "<h1>Fixed title</h1>" in server.get("/events/troops/")[2], what="the fixed page")
    assert "generator-error-overlay" not in server.get("/events/troops/")[2]


def test_a_request_during_the_commit_of_a_fixed_build_never_gets_the_old_overlay(site):
    """The pages of a good build and the clearing of the last error are seen together, never half."""
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    server = PreviewServer(site.root, log=lambda line: None)
    server.rebuild(["start"])
    troops = site.root / "content/events/troops.md"
    good = troops.read_text()
    troops.write_text(good.replace("actors: [turkey]", "actors: [turky]"))
    assert server.rebuild(["content/events/troops.md"]) is None and server.state.failing
    troops.write_text(good.replace("Turkish troops deploy", "Fixed title"))
    seen = []

    def request() -> None:  # what the server reads for a request arriving in the middle of the commit
        body, overlay = server.state.read(server.output / "events/troops/index.html")
        seen.append(("<h1>Fixed title</h1>" in body.decode(), "generator-error-overlay" in overlay))

    committing = server.builder.committing
    server.state.lock = lock = WatchedLock()

    @contextmanager
    def with_a_request_waiting() -> Iterator[None]:
        with committing():
            waiting = threading.Thread(target=request)
            waiting.start()
            assert lock.contended.wait(5)  # the request waits for the commit
            yield
        waiting.join()

    server.builder.committing = with_a_request_waiting
    assert server.rebuild(["content/events/troops.md"]) is not None
    assert seen and all(view == (True, False) for view in seen)


class WatchedLock:
    """A lock that tells when someone waits for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.contended = threading.Event()

    def __enter__(self) -> None:
        if not self.lock.acquire(blocking=False):
            self.contended.set()
            self.lock.acquire()

    def __exit__(self, *_: object) -> None:
        self.lock.release()


def test_the_page_open_in_a_browser_is_up_to_date_when_the_reload_arrives(served, site):
    """The quick rebuild before the reload renders the pages open in browsers, as their clients report them."""
    server = served()

    async def edit_and_wait_for_the_reload() -> str:
        socket = await websocket_connect(f"ws://127.0.0.1:{server.port}/livereload")
        await socket.write_message(json.dumps({"command": "hello", "protocols": []}))
        await socket.read_message()
        await socket.write_message(json.dumps({"command": "info", "url": f"{server.base}/actors/russia/?x=1"}))
        deadline = time.monotonic() + 15
        while "actors/russia/index.html" not in server.status()["open"] and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        site.event("talks", title="Moscow talks, renamed", date="2020-01-13", actors="russia", kind="diplomacy")
        message = await asyncio.wait_for(socket.read_message(), timeout=15)
        page = (site.root / ".cache/preview/actors/russia/index.html").read_text()
        socket.close()
        return f"{message!s}\n{page}"

    with ThreadPoolExecutor(1) as thread:  # its own event loop (Playwright's may be running in this thread)
        message, page = thread.submit(asyncio.run, edit_and_wait_for_the_reload()).result().split("\n", 1)
    assert json.loads(message)["command"] == "reload"
    assert "Moscow talks, renamed" in page


def test_a_request_for_a_page_the_quick_rebuild_left_waits_for_the_rest(site):
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    port = free_port()
    server = PreviewServer(site.root, port=port, log=lambda line: None)
    server.rebuild(["start"])
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        server.application().listen(port, address="127.0.0.1")
        server.loop = ioloop.IOLoop.current()
        started.set()
        server.loop.start()

    threading.Thread(target=serve, daemon=True).start()
    assert started.wait(5)
    base = f"http://127.0.0.1:{port}"
    try:
        server.state.pending = {"events/troops/index.html"}
        held = socket.create_connection(("127.0.0.1", port), timeout=10)
        held.sendall(b"GET /events/troops/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert urllib.request.urlopen(base + "/", timeout=5).status == 200  # the other pages are not held up
        assert select.select([held], [], [], 0)[0] == []  # (sent first, and still unanswered)
        server.state.pending = set()
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
        held.close()
        assert answer.startswith(b"HTTP/1.1 200 ") and b"Turkish troops deploy" in answer
    finally:
        assert server.loop is not None
        server.loop.add_callback(server.loop.stop)


TRAVERSALS = ["/../site.yaml", "/%2e%2e/site.yaml", "/static/..%2f..%2fsite.yaml", "/..%5csite.yaml",
              "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd", "/.cache/build.sqlite", "/events/%00/", "//etc/passwd"]


def test_fifty_clients_while_files_are_saved_get_no_error_and_no_stale_page_after_the_last_rebuild(served, site):
    for n in range(20):
        site.event(f"extra-{n}", title=f"Extra {n}", date=f"2020-0{1 + n % 9}", actors="turkey")
    server = served()
    pages = ["/", "/events/troops/", "/events/talks/", "/actors/turkey/", "/years/2020/", "/static/style.css",
             "/data/index.json", "/feed.xml", *(f"/events/extra-{n}/" for n in range(20))]
    failures: list[str] = []

    def client(n: int) -> None:
        for i in range(40):  # a traversal attempt in every eighth request
            path = TRAVERSALS[(n + i) % len(TRAVERSALS)] if (n + i) % 8 == 0 else pages[(n * 7 + i) % len(pages)]
            try:
                status, _, body = _raw_get(server, path)
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                continue
            expected = 404 if path in TRAVERSALS else 200
            if status != expected or "title: Test timeline" in body or "root:x:0:0" in body:
                failures.append(f"{path}: {status}")

    with ThreadPoolExecutor(50) as pool:
        clients = [pool.submit(client, n) for n in range(50)]
        for edit in range(5):  # saves, each waited for, while the clients fetch
            site.event("troops", title=f"Troops, edit {edit}", date="2020-01-05")
            site.event(f"extra-{edit}", title=f"Extra {edit}, edit {edit}", date="2020-01", actors="turkey")
            server.wait(lambda: f"Extra {edit}, edit {edit}" in server.get(f"/events/extra-{edit}/")[2],
                        what=f"edit {edit}")
        site.event("troops", title="Troops, the last edit", date="2020-01-05")
        site.event("marker", title="Saved last", date="2020-01-06")
        for done in clients:
            done.result()
    assert failures == []
    server.wait_taken_in("content/events/marker.md")  # the last rebuild has ended: no page may be stale now
    for path in ("/events/troops/", "/", "/years/2020/", "/actors/turkey/", "/data/index.json", "/feed.xml",
                 "/data/timeline.json", "/sitemap.xml"):
        body = server.get(path)[2]
        assert "Troops, edit" not in body, path
        assert ("Troops, the last edit" in body and "Saved last" in body) or path == "/sitemap.xml", path
    assert "/events/marker/" in server.get("/sitemap.xml")[2]
    assert server.status()["ok"]


def test_page_rel_maps_url_paths_to_output_files():
    assert page_rel("/", "/") == "index.html"
    assert page_rel("/libya/events/x/", "/libya/") == "events/x/index.html"
    assert page_rel("/libya/events/x", "/libya/") == "events/x/index.html"
    assert page_rel("/libya/data/events.json", "/libya/") == "data/events.json"
    assert page_rel("/libya/caf%C3%A9/", "/libya/") == "café/index.html"
    assert page_rel("/other/", "/libya/") is None


BAD_INPUTS = {
    "no front matter": "title: x\n",
    "unclosed": "---\ntitle: x\n",
    "invalid yaml": "---\ntitle: [x\n---\n",
    "not a mapping": "---\n- a\n---\n",
    "python tag": "---\ntitle: !!python/object/apply:os.system [echo hi]\n---\n",
    "impossible date": "---\ntitle: x\ndate: 2021-02-30\nactors: [turkey]\nkind: military\nsources: []\n---\n",
    "empty": "",
}


def test_the_server_survives_every_bad_input(served, site):
    server = served()
    for name, text in BAD_INPUTS.items():
        site.write("content/events/bad.md", text)
        # an editor's save may arrive as several file events: wait for the state, not a count
        server.wait(lambda: any(p.startswith("content/events/bad.md") for p in server.status()["problems"]),
                    what=f"the error for {name}")
        assert server.get("/")[0] == 200
    (site.root / "content/events/bad.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")  # not UTF-8
    server.wait(lambda: any("not valid UTF-8" in p for p in server.status()["problems"]), what="the UTF-8 error")
    (site.root / "content/events/bad.md").unlink()
    server.wait(lambda: server.status()["ok"], what="the recovery")
    assert server.stop() == 0


def test_a_burst_of_saves_gives_one_rebuild_and_editor_files_none(served, site):
    server = served()
    builds = server.status()["builds"]
    for n in range(30):
        site.event(f"burst-{n}", title=f"Burst {n}", date="2020-02")
    server.wait_taken_in("content/events/burst-29.md")
    assert "Burst 29" in server.get("/events/burst-29/")[2]
    for name in ("content/events/.troops.md.swp", "content/events/troops.md~", "content/events/.#troops.md",
                 "content/events/4913"):
        site.write(name, "junk")
    site.event("sentinel", title="After the junk", date="2020-02")  # what the next rebuild takes in
    server.wait_taken_in("content/events/sentinel.md")
    status = server.status()
    assert (status["builds"], status["changed"]) == (builds + 2, ["content/events/sentinel.md"])
    changed = [line.split(":")[0] for line in server.lines if line.startswith("Changed")]
    assert changed == ["Changed content/events/burst-0.md, content/events/burst-1.md, content/events/burst-10.md "
                       "and 27 more", "Changed content/events/sentinel.md"]


def test_a_second_quick_save_is_not_dropped(served, site):
    server = served()
    site.event("troops", title="First edit", date="2020-01-05")
    server.wait(lambda: "<h1>First edit</h1>" in server.get("/events/troops/")[2], what="the first edit")
    site.event("troops", title="Second edit", date="2020-01-05")  # well within livereload's 3 s
    server.wait(lambda: "<h1>Second edit</h1>" in server.get("/events/troops/")[2], timeout=5,
                what="the second edit")


def test_drafts_are_shown_by_default_and_hidden_with_no_drafts(served, site):
    path = site.event("draft-one", title="A draft", date="2020-03")
    path.write_text(path.read_text().replace("kind: military", "kind: military\ndraft: true"))
    server = served()
    assert "badge-draft" in server.get("/events/draft-one/")[2]
    server.stop()
    hidden = served("--no-drafts")
    assert hidden.get("/events/draft-one/")[0] == 404


def test_a_site_under_a_sub_path_is_served_there(served, site):
    config = site.root / "site.yaml"
    config.write_text(config.read_text().replace("base_url: https://example.org/", "base_url: https://example.org/libya/"))
    server = served()
    request = urllib.request.Request(server.base + "/")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.url == server.base + "/libya/"
    status, _, body = server.get("/libya/events/troops/")
    assert status == 200 and 'href="/libya/static/style.css"' in body
    assert server.get("/events/troops/")[0] == 404
    assert "Page not found" in server.get("/libya/nothing/")[2]


def test_a_port_in_use_is_a_clear_error(served, site):
    server = served()
    clash = subprocess.run([sys.executable, "-m", "generator", "serve", "--site", str(site.root), "--port",
                            str(server.port)], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert clash.returncode == 1
    assert f"port {server.port} on 127.0.0.1 is already in use" in clash.stderr and "--port" in clash.stderr
    assert "Traceback" not in clash.stderr + clash.stdout


def test_another_host_prints_a_warning(served):
    server = served("--host", "127.0.0.2")
    assert any("reachable from the network" in line for line in server.lines)


def test_an_open_page_reloads_by_itself_after_an_edit(served, site, page):
    server = served()
    page.goto(server.base + "/events/troops/")
    assert page.locator("h1").inner_text() == "Turkish troops deploy"
    server.wait_open("events/troops/index.html")  # the livereload client connected and said where it is
    site.event("troops", title="Seen in the browser", date="2020-01-05")
    page.wait_for_function("() => document.querySelector('h1').textContent === 'Seen in the browser'",
                           timeout=10000)


def test_a_stylesheet_change_reloads_only_the_css(served, site, page):
    server = served()
    page.goto(server.base + "/events/troops/")
    page.evaluate("() => { window.stillHere = true; }")
    server.wait_open("events/troops/index.html")
    style = site.root / "templates/static/style.css"
    style.write_text(style.read_text() + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("() => getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=10000)
    assert page.evaluate("() => window.stillHere") is True  # no full reload
    server.wait_taken_in("templates/static/style.css")  # (the log line comes once the rest is rebuilt too)
    assert any(line.startswith("Changed templates/static/style.css: reloaded after") for line in server.lines)


def test_an_error_overlay_appears_in_an_open_page_and_goes_away(served, site, page):
    server = served()
    page.goto(server.base + "/events/troops/")
    server.wait_open("events/troops/index.html")
    good = (site.root / "content/events/troops.md").read_text()
    (site.root / "content/events/troops.md").write_text(good.replace("date: 2020-01-05", "date: 2020-13"))
    overlay = page.locator("#generator-error-overlay")
    overlay.wait_for(timeout=10000)
    assert "content/events/troops.md:3: 'date': invalid date '2020-13'" in overlay.inner_text()
    (site.root / "content/events/troops.md").write_text(good)
    overlay.wait_for(state="detached", timeout=10000)


def test_editing_a_translation_reloads_the_page_open_in_that_language(site, page):
    from conftest import SITE_YAML

    site.write("site.yaml", SITE_YAML.replace("language: en-GB\n", "languages:\n  en: {name: English, locale: en-GB}\n"
                                                                   "  id: {name: Bahasa Indonesia, locale: id}\n"))
    site.event("troops", title="Turkish troops deploy", date="2020-01-05")
    server = Served(site)
    try:
        page.goto(server.base + "/id/events/troops/")
        assert page.locator("h1").inner_text() == "Turkish troops deploy"  # not translated yet: the original
        server.wait_open("id/events/troops/index.html")
        site.write("content/events/troops.id.md", "---\ntitle: Pasukan Turki dikerahkan\n---\nTeks.\n")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'Pasukan Turki dikerahkan'",
                               timeout=10000)
        assert page.locator("html").get_attribute("lang") == "id"
    finally:
        server.stop()


def preview_index(server: Served) -> dict[str, dict[str, dict]]:
    """Pagefind's record of each page of the preview's search indexes, by URL: "full" (without the pages the delta
    replaces: what a search in the preview finds of it), "delta", and "superseded" (the full index's replaced ones),
    as the server describes them to its search page."""
    import gzip

    from generator.publish.search_bundle import SIGNATURE

    entry = json.loads(server.get("/pagefind/pagefind-entry.json")[2])
    assert entry["languages"]
    preview = server.site.root / ".cache/preview"
    delta = json.loads(server.get("/__generator__/search-index")[2])["delta"]
    superseded = set(delta["superseded"]) if delta else set()
    found: dict[str, dict[str, dict]] = {"full": {}, "delta": {}, "superseded": {}}
    for name, folder in (("full", "pagefind"), ("delta", "pagefind-delta")):
        for file in (preview / folder / "fragment").glob("*.pf_fragment"):
            record = json.loads(gzip.decompress(file.read_bytes())[len(SIGNATURE):])
            replaced = name == "full" and file.name.removesuffix(".pf_fragment") in superseded
            found["superseded" if replaced else name][record["url"]] = record
    return found


def indexed_texts(server: Served) -> str:
    """The text of every page a search in the preview finds."""
    index = preview_index(server)
    return "\n".join(record["content"] for name in ("full", "delta") for record in index[name].values())


def test_the_search_index_is_refreshed_in_the_background_after_an_edit_and_only_then(served, site):
    server = served()
    server.wait(lambda: server.status()["search"]["state"] == "ready", what="the first search index")
    assert "Moscow talks" in indexed_texts(server) and "Sirte ceasefire" not in indexed_texts(server)
    runs = server.status()["search"]["runs"]
    site.event("talks", title="Sirte ceasefire talks", date="2020-01-13", actors="russia", kind="diplomacy")
    server.wait_taken_in("content/events/talks.md")
    server.wait(lambda: server.status()["search"]["runs"] > runs and server.status()["search"]["state"] == "ready",
                what="the search index to be refreshed")
    assert "Sirte ceasefire" in indexed_texts(server)
    # a change no indexed page shows (a stylesheet) leaves the index as it is
    runs = server.status()["search"]["runs"]
    css = site.root / "templates/static/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: red; }\n", encoding="utf-8")
    server.wait_taken_in("templates/static/style.css")
    site.event("troops", title="Turkish troops deploy again", date="2020-01-05")
    server.wait_taken_in("content/events/troops.md")
    server.wait(lambda: server.status()["search"]["runs"] > runs and server.status()["search"]["state"] == "ready",
                what="the search index to be refreshed after the event's edit")
    assert server.status()["search"]["runs"] == runs + 1  # the stylesheet's rebuild indexed nothing
    assert "Turkish troops deploy again" in indexed_texts(server)


def search_state(server: Served) -> dict:
    return server.status()["search"]


def wait_indexed(server: Served, runs: int, what: str) -> dict:
    """Wait for the indexing after the runs-th to end well; the search state then."""
    server.wait(lambda: search_state(server)["runs"] > runs and search_state(server)["state"] == "ready",
                what=what)
    return search_state(server)


def bundle_files(server: Served) -> dict[str, bytes]:
    folder = server.site.root / ".cache/preview/pagefind"
    return {str(file.relative_to(folder)): file.read_bytes() for file in folder.rglob("*") if file.is_file()}


def test_an_edit_indexes_only_the_pages_it_changed_and_the_full_index_is_left_alone(served, site):
    for n in range(60):  # (enough pages that one change to all of them is more than a delta covers)
        site.event(f"e{n:02}", title=f"Filler event {n}", date=f"2019-{n % 12 + 1:02}-{n % 28 + 1:02}")
    server = served()
    state = wait_indexed(server, 0, "the first search index")
    assert (state["full_runs"], state["delta_pages"]) == (1, 0)
    full = bundle_files(server)
    before = preview_index(server)
    indexed_pages = len(before["full"])
    talks_url = "/events/talks/"
    assert "Moscow talks" in before["full"][talks_url]["content"]

    site.event("talks", title="Sirte ceasefire talks", date="2020-01-13", actors="russia", kind="diplomacy")
    state = wait_indexed(server, state["runs"], "the delta after the first edit")
    assert state["full_runs"] == 1 and 0 < state["delta_pages"] < 10  # the event, its neighbours, its actor
    assert bundle_files(server) == full  # the full index is not touched
    after = preview_index(server)
    assert "Sirte ceasefire talks" in after["delta"][talks_url]["content"]
    assert talks_url in after["superseded"]  # the old copy is no longer found
    assert "Moscow talks" not in indexed_texts(server)
    assert set(after["superseded"]) <= set(after["delta"])  # (no page was removed)
    assert len(after["full"]) + len(after["superseded"]) == indexed_pages

    # a second edit: the new delta covers both, the full index is still the first
    site.event("troops", title="Turkish troops deploy again", date="2020-01-05")
    state = wait_indexed(server, state["runs"], "the delta after the second edit")
    assert state["full_runs"] == 1
    after = preview_index(server)
    assert {talks_url, "/events/troops/"} <= set(after["delta"])
    assert "Sirte ceasefire talks" in indexed_texts(server) and "Turkish troops deploy again" in indexed_texts(server)

    # a removed event: its page is left out of the full index's results
    assert "Filler event 7." in indexed_texts(server)
    (site.root / "content/events/e07.md").unlink()
    state = wait_indexed(server, state["runs"], "the delta after a removal")
    after = preview_index(server)
    assert "/events/e07/" in after["superseded"] and "/events/e07/" not in after["delta"]
    assert "Filler event 7." not in indexed_texts(server)

    # a change to every page: the whole site is indexed again, and the delta goes
    config = site.root / "site.yaml"
    config.write_text(config.read_text().replace("title: Test timeline", "title: Another timeline"))
    state = wait_indexed(server, state["runs"], "the full index after a change to every page")
    assert (state["full_runs"], state["delta_pages"]) == (2, 0)
    assert not (site.root / ".cache/preview/pagefind-delta").exists()
    assert set(preview_index(server)["full"]) == set(after["full"]) | set(after["delta"])


def result_links(page) -> list[str]:
    return page.eval_on_selector_all("#search-results > li h2 a", "links => links.map(a => a.getAttribute('href'))")


def test_a_search_page_open_in_the_preview_finds_an_edit_in_place_and_in_date_order(served, site, page):
    for n in range(12):
        site.event(f"e{n:02}", title=f"Filler event {n}", date=f"2019-{n + 1:02}-10", body="A convoy crossed.")
    server = served()
    state = wait_indexed(server, 0, "the first search index")
    page.goto(server.base + "/search/?q=convoy&sort=asc")
    server.wait_open("search/index.html")
    in_order = [f"/events/e{n:02}/" for n in range(12)]
    page.wait_for_function(f"document.querySelectorAll('#search-results > li').length === 10")
    assert result_links(page) == in_order[:10]

    # e05 moves to the end of the year and gains a word: the open page searches again once its index is in place
    site.event("e05", title="Filler event 5 Zanzibarite", date="2019-12-25", body="A convoy crossed.")
    moved = [link for link in in_order if link != "/events/e05/"] + ["/events/e05/"]
    wait_indexed(server, state["runs"], "the delta after the edit")
    page.wait_for_function("document.querySelector('#search-results > li:nth-child(6) a')"
                           "?.getAttribute('href') === '/events/e06/'", timeout=15000)
    page.click("#search-more")
    page.wait_for_function("document.querySelectorAll('#search-results > li').length === 12")
    assert result_links(page) == moved  # the edited event once, where its new date puts it
    assert search_state(server)["full_runs"] == 1
    page.goto(server.base + "/search/?q=convoy&sort=desc")
    page.wait_for_function("document.querySelectorAll('#search-results > li').length === 10")
    assert result_links(page) == moved[::-1][:10]
    page.goto(server.base + "/search/?q=convoy")  # by relevance: each event once
    page.wait_for_function("document.querySelectorAll('#search-results > li').length === 10")
    assert page.inner_text("#search-status").startswith("12 ")
    page.click("#search-more")
    page.wait_for_function("document.querySelectorAll('#search-results > li').length === 12")
    assert sorted(result_links(page)) == in_order
    page.goto(server.base + "/search/?q=Zanzibarite")
    page.wait_for_function("document.querySelectorAll('#search-results > li').length === 1")
    assert result_links(page) == ["/events/e05/"]
    assert "Zanzibarite" in page.inner_text("#search-results")
