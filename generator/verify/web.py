"""The network, for `archive` and `check --sources` only: fetching a page (redirects followed, every failure
said in words), calling a JSON interface with retries and back-off, and a rate limit."""

from __future__ import annotations

import http
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import (ConnectTimeoutError, HTTPError, MaxRetryError, NameResolutionError,
                                NewConnectionError, ProtocolError, ReadTimeoutError, SSLError)

MAX_REDIRECTS = 10
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HOME_PATHS = {"", "index.html", "index.htm", "index.php", "home", "default.aspx"}


def pool(user_agent: str, timeout: float, per_host: int = 2) -> urllib3.PoolManager:
    return urllib3.PoolManager(num_pools=64, maxsize=per_host, headers={"User-Agent": user_agent},
                               timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False,
                               ca_certs=certifi.where())


def status_text(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP status {status}"


def failure_text(error: BaseException, timeout: float) -> str:
    """What went wrong, in words: 'timed out after 20 s', 'DNS failure: …', 'TLS error: …'."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        if "too many redirects" in str(error.reason).lower():
            return f"more than {MAX_REDIRECTS} redirects"
        error = error.reason
    if isinstance(error, NameResolutionError):
        return "DNS failure: the host name does not resolve"
    if isinstance(error, NewConnectionError):  # before the timeouts: urllib3 makes it a ConnectTimeoutError
        return f"cannot connect: {_short(error)}"
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        return f"timed out after {timeout:g} s"
    if isinstance(error, SSLError):
        return f"TLS error: {_short(error)}"
    if isinstance(error, ProtocolError):
        return "the connection broke off"
    return f"{type(error).__name__}: {_short(error)}"


def _short(error: BaseException) -> str:
    text = str(error.args[-1] if error.args else error)
    return text.split("] ", 1)[-1].strip("()")[:200]


def is_home(original: str, final: str) -> bool:
    """Whether a redirect from original landed on a site's home page (or a language's: /en/), which usually means
    that the article is gone. A redirect from one home page to another is no loss."""
    before, after = urlsplit(original), urlsplit(final)

    def home(parts: Any) -> bool:
        path = parts.path.strip("/").lower()
        return (path in HOME_PATHS or (len(path) == 2 and path.isalpha())) and not parts.query

    return home(after) and not home(before)


@dataclass(frozen=True)
class Fetched:
    dead: bool
    reason: str  # "200 OK", "404 Not Found", "redirected to the home page …", "timed out after 20 s"
    final_url: str = ""


def fetch(manager: urllib3.PoolManager, url: str, timeout: float) -> Fetched:
    """GET url, following redirects one hop at a time; no body is read, and each connection is closed by us
    (never reused half-read, nor raced with a server that closes it)."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = manager.request("GET", current, redirect=False, retries=False, preload_content=False,
                                       headers={**manager.headers, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        except (HTTPError, OSError) as error:
            return Fetched(True, failure_text(error, timeout), current)
        try:
            status, location = response.status, response.headers.get("Location")
        finally:
            response.close()
            response.release_conn()
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            continue
        if status >= 400:
            return Fetched(True, status_text(status), current)
        if current != url and is_home(url, current):
            return Fetched(True, f"redirected to the home page {current}", current)
        return Fetched(False, status_text(status), current)
    return Fetched(True, f"more than {MAX_REDIRECTS} redirects", current)


class RateLimit:
    """At most per_minute calls a minute, evenly spaced: wait() returns when the next one may go."""

    def __init__(self, per_minute: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute
        self.sleep = sleep
        self.last: float | None = None
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            if self.last is not None and now < self.last + self.interval:
                self.sleep(self.last + self.interval - now)
            self.last = time.monotonic()


class ApiError(Exception):
    """A call that failed for good (after its retries), with why; unreachable when no server answered."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def call_json(manager: urllib3.PoolManager, method: str, url: str, timeout: float, backoff: float, tries: int,
              fields: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              before: Callable[[], None] | None = None) -> Any:
    """A JSON answer from url; retried with back-off (backoff, twice that, …, or the server's Retry-After if
    longer) on 429, 5xx and a broken connection. before() runs before each try (a rate limit)."""
    for attempt in range(tries):
        if before is not None:
            before()
        try:
            sent = {**manager.headers, "Accept": "application/json", **(headers or {})}
            if method == "POST":  # a form, as the Archive expects
                response = manager.request_encode_body(method, url, fields=fields, headers=sent,
                                                       encode_multipart=False)
            else:
                response = manager.request_encode_url(method, url, fields=fields, headers=sent)
        except (HTTPError, OSError) as error:
            why = failure_text(error, timeout)
            wait = backoff * 2 ** attempt
            unreachable = True
        else:
            unreachable = False
            if response.status not in RETRY_STATUSES:
                if response.status >= 400:
                    raise ApiError(f"{status_text(response.status)} from {urlsplit(url).netloc}")
                try:
                    return json.loads(response.data.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise ApiError(f"{urlsplit(url).netloc} answered with something other than JSON") from None
            why = status_text(response.status)
            wait = max(backoff * 2 ** attempt, _retry_after(response.headers.get("Retry-After")))
        if attempt + 1 < tries:
            time.sleep(wait)
    raise ApiError(f"{why} (tried {tries} times)", unreachable)


def _retry_after(value: str | None) -> float:
    try:
        return min(float(value), 600.0) if value else 0.0
    except ValueError:
        return 0.0
