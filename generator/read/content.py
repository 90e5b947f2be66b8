"""content/ -> Event and Page models. Reads files, splits front matter, validates every field."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from generator.read.config import STATUSES
from generator.model.dates import PartialDate
from generator.model.errors import Problems
from generator.read.translations import check_language, read_translated, translation_event, translation_name
from generator.read.fields import ID_PATTERN, Fields, suggest, type_name
from generator.read.gazetteer import check_location
from generator.model.limits import MAX_FILE_BYTES, size_text
from generator.model.text import slugify
from generator.markup.markdown import check_limits
from generator.model.types import Event, Page, Part, SiteConfig
from generator.read.yamldoc import YamlDoc, YamlError

EVENTS_DIR = "content/events"
PAGES_DIR = "content/pages"
ACTORS_DIR = "content/actors"
EVENT_KEYS = ("title", "date", "end", "approximate", "actors", "kind", "supports", "status", "denied_by",
              "location", "tags", "milestone", "draft", "slug", "sources", "updated", "corrections")
PAGE_KEYS = ("title", "slug", "draft")
RESERVED_PAGE_SLUGS = ("events", "actors", "years", "kinds", "tags", "static", "data", "schema", "places")


@dataclass
class SourceFile:
    """A content file split into its front matter (parsed) and its Markdown body."""

    path: str
    doc: YamlDoc
    body: str
    body_line: int = 1  # the line of the file where the body starts

    @property
    def meta(self) -> dict[str, Any]:
        return self.doc.value  # type: ignore[no-any-return]


def read_with_stat(file: str | Path) -> tuple[bytes, os.stat_result]:
    """A file's bytes and its stat, in four system calls (a file object makes eight: this is done for every
    event of a first build). Only the first MAX_FILE_BYTES + 1 bytes of a larger file are read: enough for
    split_source() to refuse it."""
    fd = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        data = os.read(fd, min(info.st_size, MAX_FILE_BYTES) + 1)  # a regular file's read comes short only at its end
        if len(data) > info.st_size:  # it grew meanwhile
            parts, size = [data], len(data)
            while size <= MAX_FILE_BYTES and (part := os.read(fd, 1 << 16)):
                parts.append(part)
                size += len(part)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return data, info


def read_source_file(file: str | Path, rel: str, problems: Problems) -> SourceFile | None:
    """Read a Markdown file with YAML front matter; report what is wrong and return None if unusable."""
    try:
        raw, _ = read_with_stat(file)
    except OSError as error:
        problems.error(rel, None, f"cannot read file: {error.strerror}")
        return None
    return split_source(raw, rel, problems)


def split_source(raw: bytes, rel: str, problems: Problems) -> SourceFile | None:
    """Split a file's bytes into front matter and body; report what is wrong and return None if unusable."""
    if len(raw) > MAX_FILE_BYTES:
        problems.error(rel, None, f"the file is larger than {size_text(MAX_FILE_BYTES)}, the most a content file "
                                  f"may be")
        return None
    if not raw.strip():
        problems.error(rel, 1, "empty file: an event needs front matter between '---' lines and a summary")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        problems.error(rel, line, f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); save it as UTF-8")
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0].strip() != "---":
        problems.error(rel, 1, "missing front matter: the file must start with a line '---'")
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        problems.error(rel, 1, "front matter is not closed: add a line '---' after it")
        return None
    try:
        doc = YamlDoc("\n".join(lines[1:closing]), first_line=2)
    except YamlError as error:
        problems.error(rel, error.line, error.message)
        return None
    if not isinstance(doc.value, dict):
        problems.error(rel, 2, f"front matter must be a mapping of keys to values, found {type_name(doc.value)}")
        return None
    body_line = closing + 2
    while body_line <= len(lines) and not lines[body_line - 1]:
        body_line += 1
    body = "\n".join(lines[body_line - 1:]).strip("\n") + "\n"
    if (limit := check_limits(body, raw)) is not None:
        problems.error(rel, body_line + (limit.line or 1) - 1, limit.message)
        return None
    return SourceFile(rel, doc, body, body_line)


