"""site.yaml -> a typed SiteConfig, reporting every problem as site.yaml:LINE: message."""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from generator.model.colour import MIN_TEXT_CONTRAST, WHITE, contrast
from generator.model.dates import PartialDate, is_known_language
from generator.model.errors import Problems
from generator.read.fields import ID_PATTERN, Fields, type_name
from generator.read.gazetteer import read_places
from generator.read.map_config import read_map
from generator.model.limits import MAX_FILE_BYTES, MAX_SITE_YAML_ITEMS, size_text
from generator.model.types import DEFAULT_ROLES, Actor, Involvement, Language, Role, SiteConfig, Side
from generator.read.languages import check_texts, localized, read_languages
from generator.read.yamldoc import YamlDoc, YamlError

CONFIG_FILE = "site.yaml"
SITE_KEYS = ("title", "description", "base_url", "language", "languages", "period", "sides", "kinds", "roles", "actors",
             "page_size", "places", "map", "search")
ROLE_KEYS = ("label", "with_side", "acts", "description")
ACTOR_KEYS = ("name", "type", "foreign", "colour", "aliases", "involvement")
ACTOR_TYPES = ("state", "company", "armed group", "organisation", "government")
PERIOD_KEYS = ("start", "end", "supports", "kind", "status", "note", "sources")
STATUSES = ("confirmed", "alleged", "denied")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def load_config(site_dir: Path, problems: Problems, base_url: str | None = None) -> SiteConfig | None:
    """Read and validate site.yaml; None when it is too broken to build anything from."""
    path = site_dir / CONFIG_FILE
    try:
        kind = path.stat().st_mode
        if not stat.S_ISREG(kind):  # (a folder, or a pipe that would keep the build waiting)
            problems.error(CONFIG_FILE, None, f"{'a folder' if stat.S_ISDIR(kind) else 'not a regular file'}: "
                                              f"site.yaml must be a file")
            return None
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            problems.error(CONFIG_FILE, None, f"the file is larger than {size_text(MAX_FILE_BYTES)}, the most it may be")
            return None
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except FileNotFoundError:
        problems.error(CONFIG_FILE, None, "file not found: every site needs a site.yaml")
        return None
    except OSError as error:
        problems.error(CONFIG_FILE, None, f"cannot read the file: {error.strerror}")
        return None
    except UnicodeDecodeError as error:
        problems.error(CONFIG_FILE, None, f"not valid UTF-8 ({error.reason} at byte {error.start})")
        return None
    try:
        doc = YamlDoc(text, max_items=MAX_SITE_YAML_ITEMS)
    except YamlError as error:
        problems.error(CONFIG_FILE, error.line, error.message)
        return None
    if not isinstance(doc.value, dict):
        problems.error(CONFIG_FILE, 1, f"site.yaml must be a mapping of keys to values, found {type_name(doc.value)}")
        return None
    return _read_config(Fields(doc.value, doc, CONFIG_FILE, problems), base_url)


def _read_config(site: Fields, base_url_override: str | None) -> SiteConfig | None:
    """The configuration in the default language, with its translations into the site's other languages.
    Each language's is read from site.yaml with that language's texts; a problem is reported once."""
    written = site.mapping.get("language")
    languages = read_languages(site, written if isinstance(written, str) and is_known_language(written) else "en")
    check_texts(site, languages)
    default = languages[0].code
    config = _read_one(site.with_mapping(localized(site.mapping, default, default)), base_url_override, languages)
    translations = {}
    for language in languages[1:]:
        quiet = Problems()
        other = _read_one(Fields(localized(site.mapping, language.code, default), site.doc, site.path, quiet),
                          base_url_override, languages, language.code)
        reported = {(p.line, p.message) for p in site.problems.items}
        site.problems.extend([p for p in quiet.items if (p.line, p.message) not in reported])
        if other is not None and config is not None:
            base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"
            translations[language.code] = replace(other, base_url=f"{base}{language.code}/", root_url=config.base_url)
    if config is None or len(translations) != len(languages) - 1:
        return None
    return replace(config, translations=translations)


