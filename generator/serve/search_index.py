"""What the preview tells its search page of the search indexes in place (pipeline/search_refresh.py makes them):
an endpoint that answers at once, or, asked with the version the page has, once a newer one is in place."""

from __future__ import annotations

import asyncio

from tornado import web
from tornado.ioloop import IOLoop

from generator.pipeline.search_refresh import SearchRefresher

SEARCH_INDEX = "/__generator__/search-index"  # what the preview's search page asks of the indexes in place


class Notice:
    """Wakes the coroutines of the server's loop that wait for it; given from any thread (once loop is set)."""

    def __init__(self) -> None:
        self.loop: IOLoop | None = None
        self._event: asyncio.Event | None = None  # (used in the loop's thread only)

    def give(self) -> None:
        if self.loop is not None:
            self.loop.add_callback(self._wake)

    def _wake(self) -> None:
        if self._event is not None:
            self._event.set()
        self._event = None

    async def wait(self, timeout: float) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except asyncio.TimeoutError:
            pass


class SearchIndexHandler(web.RequestHandler):
    """The search indexes in place (SearchRefresher.manifest()). With ?after=VERSION, the answer waits until a
    new index replaces that version (or WAIT seconds pass): the preview's search page asks so, and searches again
    when the answer names another version."""

    WAIT = 25.0

    def initialize(self, search: SearchRefresher, swapped: Notice) -> None:
        self.search = search
        self.swapped = swapped

    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        if self.get_query_argument("after", None) == str(self.search.manifest()["version"]):
            await self.swapped.wait(self.WAIT)
        self.write(self.search.manifest())