def content_files(site_dir: Path, folder: str, problems: Problems | None = None) -> list[tuple[str, str]]:
    """The Markdown files under a content folder, sorted: (file path, site-relative path); see site_files()."""
    found = [(entry.path, rel) for entry, rel in site_files(site_dir, folder, problems) if rel.endswith(".md")]
    found.sort(key=lambda item: item[1])
    return found


def site_files(site_dir: Path, folder: str, problems: Problems | None = None) -> Iterator[tuple[os.DirEntry[str], str]]:
    """The files under a folder of the site, but hidden ones, with their site-relative paths.

    A symbolic link is followed only where it leads inside the site, and each folder is read once: the
    folders reached through links are read last, unless read already (a link to a parent is a loop). A name
    that is not UTF-8 is skipped. Each of these, a broken link and an unreadable folder are reported to
    problems, if given."""
    site = os.path.realpath(site_dir)
    top = os.path.join(site_dir, folder)
    if not _inside(os.path.realpath(top), site):
        _report(problems, folder, f"a symbolic link to {os.path.realpath(top)}, outside the site: not followed")
        return
    read = {os.path.realpath(top)}  # the real paths of the folders read
    pending = [(top, folder, os.path.realpath(top))]
    linked: list[tuple[str, str]] = []  # folders reached through a link: read once every real folder is
    while pending or linked:
        if not pending:
            directory, rel = linked.pop()
            real = os.path.realpath(directory)
            if real in read:
                _report(problems, rel, f"a symbolic link to {os.path.relpath(real, site)}/, which is read "
                                       f"already (a loop): not followed")
                continue
            read.add(real)
            pending.append((directory, rel, real))
        directory, rel, real = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            continue
        except OSError as error:
            _report(problems, rel, f"cannot read the folder: {error.strerror}")
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = f"{rel}/{name}"
            try:
                path.encode("utf-8")
            except UnicodeEncodeError:
                _report(problems, os.fsencode(path).decode("utf-8", "backslashreplace"),
                        "the name is not valid UTF-8: rename it (the file is skipped)")
                continue
            try:
                link = entry.is_symlink()
                if link and not _inside(target := os.path.realpath(entry.path), site):
                    _report(problems, path, f"a symbolic link to {target}, outside the site: not followed")
                    continue
                if entry.is_dir() and link:
                    linked.append((entry.path, path))
                elif entry.is_dir():
                    read.add(f"{real}{os.sep}{name}")
                    pending.append((entry.path, path, f"{real}{os.sep}{name}"))
                elif entry.is_file():
                    yield entry, path
                elif link:
                    _report(problems, path, "a broken symbolic link")
            except OSError as error:  # a link to itself, or a file gone meanwhile
                _report(problems, path, f"cannot read it: {error.strerror}")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _report(problems: Problems | None, rel: str, message: str) -> None:
    if problems is not None:
        problems.error(rel, None, message)


def read_event(source: SourceFile, config: SiteConfig, problems: Problems) -> Event | None:
    """Validate one event's front matter against the site's configuration."""
    fields = Fields(source.meta, source.doc, source.path, problems)
    if translation_name(source.path) is not None:
        return translation_event(fields, EVENT_KEYS, source.path, source.body, config)
    before = len(problems.errors)
    fields.unknown_keys(EVENT_KEYS)
    title = fields.text("title", required=True)
    date = fields.date("date", required=True)
    end = fields.end_date("end", date)
    kind = fields.ident("kind", config.kinds, "kind", required=True)
    supports = fields.ident("supports", config.sides, "side")
    status = fields.one_of("status", STATUSES, "confirmed")
    parts = read_parts(fields, config, supports, status)
    denied_by = fields.idents("denied_by", config.actors, "actor")
    tags = fields.words("tags")
    for index, tag in enumerate(tags):
        if not slugify(tag):
            fields.error("tags", f"tag '{tag}' has no letters or digits to make a web address from", index)
    sources = fields.sources("sources", required=True)
    event = Event(
        slug=_slug(fields, Path(source.path).stem), path=source.path, title=title,
        date=date or _NO_DATE, end=end, approximate=fields.boolean("approximate"),
        actors=tuple(part.id for part in parts), roles=parts, kind=kind or "", supports=supports, status=status, denied_by=denied_by,
        location=fields.text("location") or None, tags=tags, milestone=fields.boolean("milestone"),
        draft=fields.boolean("draft"), sources=sources, updated=fields.date("updated"),
        corrections=fields.corrections("corrections"), body=source.body,
    )
    if not source.body.strip():
        problems.warn(source.path, source.doc.line() + len(source.doc.text.split("\n")) + 1,
                      "the summary (the text after the front matter) is empty")
    if len(problems.errors) > before:
        return None
    _check_involvement(fields, event, config)
    check_location(fields, event, config.places)
    return event


