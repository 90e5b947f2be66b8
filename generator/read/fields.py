"""Typed reading of YAML mappings: each reader checks one field and reports problems at its line."""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from generator.model.dates import ONGOING, DateError, PartialDate, is_known_language, parse_partial_date
from generator.model.errors import Problems
from generator.model.types import Correction, EndDate, Source
from generator.read.yamldoc import KeyPath, YamlDoc

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_KEYS = ("url", "title", "publisher", "date", "language", "archive_url", "archived", "dead")
UNDATED = ("n.d.", "nd", "undated")


def suggest(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def type_name(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


class Fields:
    """Reads the keys of one mapping, reporting problems as path:line: message."""

    def __init__(self, mapping: Mapping[str, Any], doc: YamlDoc, path: str, problems: Problems,
                 at: KeyPath = ()) -> None:
        self.mapping = mapping
        self.doc = doc
        self.path = path
        self.problems = problems
        self.at = at

    def line(self, *keys: str | int) -> int:
        return self.doc.line(*self.at, *keys)

    def error(self, key: str | int | None, message: str, *more: str | int) -> None:
        keys = () if key is None else (key, *more)
        self.problems.error(self.path, self.line(*keys), message)

    def warn(self, key: str | int | None, message: str) -> None:
        self.problems.warn(self.path, self.line(*(() if key is None else (key,))), message)

    def with_mapping(self, mapping: Mapping[str, Any]) -> Fields:
        """The same place in the same file, reading another mapping (a localized copy of this one)."""
        return Fields(mapping, self.doc, self.path, self.problems, self.at)

    def child(self, key: str | int, mapping: Mapping[str, Any]) -> Fields:
        return Fields(mapping, self.doc, self.path, self.problems, (*self.at, key))

    def has(self, key: str) -> bool:
        return self.mapping.get(key) is not None

    def _required(self, key: str, what: str) -> bool:
        if key in self.mapping and self.mapping[key] is not None:
            return True
        where = f" in {what}" if what else ""
        self.error(None, f"missing required field '{key}'{where}")
        return False

    def unknown_keys(self, allowed: Iterable[str], what: str = "field") -> None:
        allowed = list(allowed)
        for key in self.mapping:
            if key not in allowed:
                self.warn(str(key), f"unknown {what} '{key}'{suggest(str(key), allowed)}")

    def text(self, key: str, required: bool = False, what: str = "", default: str = "") -> str:
        if not self.has(key):
            if required:
                self._required(key, what)
            return default
        value = self.mapping[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"'{key}' must be a non-empty text, found {type_name(value)}")
            return default
        return value.strip()

    def boolean(self, key: str, default: bool = False) -> bool:
        if key not in self.mapping or self.mapping[key] is None:
            return default
        value = self.mapping[key]
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, found {type_name(value)}")
            return default
        return value

    def date(self, key: str, required: bool = False, what: str = "") -> PartialDate | None:
        if not self.has(key):
            if required:
                self._required(key, what)
            return None
        try:
            return parse_partial_date(self.mapping[key])
        except DateError as error:
            self.error(key, f"'{key}': {error}")
            return None

    def end_date(self, key: str, start: PartialDate | None) -> EndDate:
        if not self.has(key):
            return None
        value = self.mapping[key]
        if isinstance(value, str) and value.strip().lower() == ONGOING:
            return ONGOING
        end = self.date(key)
        if end is not None and start is not None and end.last_day() < start.first_day():
            self.error(key, f"'{key}' ({end}) is before the start date ({start})")
            return None
        return end

    def ident(self, key: str, choices: Mapping[str, Any] | Iterable[str], what: str,
              required: bool = False) -> str | None:
        if not self.has(key):
            if required:
                self._required(key, "")
            return None
        value = self.mapping[key]
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be a {what} id, found {type_name(value)}")
            return None
        return self._check_id(value, choices, what, key)

    def idents(self, key: str, choices: Mapping[str, Any] | Iterable[str], what: str,
               required: bool = False) -> tuple[str, ...]:
        if not self.has(key):
            if required:
                self._required(key, "")
            return ()
        value = self.mapping[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (required and not value):
            self.error(key, f"'{key}' must be a list of one or more {what} ids, found {type_name(value)}")
            return ()
        found: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.error(key, f"'{key}' must list {what} ids, found {type_name(item)}", index)
                continue
            checked = self._check_id(item, choices, what, key, index)
            if checked and checked not in found:
                found.append(checked)
        return tuple(found)

    def _check_id(self, value: str, choices: Mapping[str, Any] | Iterable[str], what: str,
                  key: str, *more: str | int) -> str | None:
        known = list(choices)
        if value not in known:
            self.error(key, f"unknown {what} '{value}'{suggest(value, known)}", *more)
            return None
        return value

    def one_of(self, key: str, choices: tuple[str, ...], default: str) -> str:
        if not self.has(key):
            return default
        value = self.mapping[key]
        if value not in choices:
            options = ", ".join(choices)
            hint = suggest(str(value), choices)
            self.error(key, f"'{key}' must be one of {options}; found '{value}'{hint}")
            return default
        return str(value)

    def words(self, key: str) -> tuple[str, ...]:
        if not self.has(key):
            return ()
        value = self.mapping[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
            self.error(key, f"'{key}' must be a list of texts, found {type_name(value)}")
            return ()
        return tuple(dict.fromkeys(str(v).strip() for v in value))

    def url(self, key: str, required: bool = False, what: str = "") -> str | None:
        value = self.text(key, required=required, what=what)
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.error(key, f"'{key}' must be an http:// or https:// address, found '{value}'")
            return None
        return value

    def sources(self, key: str, required: bool = False) -> tuple[Source, ...]:
        if not self.has(key):
            if required:
                self._required(key, "")
            return ()
        value = self.mapping[key]
        if not isinstance(value, list) or not value:
            self.error(key, f"'{key}' must be a list of one or more sources, found {type_name(value)}")
            return ()
        sources = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(key, f"each source must be a mapping with url, title, publisher, language; "
                                f"found {type_name(item)}", index)
                continue
            read = Fields(item, self.doc, self.path, self.problems, (*self.at, key, index)).source(f"source {index + 1}")
            if read:
                sources.append(read)
        return tuple(sources)

    def source(self, what: str) -> Source | None:
        self.unknown_keys(SOURCE_KEYS, "source field")
        url = self.url("url", required=True, what=what)
        title = self.text("title", required=True, what=what)
        publisher = self.text("publisher", required=True, what=what)
        language = self.text("language", required=True, what=what)
        if language and not is_known_language(language):
            self.error("language", f"unknown language code '{language}' (use BCP 47, e.g. en, fr, ar, id)")
        archive_url = self.url("archive_url")
        archived = self.date("archived")
        dead = self.date("dead")
        if self.has("archived") and not self.has("archive_url"):
            self.warn("archived", "'archived' dates an archived copy: add its 'archive_url' (or remove 'archived')")
        raw_date = self.mapping.get("date")
        undated = isinstance(raw_date, str) and raw_date.strip().lower() in UNDATED
        date = None if undated else self.date("date")
        if raw_date is None:
            self.warn(None, f"{what} has no date (write date: n.d. if the source shows none)")
        if not (url and title and publisher and language):
            return None
        return Source(url=url, title=title, publisher=publisher, language=language, date=date,
                      undated=undated, archive_url=archive_url, archived=archived, dead=dead)

    def corrections(self, key: str) -> tuple[Correction, ...]:
        if not self.has(key):
            return ()
        value = self.mapping[key]
        if not isinstance(value, list):
            self.error(key, f"'{key}' must be a list of {{date, note}}, found {type_name(value)}")
            return ()
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.error(key, f"each correction must be a mapping with date and note, found {type_name(item)}",
                           index)
                continue
            entry = Fields(item, self.doc, self.path, self.problems, (*self.at, key, index))
            entry.unknown_keys(("date", "note"), "correction field")
            date = entry.date("date", required=True, what="correction")
            note = entry.text("note", required=True, what="correction")
            if date and note:
                found.append(Correction(date, note))
        return tuple(found)