def _read_one(site: Fields, base_url_override: str | None, languages: tuple[Language, ...],
              code: str | None = None) -> SiteConfig | None:
    """The configuration in one language (the default when code is None)."""
    before = len(site.problems.errors)
    site.unknown_keys(SITE_KEYS, "key")
    title = site.text("title", required=True)
    description = site.text("description")
    base_url = base_url_override or site.text("base_url", default="/")
    if base_url_override is None and site.has("base_url"):
        _check_base_url(site, base_url)
    elif base_url_override is not None and not _valid_base_url(base_url):
        site.error(None, f"--base-url must be an http(s) address or a path starting with '/', found '{base_url}'")
    language_info = next((l for l in languages if l.code == code), languages[0])
    language = language_info.locale
    if not site.has("languages"):
        language = site.text("language", default="en")
        if not is_known_language(language):
            site.error("language", f"unknown language code '{language}' (use BCP 47, e.g. en, en-GB, fr)")
            language = "en"

    page_size = site.mapping.get("page_size", 500)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 10 <= page_size <= 5000:
        site.error("page_size", f"'page_size' must be a whole number from 10 to 5000, found {type_name(page_size)}")
        page_size = 500
    period_start, period_end = _read_period(site)
    sides = _read_sides(site)
    kinds = _read_kinds(site)
    roles = _read_roles(site)
    actors = _read_actors(site, sides, kinds, period_start, period_end)
    places = read_places(site, language_info.code, languages[0].code)
    map_config = read_map(site, places)
    search = site.boolean("search", True)
    if len(site.problems.errors) > before or period_start is None or period_end is None:
        return None
    return SiteConfig(title=title, description=description, base_url=base_url, language=language,
                      period_start=period_start, period_end=period_end, sides=sides, kinds=kinds,
                      actors=actors, page_size=page_size, places=places, roles=roles, languages=languages,
                      lang=language_info.code, map=map_config, search=search)


def _valid_base_url(value: str) -> bool:
    parts = urlsplit(value)
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or (not parts.scheme and value.startswith("/"))


def _check_base_url(site: Fields, value: str) -> None:
    if not _valid_base_url(value):
        site.error("base_url", f"'base_url' must be an http(s) address or a path starting with '/', found '{value}'")


def _read_period(site: Fields) -> tuple[PartialDate | None, PartialDate | None]:
    if not site.has("period"):
        site.error(None, "missing required field 'period' (start and end of the conflict)")
        return None, None
    raw = site.mapping["period"]
    if not isinstance(raw, dict):
        site.error("period", f"'period' must be a mapping with start and end, found {type_name(raw)}")
        return None, None
    period = site.child("period", raw)
    period.unknown_keys(("start", "end"), "key")
    start = period.date("start", required=True, what="period")
    end = period.date("end", required=True, what="period")
    if start and end and end.last_day() < start.first_day():
        period.error("end", f"'end' ({end}) is before the start date ({start})")
        return start, None
    return start, end


def _mapping_of(site: Fields, key: str, what: str) -> dict[str, Any]:
    if not site.has(key):
        site.error(None, f"missing required field '{key}'")
        return {}
    raw = site.mapping[key]
    if not isinstance(raw, dict):
        site.error(key, f"'{key}' must be a mapping of {what} ids to {what}s, found {type_name(raw)}")
        return {}
    valid = {}
    for ident, value in raw.items():
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            site.error(key, f"invalid {what} id '{ident}': use lower-case letters, digits and hyphens", str(ident))
            continue
        valid[ident] = value
    return valid


def _entries(site: Fields, key: str, what: str, keys: tuple[str, ...], expected: str) -> Iterator[tuple[str, Fields]]:
    """Each valid id of a mapping of site.yaml (sides, roles, actors) with its fields, checked for unknown keys;
    an entry that is not a mapping is reported and skipped."""
    for ident, raw in _mapping_of(site, key, what).items():
        if not isinstance(raw, dict):
            site.error(key, f"{what} '{ident}' must be a mapping with {expected}, found {type_name(raw)}", ident)
            continue
        entry = site.child(key, {}).child(ident, raw)
        entry.unknown_keys(keys, f"{what} field")
        yield ident, entry


def _read_sides(site: Fields) -> dict[str, Side]:
    sides = {}
    for ident, side in _entries(site, "sides", "side", ("name", "short", "description"), "name, short, description"):
        name = side.text("name", required=True, what=f"side '{ident}'")
        sides[ident] = Side(ident, name, side.text("short", default=name), side.text("description"))
    return sides