ACTOR_ENTRY_KEYS = ("id", "role", "supports", "status")


def read_parts(fields: Fields, config: SiteConfig, supports: str | None, status: str) -> tuple[Part, ...]:
    """The event's actors with their parts. An entry is an actor id (it acted, for the event's side) or a
    mapping {id, role, supports, status}; only acting roles take a side, and at least one actor must act."""
    if not fields.has("actors"):
        fields.error(None, "missing required field 'actors'")
        return ()
    value = fields.mapping["actors"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        fields.error("actors", f"'actors' must be a list of one or more actor ids or {{id, role}} entries, "
                               f"found {type_name(value)}")
        return ()
    roles = config.roles
    acting_roles = ", ".join(ident for ident, role in roles.items() if role.acts)
    parts: list[Part] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        entry = fields.child("actors", {}).child(index, item if isinstance(item, dict) else {})
        own_side: str | None = None
        own_status: str | None = None
        if isinstance(item, str):
            ident, role_id = item, "acted"
        elif isinstance(item, dict):
            entry.unknown_keys(ACTOR_ENTRY_KEYS, "actor field")
            if not entry.has("id"):
                entry.error(None, "an actor entry needs an 'id' (an actor id from site.yaml)")
                continue
            ident = item["id"]
            own_side = entry.ident("supports", config.sides, "side")
            own_status = entry.one_of("status", STATUSES, status) if entry.has("status") else None
            if not entry.has("role"):
                role_id = "acted"
            elif (known := entry.ident("role", roles, "role")) is not None:
                role_id = known
            else:
                continue
        else:
            fields.error("actors", f"each actor must be an actor id or a mapping with id and role, found "
                                   f"{type_name(item)}", index)
            continue
        at = "id" if isinstance(item, dict) else None  # the line of the id
        if not isinstance(ident, str):
            entry.error(at, f"an actor id must be a text, found {type_name(ident)}")
            continue
        if ident not in config.actors:
            entry.error(at, f"unknown actor '{ident}'{suggest(ident, config.actors)}")
            continue
        if ident in seen:
            entry.error(at, f"actor '{ident}' is listed twice (also as entry {seen[ident] + 1}): give it one entry "
                        f"with one role")
            continue
        seen[ident] = index
        role = roles[role_id]
        if own_side and not role.acts:
            entry.error("supports", f"'supports' is only for roles that act ({acting_roles}): an actor with the "
                                    f"role '{role_id}' backs no side")
            continue
        parts.append(Part(ident, role_id, role.acts, (own_side or supports) if role.acts else None,
                          own_status or status))
    if parts and len(parts) == len(value) and not any(part.acts for part in parts):
        fields.error("actors", f"no actor acts in this event: give at least one the role {acting_roles.replace(', ', ' or ')} "
                               f"(the others only enforce, mediate, host, are targeted, claim or report)")
    return tuple(parts)


_NO_DATE = PartialDate(1)  # placeholder on an event that is rejected anyway


def _slug(fields: Fields, stem: str) -> str:
    if not fields.has("slug"):
        slug = slugify(stem)
        if not slug:
            fields.error(None, f"cannot make a slug from the file name '{stem}': add a 'slug' field")
        return slug
    value = str(fields.mapping["slug"])
    if not ID_PATTERN.match(value):
        fields.error("slug", f"invalid slug '{value}': use lower-case letters, digits and hyphens "
                             f"(e.g. '{slugify(value) or 'my-event'}')")
        return slugify(value)
    return value


def _check_involvement(fields: Fields, event: Event, config: SiteConfig) -> None:
    for part in event.acting:  # an actor that only enforced, hosted or was targeted needs no period
        ident = part.id
        actor = config.actors[ident]
        if actor.involvement and not any(period.covers(event.date) for period in actor.involvement):
            start = actor.start
            fields.warn("date", f"the event ({event.date}) lies outside the involvement periods of "
                                f"'{ident}' in site.yaml (first from {start})")


def check_duplicate_slugs(events: list[Event], problems: Problems) -> None:
    seen: dict[str, Event] = {}
    for event in events:
        if event.slug in seen:
            problems.error(event.path, 1, f"duplicate slug '{event.slug}' (also used by {seen[event.slug].path})")
        else:
            seen[event.slug] = event


def load_pages(site_dir: Path, problems: Problems) -> list[Page]:
    """The content pages under content/pages (about, methodology…)."""
    pages: list[Page] = []
    for file, rel in content_files(site_dir, PAGES_DIR, problems):
        if translation_name(rel) is not None:
            continue  # (load_translated_pages)
        source = read_source_file(file, rel, problems)
        if not source:
            continue
        fields = Fields(source.meta, source.doc, rel, problems)
        fields.unknown_keys(PAGE_KEYS)
        title = fields.text("title", required=True)
        slug = _slug(fields, Path(file).stem)
        if slug in RESERVED_PAGE_SLUGS:
            fields.error("slug" if fields.has("slug") else None,
                         f"the slug '{slug}' is reserved for the generator's own pages")
            continue
        if any(page.slug == slug for page in pages):
            problems.error(rel, 1, f"duplicate page slug '{slug}'")
            continue
        if title and slug and not fields.boolean("draft"):
            pages.append(Page(slug=slug, path=rel, title=title, body=source.body))
    return pages


def load_profiles(site_dir: Path, config: SiteConfig, problems: Problems) -> dict[str, Page]:
    """Actor profiles content/actors/<actor-id>.md, keyed by actor id."""
    profiles = {}
    for file, rel in content_files(site_dir, ACTORS_DIR, problems):
        if translation_name(rel) is not None:
            continue  # (load_translated_pages)
        source = read_source_file(file, rel, problems)
        if not source:
            continue
        ident = Path(file).stem
        if ident not in config.actors:
            problems.error(rel, 1, f"no actor '{ident}' in site.yaml{suggest(ident, config.actors)}: "
                                   f"name the file after an actor id")
            continue
        fields = Fields(source.meta, source.doc, rel, problems)
        fields.unknown_keys(("title",))
        title = fields.text("title", default=config.actors[ident].name)
        profiles[ident] = Page(slug=ident, path=rel, title=title, body=source.body)
    return profiles


def load_translated_pages(site_dir: Path, folder: str, config: SiteConfig, originals: list[Page],
                          problems: Problems) -> dict[str, dict[str, Page]]:
    """The translations of the content pages (PAGES_DIR) or profiles (ACTORS_DIR): by language, by the slug
    of the page they translate."""
    by_path = {page.path: page for page in originals}
    keys = ("slug", "draft") if folder == PAGES_DIR else ()
    found: dict[str, dict[str, Page]] = {language.code: {} for language in config.languages[1:]}
    for file, rel in content_files(site_dir, folder, None):
        name = translation_name(rel)
        if name is None:
            continue
        original, code = name
        if not check_language(rel, code, config, problems):
            continue
        source = read_source_file(file, rel, problems)
        if not source:
            continue
        before = len(problems.errors)
        title, translated = read_translated(Fields(source.meta, source.doc, rel, problems), keys, original, rel,
                                            config)
        page = by_path.get(original)
        if page is None:
            if not (site_dir / original).is_file():
                problems.error(rel, None, f"a translation without its original: there is no "
                                          f"{Path(original).name} beside it")
            continue
        if len(problems.errors) == before:
            found[code][page.slug] = Page(slug=page.slug, path=rel, title=title or page.title, body=source.body,
                                          language=code, translation=translated)
    return found
