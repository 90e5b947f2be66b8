"""Events as the build cache keeps them: every field but the summary's texts, which are read when used.

A build after one edit needs the Markdown and HTML of a few events (the pages it renders, the feeds'
latest entries), yet the lists, keys and neighbours of all 10,000. Loading the texts only when first
used makes loading the cache several times faster; a StoredEvent is otherwise an Event.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator

from generator.output.spill import SpillReader, Spilled
from generator.model.types import Event

TEXTS = ("html", "excerpt", "body")
FIELDS = tuple(field.name for field in dataclasses.fields(Event) if field.name not in TEXTS)
Texts = tuple[str, str, str]  # html, excerpt, body


class TextStore:
    """The events' texts in the cache, by event fingerprint: in the database, or in a file beside it where the
    database says (a cold build's spilled texts, kept as they were written; text_files.py). Each process opens
    its own connection and files; a file that is not as the database recorded it is not read."""

    def __init__(self, path: Path, site_dir: Path) -> None:
        self.path = path
        self.site_dir = site_dir
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._files: dict[str, int | None] = {}  # open text files by name; None: missing or changed

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a forked worker does not share its parent's
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._pid = os.getpid()
            self._files = {}
        return self._db

    def read(self, fingerprints: list[str]) -> dict[str, Texts]:
        found: dict[str, Texts] = {}
        try:
            db = self._connection()
            for start in range(0, len(fingerprints), 500):
                batch = fingerprints[start:start + 500]
                marks = ",".join("?" * len(batch))
                for key, html, excerpt, body, file, offset, *lengths in db.execute(
                        "SELECT fingerprint, html, excerpt, body, file, offset, html_len, excerpt_len, body_len "
                        f"FROM texts WHERE fingerprint IN ({marks})", batch):
                    if file is None:
                        found[key] = (html, excerpt, body)
                    elif (texts := self._from_text_file(db, file, offset, lengths)) is not None:
                        found[key] = texts
        except (sqlite3.Error, OSError, UnicodeDecodeError):
            pass
        return found

    def _from_text_file(self, db: sqlite3.Connection, name: str, offset: int, lengths: list[int]) -> Texts | None:
        if name not in self._files:
            self._files[name] = None
            row = db.execute("SELECT size, mtime_ns, inode FROM text_files WHERE name = ?", (name,)).fetchone()
            try:
                descriptor = os.open(self.path.parent / name, os.O_RDONLY) if row is not None else -1
            except OSError:
                descriptor = -1
            if descriptor >= 0:
                if as_recorded(os.fstat(descriptor), row):
                    self._files[name] = descriptor
                else:
                    os.close(descriptor)
        opened = self._files[name]
        if opened is None:
            return None
        data = os.pread(opened, sum(lengths), offset)
        return split_texts(data, lengths) if len(data) == sum(lengths) else None

    def texts(self, event: StoredEvent) -> Texts:
        """An event's texts: from the database, else (the cache changed under us) from its file again."""
        texts = self.read([event.fingerprint]).get(event.fingerprint)
        return texts if texts is not None else self._from_file(event)

    def _from_file(self, event: Event) -> Texts:
        from generator.read.content import split_source
        from generator.model.errors import Problems
        from generator.markup.markdown import MarkdownRenderer, first_paragraph

        try:
            raw = (self.site_dir / event.path).read_bytes()
        except OSError as error:
            raise RuntimeError(f"{event.path}: the build cache lost this event's text and its file is gone "
                               f"({error.strerror}); build again") from None
        source = split_source(raw, event.path, Problems())
        body = source.body if source else ""
        html = MarkdownRenderer().render(body)
        return html, first_paragraph(html), body


def as_recorded(info: os.stat_result, record: tuple[int, int, int]) -> bool:
    """Whether a text file is as the cache recorded it: (size, modification time in ns, inode)."""
    return (info.st_size, info.st_mtime_ns, info.st_ino) == tuple(record)


def split_texts(data: bytes, lengths: list[int]) -> Texts:
    """An event's html, excerpt and body from their UTF-8 bytes, written one after the other."""
    html_end, excerpt_end = lengths[0], lengths[0] + lengths[1]
    return data[:html_end].decode(), data[html_end:excerpt_end].decode(), data[excerpt_end:].decode()


class SpilledTexts(TextStore):
    """Texts the parse workers wrote to their spill files (a cold build's parent does not hold them), by
    fingerprint; each process opens the files once."""

    def __init__(self, site_dir: Path) -> None:
        super().__init__(Path(os.devnull), site_dir)
        self.spans: dict[str, tuple[Spilled, Spilled, Spilled]] = {}
        self._reader: tuple[int, SpillReader] | None = None

    def _spill_reader(self) -> SpillReader:
        if self._reader is None or self._reader[0] != os.getpid():
            self._reader = (os.getpid(), SpillReader())
        return self._reader[1]

    def text(self, event: StoredEvent, index: int) -> str:
        """One of an event's texts (0 html, 1 excerpt, 2 body): a page needs one or two, each once."""
        spans = self.spans.get(event.fingerprint)
        if spans is None:
            return self.texts(event)[index]
        return self._spill_reader().read(spans[index]).decode("utf-8")

    def read(self, fingerprints: list[str]) -> dict[str, Texts]:
        reader = self._spill_reader()
        found: dict[str, Texts] = {}
        for key in fingerprints:
            if (spans := self.spans.get(key)) is not None:
                html, excerpt, body = (reader.read(span).decode("utf-8") for span in spans)
                found[key] = (html, excerpt, body)
        return found

    def adopt(self, event: Event, spans: tuple[Spilled, Spilled, Spilled]) -> StoredEvent:
        """The event (parsed by a worker that spilled its texts) made a StoredEvent reading them from here."""
        self.spans[event.fingerprint] = spans
        fields = event.__dict__
        for name in TEXTS:
            del fields[name]
        fields["_store"] = self
        event.__class__ = StoredEvent
        assert isinstance(event, StoredEvent)
        return event

    def close(self) -> None:
        if self._reader is not None:
            self._reader[1].close()
            self._reader = None


class _Text:
    """One of a StoredEvent's texts (0 html, 1 excerpt, 2 body), read when first used."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, event: StoredEvent | None, owner: type | None = None) -> Any:
        if event is None:
            return self
        store = event.__dict__["_store"]
        if isinstance(store, SpilledTexts) and "texts_" not in event.__dict__:
            return store.text(event, self.index)  # read again when needed, not kept
        return event._texts()[self.index]

    def __set__(self, event: StoredEvent, value: str) -> None:
        event._texts()[self.index] = value


class StoredEvent(Event):
    """An Event loaded from the cache; html, excerpt and body are read from its TextStore when first used."""

    def _texts(self) -> list[str]:
        texts: list[str] | None = self.__dict__.get("texts_")
        if texts is None:
            texts = self.__dict__["texts_"] = list(self.__dict__["_store"].texts(self))
        return texts

    html = _Text(0)
    excerpt = _Text(1)
    body = _Text(2)

    @property
    def loaded(self) -> bool:
        return "texts_" in self.__dict__

    def __reduce__(self) -> tuple[type[Event], tuple[Any, ...]]:  # elsewhere, a plain Event
        return Event, tuple(getattr(self, field.name) for field in dataclasses.fields(Event))


_PACK = operator.attrgetter(*FIELDS)


def pack(event: Event) -> tuple[Any, ...]:
    """An event's fields without its texts, in FIELDS order."""
    return _PACK(event)


def unpack(values: Iterable[Any], store: TextStore) -> StoredEvent:
    event = StoredEvent.__new__(StoredEvent)
    event.__dict__.update(zip(FIELDS, values))
    event.__dict__["_store"] = store
    return event


def texts_of(events: list[Event]) -> Iterator[tuple[str, Texts]]:
    """(fingerprint, texts) of each event, read in batches where stored, without keeping them on the events."""
    for start in range(0, len(events), 500):
        batch = events[start:start + 500]
        found = _read(batch)
        for event in batch:
            texts = found.get(id(event))
            yield event.fingerprint, texts if texts is not None else (event.html, event.excerpt, event.body)


def preload(events: Iterable[Event]) -> None:
    """Read the texts of many stored events at once (rather than one query each)."""
    stored = [event for event in events if isinstance(event, StoredEvent)]
    found = _read(stored)
    for event in stored:
        if (texts := found.get(id(event))) is not None:
            event.__dict__["texts_"] = list(texts)


def _read(events: Iterable[Event]) -> dict[int, Texts]:
    """The texts of the stored events whose texts are not loaded, by id(): one query per store, and from
    the event's file for those the store lacks."""
    waiting: dict[TextStore, list[StoredEvent]] = {}
    for event in events:
        if isinstance(event, StoredEvent) and not event.loaded:
            waiting.setdefault(event.__dict__["_store"], []).append(event)
    texts: dict[int, Texts] = {}
    for store, stored in waiting.items():
        found = store.read([event.fingerprint for event in stored])
        for event in stored:
            texts[id(event)] = found.get(event.fingerprint) or store._from_file(event)
    return texts