def _read_kinds(site: Fields) -> dict[str, str]:
    kinds = {}
    for ident, label in _mapping_of(site, "kinds", "kind").items():
        if not isinstance(label, str) or not label.strip():
            site.error("kinds", f"kind '{ident}' must have a label, found {type_name(label)}", ident)
            continue
        kinds[ident] = label.strip()
    return kinds


def _read_roles(site: Fields) -> dict[str, Role]:
    """The roles an actor can have in an event; the built-in ones when site.yaml declares none."""
    if not site.has("roles"):
        return dict(DEFAULT_ROLES)
    roles = {}
    for ident, role in _entries(site, "roles", "role", ROLE_KEYS, "label and acts"):
        label = role.text("label", required=True, what=f"role '{ident}'")
        with_side = role.text("with_side")
        if with_side and (with_side.count("{") != 1 or with_side.count("}") != 1 or "{side}" not in with_side):
            role.error("with_side", f"'with_side' must contain {{side}} (where the side's short name goes) and no "
                                    f"other braces; found '{with_side}'")
            with_side = ""
        acts = role.boolean("acts")
        if with_side and not acts:
            role.error("with_side", f"role '{ident}' does not act, so no side is ever named with it: "
                                    f"remove 'with_side' or set 'acts: true'")
        roles[ident] = Role(ident, label, acts, with_side if acts else "", role.text("description"))
    if roles and "acted" not in roles:
        site.error("roles", "the roles must include 'acted', the role of actors listed by id alone")
    elif "acted" in roles and not roles["acted"].acts:
        site.error("roles", "the role 'acted' must act (acts: true)", "acted")
    return roles


def _read_actors(site: Fields, sides: dict[str, Side], kinds: dict[str, str],
                 period_start: PartialDate | None, period_end: PartialDate | None) -> dict[str, Actor]:
    actors = {}
    for ident, actor in _entries(site, "actors", "actor", ACTOR_KEYS, "name, type, colour…"):
        raw = actor.mapping
        name = actor.text("name", required=True, what=f"actor '{ident}'")
        actor_type = actor.one_of("type", ACTOR_TYPES, "state")
        colour = actor.text("colour", default="#4a5568")
        if not COLOUR.match(colour):
            actor.error("colour", f"'colour' must be a hex colour like #9b1c1c, found '{colour}'")
        elif (ratio := contrast(colour, WHITE)) < MIN_TEXT_CONTRAST:
            actor.warn("colour", f"colour '{colour}' gives white text a contrast of only {ratio:.1f}:1 on chips "
                                 f"and against the page (at least {MIN_TEXT_CONTRAST}:1): choose a darker colour")
        periods = []
        raw_periods = raw.get("involvement") or []
        if not isinstance(raw_periods, list):
            actor.error("involvement", f"'involvement' must be a list of periods, found {type_name(raw_periods)}")
            raw_periods = []
        for index, raw_period in enumerate(raw_periods):
            if not isinstance(raw_period, dict):
                actor.error("involvement", f"each period must be a mapping with start, kind…, found "
                                           f"{type_name(raw_period)}", index)
                continue
            period = actor.child("involvement", {}).child(index, raw_period)
            read = _read_involvement(period, sides, kinds, f"period {index + 1} of '{ident}'")
            if read:
                if period_end and read.start.first_day() > period_end.last_day():
                    period.warn("start", f"period starts ({read.start}) after the site's period ends ({period_end})")
                periods.append(read)
        actors[ident] = Actor(id=ident, name=name, type=actor_type, colour=colour,
                              foreign=actor.boolean("foreign", True), aliases=actor.words("aliases"),
                              involvement=tuple(sorted(periods, key=lambda p: p.start)))
    return actors


def _read_involvement(period: Fields, sides: dict[str, Side], kinds: dict[str, str],
                      what: str) -> Involvement | None:
    period.unknown_keys(PERIOD_KEYS, "involvement field")
    start = period.date("start", required=True, what=what)
    end = period.end_date("end", start)
    kind = period.ident("kind", kinds, "kind", required=True)
    supports = period.ident("supports", sides, "side")
    status = period.one_of("status", STATUSES, "confirmed")
    note = period.text("note")
    sources = period.sources("sources")
    if start is None or kind is None:
        return None
    return Involvement(start=start, end=end or "ongoing", kind=kind, supports=supports, status=status,
                       note=note, sources=sources)
