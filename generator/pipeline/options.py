"""What a build is asked to do (BuildOptions) and what it reports (BuildResult)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model.site import Site

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


from generator.model.errors import Problem



TEMPLATES_DIR = "templates"
STATIC_DIR = "static"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None  # default: <site>/output
    drafts: bool = False
    strict: bool = False
    base_url: str | None = None
    use_cache: bool = True
    trust_output: bool = False  # no one else writes the output folder (the preview's): skip checking its files
    read_only: bool = False  # check: nothing is written under the site (the cache is read, never saved)

    @property
    def output(self) -> Path:
        return self.output_dir or self.site_dir / "output"


@dataclass
class BuildResult:
    pages: int = 0  # files in the site
    rendered: int = 0  # pages rendered this time
    written: int = 0  # files written (new or changed)
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # output paths written or removed
    deferred: list[str] = field(default_factory=list)  # stale pages a quick build left for the next run
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    site: Site | None = None  # check(): the site's model, as checked
    search: str = ""  # the search index: indexed, unchanged, deferred (left to later), off, or not checked
