"""The summaries' texts that a cold build's workers wrote to files (spill files kept as .cache/texts-*): which
to keep linked from the cache, when to fold a file that is mostly out of date into the database, and
reading texts back from one."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from generator.engine.stored import SpilledTexts, as_recorded, split_texts, texts_of
from generator.model.types import Event
from generator.output.spill import TEXTS_SUFFIX

TEXT_FILE_PREFIX = "texts-"
STRAY_SECONDS = 600  # a text file no row names, this old, was left by a save that failed


def write_texts(db: sqlite3.Connection, folder: Path, events: list[Event]) -> None:
    """Store these events' texts: those a worker spilled, in the file it wrote (kept in folder), the others in
    the database."""
    files, in_files, rest = _keep_text_files(folder, events)
    db.executemany("INSERT INTO text_files VALUES (?, ?, ?, ?)", files)
    db.executemany("INSERT OR REPLACE INTO texts VALUES (?, NULL, NULL, NULL, ?, ?, ?, ?, ?)", in_files)
    db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL)",
                   ((key, *texts) for key, texts in texts_of(rest)))


def _keep_text_files(folder: Path, events: list[Event]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                                                                  list[Event]]:
    """Keep the files into which the workers of this build spilled these events' texts, as they are (a hard
    link in the cache folder, rather than copying 60 MB into the database): the files' rows, the rows of the
    texts in them, and the events whose texts are to be stored in the database after all."""
    spilled: dict[str, list[tuple[Event, Any]]] = {}
    rest: list[Event] = []
    for event in events:
        store = event.__dict__.get("_store")
        spans = store.spans.get(event.fingerprint) if isinstance(store, SpilledTexts) else None
        if spans is not None and spans[0].path.endswith(TEXTS_SUFFIX) and spans[0].path == spans[2].path and \
                spans[1].offset == spans[0].offset + spans[0].length and \
                spans[2].offset == spans[1].offset + spans[1].length:
            spilled.setdefault(spans[0].path, []).append((event, spans))
        else:
            rest.append(event)
    files: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    for n, (source, texts) in enumerate(spilled.items()):
        name = f"{TEXT_FILE_PREFIX}{time.time_ns()}-{os.getpid()}-{n}"
        try:
            os.link(source, folder / name)
            info = os.stat(folder / name)
        except OSError:  # another file system, or no hard links: into the database
            rest.extend(event for event, _ in texts)
            continue
        files.append((name, info.st_size, info.st_mtime_ns, info.st_ino))
        rows.extend((event.fingerprint, name, html.offset, html.length, excerpt.length, body.length)
                    for event, (html, excerpt, body) in texts)
    return files, rows, rest


def compact_text_files(db: sqlite3.Connection, folder: Path, live: set[str]) -> list[str]:
    """Move the live events' texts out of the text files that are now mostly out of date (their events
    edited or deleted since) into the database, and forget the files that are gone or not as recorded;
    the files no row names any more, to delete after the commit."""
    used: dict[str, int] = {}
    for name, key, length in db.execute("SELECT file, fingerprint, html_len + excerpt_len + body_len FROM texts "
                                        "WHERE file IS NOT NULL"):
        if key in live:
            used[name] = used.get(name, 0) + length
    unused = []
    for name, size, mtime_ns, inode in db.execute("SELECT name, size, mtime_ns, inode FROM text_files").fetchall():
        try:
            intact = as_recorded(os.stat(folder / name), (size, mtime_ns, inode))
        except OSError:
            intact = False
        if intact and used.get(name, 0) * 2 >= size:
            continue
        if intact:
            rows = [row for row in db.execute("SELECT fingerprint, offset, html_len, excerpt_len, body_len "
                                              "FROM texts WHERE file = ?", (name,)) if row[0] in live]
            try:
                db.executemany("UPDATE texts SET html = ?, excerpt = ?, body = ?, file = NULL, offset = NULL, "
                               "html_len = NULL, excerpt_len = NULL, body_len = NULL WHERE fingerprint = ?",
                               _read_texts(folder / name, rows))
            except (OSError, UnicodeDecodeError):  # the texts are made again from the event files when needed
                pass
        # (a damaged file's texts, and those of events since edited or deleted, are dropped)
        db.execute("DELETE FROM texts WHERE file = ?", (name,))
        db.execute("DELETE FROM text_files WHERE name = ?", (name,))
        unused.append(name)
    named = {name for (name,) in db.execute("SELECT name FROM text_files")}
    for stray in folder.glob(TEXT_FILE_PREFIX + "*"):
        try:
            if stray.name not in named and stray.stat().st_mtime < time.time() - STRAY_SECONDS:
                unused.append(stray.name)
        except OSError:
            pass
    return unused


def _read_texts(path: Path, rows: list[tuple[Any, ...]]) -> list[tuple[str, str, str, str]]:
    """(html, excerpt, body, fingerprint) of each row (fingerprint, offset, and the three texts' lengths)."""
    texts = []
    with open(path, "rb") as file:
        for key, offset, *lengths in rows:
            file.seek(offset)
            data = file.read(sum(lengths))
            if len(data) != sum(lengths):
                raise OSError(f"{path}: shorter than recorded")
            texts.append((*split_texts(data, lengths), key))
    return texts
