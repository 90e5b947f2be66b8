"""The state a Builder keeps between runs, declared once for the parts of the pipeline."""

from __future__ import annotations

import subprocess
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable

import jinja2

from generator.engine.cache import BuildCache
from generator.engine.event_shards import CachedEvent, Stat
from generator.output.joined import Fragments
from generator.output.staging import PageRecord
from generator.model.errors import Problem
from generator.model.types import SiteConfig
from generator.engine.parallel import Background
from generator.output.joined import Layout
from generator.render.pages import Renderer
from generator.render.plan import Reuse
from generator.model.site import Site
from generator.engine.stored import SpilledTexts

from generator.pipeline.options import BuildOptions, Progress


class BuilderState:
    """What a Builder keeps between runs, shared by the parts of the pipeline (cache_session, loading,
    rendering, publish_pass) that Builder joins; Builder.__init__ sets every attribute."""

    options: BuildOptions
    progress: Progress | None
    fingerprint: str
    cache: BuildCache
    timings: dict[str, float]
    site: Site | None  # the last site built
    hints: set[str] | None  # the files known to have changed since the last run, if known
    one_shot: bool  # build(): one run, then the cache saved; the workers spill the events' texts too
    layout_key: str
    data_key: str
    environment: jinja2.Environment  # the default language's
    environments: dict[str, jinja2.Environment]  # by language code
    cleanup: threading.Thread | None
    committing: Callable[[], AbstractContextManager[object]]
    _lap: float
    _signature: str
    _next_signature: str
    _stats: dict[str, Stat]
    _input_stats: dict[str, Stat]
    _last_pages: dict[str, PageRecord] | None
    _config: tuple[str, SiteConfig, list[Problem]] | None
    _environment: tuple[str, dict[str, jinja2.Environment]] | None
    _html: dict[str, str]
    _reusable: Reuse
    _files: tuple[list[tuple[str, str]], set[str], list[Problem]] | None
    _same_layout: bool
    _made_fragments: dict[str, Fragments]
    _joined: dict[str, Layout]
    _spill: Path | None
    _spilled_texts: SpilledTexts | None
    _saver: tuple[Background, dict[str, CachedEvent]] | None
    _template_problem: Problem | None
    _card_renderer: Renderer
    search_later: bool  # the preview's: builds leave the search index to the server, which indexes after them
    search_due: tuple[str, list[tuple[str, str]]] | None  # after a build that left the index: its key, and the pages
    # to index (output path, page key)
    search_started: Callable[[subprocess.Popen[bytes]], None] | None  # told of each Pagefind process a build
    # starts (`build --watch` stops it when files change meanwhile)

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap under stage."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._lap
        self._lap = now

    def _progress(self, stage: str, total: int) -> Callable[[int], None] | None:
        report = self.progress
        if report is None or not total:
            return None
        return lambda done: report(stage, done, total)
