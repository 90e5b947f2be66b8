"""Fixtures: a scratch site written into tmp_path from dedented text, using the real templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis: `make test` runs each property with its full number of examples (the profile "full", Hypothesis's
# default of 100 per @given); `make test-fast` sets HYPOTHESIS_PROFILE=fast, a fifth of them.
settings.register_profile("full", max_examples=100)
settings.register_profile("fast", max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))


def examples(full: int) -> int:
    """The number of examples for a property that asks for `full` of them under the full profile."""
    return max(1, full * settings().max_examples // 100)  # (settings(): the profile loaded)

SITE_YAML = """\
title: Test timeline
description: A test site.
base_url: https://example.org/
language: en-GB
period:
  start: 2014
  end: 2021
sides:
  gna:
    name: Government of National Accord
    short: GNA
  lna:
    name: Libyan National Army
    short: LNA
kinds:
  military: Military action
  diplomacy: Diplomacy
actors:
  russia:
    name: Russia
    type: state
    colour: "#9b1c1c"
    aliases: [Rusia, Россия]
    involvement:
      - start: 2015
        supports: lna
        kind: diplomacy
  turkey:
    name: Turkey
    type: state
    colour: "#1f4e9c"
    involvement:
      - start: 2020-01
        supports: gna
        kind: military
  un:
    name: United Nations
    type: organisation
    colour: "#2f5d62"
"""

EVENT = """\
---
title: {title}
date: {date}
actors: [{actors}]
kind: {kind}
sources:
  - url: https://example.org/{slug}
    title: A report
    publisher: Example News
    date: 2020-01-02
    language: en
---
{body}
"""


@dataclass
class ScratchSite:
    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def event(self, slug: str, title: str = "An event", date: str = "2020-01-02", actors: str = "turkey",
              kind: str = "military", body: str = "A summary of the event.", folder: str = "") -> Path:
        rel = f"content/events/{folder + '/' if folder else ''}{slug}.md"
        return self.write(rel, EVENT.format(title=title, date=date, actors=actors, kind=kind, slug=slug,
                                            body=body))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the real CLI in a subprocess, as a user would."""
        return subprocess.run([sys.executable, "-m", "generator", *args, "--site", str(self.root)],
                              capture_output=True, text=True, cwd=ROOT)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the command line in this process (its run(), which main() ends the process with), as run()
        would in a subprocess, where the subprocess itself is not what a test is about: what it prints to
        stdout and stderr (with the warnings and log records a plain interpreter would show there) and its
        exit status. (It starts in a few milliseconds instead of a second or more.)"""
        import contextlib
        import io
        import logging
        import os
        import warnings

        from generator.__main__ import run

        out, err = io.StringIO(), io.StringIO()
        handler = logging.StreamHandler(err)  # as logging's last resort would: warnings and worse, to stderr
        handler.setLevel(logging.WARNING)
        logging.getLogger().addHandler(handler)
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    warnings.catch_warnings(record=True) as caught:
                warnings.resetwarnings()  # the interpreter's default filters, not pytest's
                for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                    warnings.simplefilter("ignore", category)
                try:
                    status = run([*args, "--site", str(self.root)])
                except SystemExit as done:  # as the interpreter ends on it
                    status = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
                    if not isinstance(done.code, int | None):
                        print(done.code, file=err)
            for warning in caught:
                err.write(warnings.formatwarning(warning.message, warning.category, warning.filename,
                                                 warning.lineno, warning.line))
        finally:
            os.chdir(cwd)
            logging.getLogger().removeHandler(handler)
        return subprocess.CompletedProcess(["generator", *args], status, out.getvalue(), err.getvalue())

    def read(self, rel: str) -> str:
        return (self.root / "output" / rel).read_text(encoding="utf-8")


def scratch_site(root: Path) -> ScratchSite:
    """A scratch site in the empty folder root (made): conftest's site.yaml and the real templates."""
    root.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    shutil.copytree(ROOT / "templates", root / "templates")
    return ScratchSite(root)


@pytest.fixture
def site(tmp_path: Path) -> ScratchSite:
    return scratch_site(tmp_path / "site")


@pytest.fixture(scope="session")
def bundled_output(tmp_path_factory) -> Path:
    """The bundled site (content/, site.yaml, templates/) built once, without its cache, into a folder of the
    run's own, for the tests that only read it. Under pytest-xdist the workers of one run share it: the
    first to need it builds it while the others wait on a lock (a build of the bundled site takes seconds)."""
    import fcntl

    from generator import BuildOptions, build

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        output = tmp_path_factory.mktemp("bundled") / "output"
        build(BuildOptions(ROOT, output_dir=output, use_cache=False))
        return output
    run = tmp_path_factory.getbasetemp().parent  # (each worker's folder is in the run's)
    output, done = run / "bundled" / "output", run / "bundled" / "built"
    with open(run / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # (released when the file is closed)
        if not done.exists():
            build(BuildOptions(ROOT, output_dir=output, use_cache=False))
            done.touch()
    return output


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser); skipped outside CI if missing."""
    import os

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make test` installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def static_server(tmp_path):
    """Serve a folder over HTTP on a free loopback port: static_server(folder, prefix='/') -> base URL."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder: Path, prefix: str = "/") -> str:
        port = free_port()
        root = tmp_path / f"served-{port}"
        target = root / prefix.strip("/") if prefix.strip("/") else root
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == root:
            root.symlink_to(folder, target_is_directory=True)
        else:
            target.symlink_to(folder, target_is_directory=True)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{port}{prefix if prefix.endswith('/') else prefix + '/'}"

    yield start
    for server in servers:
        server.shutdown()


BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that drives chromium (through the browser or page fixture) `browser`, so that
    `make test-fast` (-m "not browser") can leave them out."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """No test reaches the network: a connection from the test process to an address outside the loopback
    range fails the test (servers that tests start themselves listen on 127.0.0.1)."""
    import socket

    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = str(address[0]) if isinstance(address, tuple) else ""
        if self.family in (socket.AF_INET, socket.AF_INET6) and not (
                host.startswith("127.") or host in ("::1", "localhost") or host.startswith("::ffff:127.")):
            raise AssertionError(f"a test tried to reach {address}: only loopback servers are allowed")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
