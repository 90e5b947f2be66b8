"""`new`: write a well-formed event file for an editor to complete."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.read.content import EVENTS_DIR

from generator.model.text import slugify
from generator.model.dates import PartialDate


def event_path(site_dir: Path, date: PartialDate, slug: str) -> Path:
    return site_dir / EVENTS_DIR / f"{date.year}" / f"{date.iso()}-{slug}.md"


def render_event_file(front_matter: dict[str, object], body: str, comments: str = "") -> str:
    """YAML front matter (keys in the given order) between '---' lines, then the body."""
    yaml_text = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=100,
                               default_flow_style=None)
    return f"---\n{comments}{yaml_text}---\n{body}"


def new_event(site_dir: Path, title: str, date: PartialDate, actors: list[dict[str, str]], kind: str,
              supports: str | None = None, location: str | None = None, slug: str | None = None) -> Path:
    """Write content/events/<year>/<date>-<slug>.md; raise FileExistsError rather than overwrite. Actors are
    entries {id, role, supports}: written as a plain list of ids when none has more than its id."""
    slug = slug or slugify(title)
    path = event_path(site_dir, date, slug)
    if path.exists():
        raise FileExistsError(path)
    listed = [entry["id"] if len(entry) == 1 else entry for entry in actors]
    front: dict[str, object] = {"title": title, "date": date.iso(), "actors": listed, "kind": kind}
    if supports:
        front["supports"] = supports
    if location:
        front["location"] = location
    front["sources"] = [{"url": "https://", "title": "", "publisher": "", "date": date.iso(), "language": "en"}]
    body = ("Write the summary here, in your own words (80–250 words). The first paragraph is shown on the\n"
            "timeline. Attribute every claim to whoever made it.\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(render_event_file(front, body, "# Fill in the source (url, title, publisher, date, language).\n"))
    return path
