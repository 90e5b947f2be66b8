"""Spill files: what the workers of a cold build write down rather than send to the parent.

The open data fragments of 10,000 events take 100 MB and their texts 60 MB. A worker writes them to its
own file beside the output and sends only where each lies (a Spilled); the parent joins the open data
and reads a text back when it needs it, and never holds them all. The builder deletes the files when
the build ends; the build cache may first keep the texts' files (linked into .cache/, engine/text_files.py).
"""

from __future__ import annotations

import os
from typing import NamedTuple, Sequence


class Spilled(NamedTuple):
    """Where a part a worker spilled lies: its file, offset and length."""

    path: str
    offset: int
    length: int


TEXTS_SUFFIX = ".texts"  # the file of the events' texts, which the build cache may keep (engine/text_files.py)


def spill(folder: str, parts: Sequence[bytes], suffix: str = "") -> list[Spilled]:
    """Worker: append the parts to this process's spill file in folder (the one with this suffix); where
    each now lies."""
    path = os.path.join(folder, str(os.getpid()) + suffix)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        offset = os.lseek(descriptor, 0, os.SEEK_END)
        where = []
        for part in parts:
            where.append(Spilled(path, offset, len(part)))
            offset += len(part)
        write_all(descriptor, b"".join(parts))
        return where
    finally:
        os.close(descriptor)


class SpillReader:
    """Reads spilled parts, opening each spill file once (read, not mapped: mapped pages would count in the
    memory of the process for as long as the mapping lives)."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}

    def read(self, piece: Spilled) -> bytes:
        descriptor = self.files.get(piece.path)
        if descriptor is None:
            descriptor = self.files[piece.path] = os.open(piece.path, os.O_RDONLY)
        data = os.pread(descriptor, piece.length, piece.offset)
        if len(data) != piece.length:
            raise OSError(f"{piece.path}: a spilled part is missing")
        return data

    def close(self) -> None:
        for descriptor in self.files.values():
            os.close(descriptor)
        self.files = {}

    def __enter__(self) -> SpillReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
