"""Files joined from one part per event (the open data and the filters' index), patched after an edit.

Such a file is a head, the events' parts with a separator between them, and a tail. The open data of
10,000 events is about 100 MB; after one edit, all but one part of each file are already in the file
the last build wrote. A Layout records where each part lies in that file, so the next build copies the
unchanged runs from it (in the kernel, with copy_file_range) and writes only the new parts.
"""

from __future__ import annotations

import mmap
import os
from array import array
from itertools import accumulate, chain
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from generator.output.spill import Spilled, SpillReader, write_all

# part i lies at starts[i], lengths[i] bytes long; keys[i] names it (see Builder: data key and fingerprint)


@dataclass(frozen=True)
class Layout:
    """Where each part lies in one file a build wrote under `key` (the key of its publishing job)."""

    key: str
    size: int
    keys: Sequence[str]
    starts: array[int]  # 'q'
    lengths: array[int]

    def pack(self) -> tuple[str, int, bytes, bytes, bytes]:
        return self.key, self.size, "\n".join(self.keys).encode("utf-8"), self.starts.tobytes(), \
            self.lengths.tobytes()

    @staticmethod
    def unpack(key: str, size: int, keys: bytes, starts: bytes, lengths: bytes) -> Layout:
        if _UNPACKED[0] != keys:  # the joined files of a build list the same keys: decoded once
            _UNPACKED[:] = [keys, keys.decode("utf-8").split("\n") if keys else []]
        layout = Layout(key, size, _UNPACKED[1], array("q"), array("q"))
        layout.starts.frombytes(starts)
        layout.lengths.frombytes(lengths)
        if not len(layout.keys) == len(layout.starts) == len(layout.lengths):
            raise ValueError("inconsistent layout")
        return layout


Span = tuple[int, int]  # offset and length in the previous file
Part = bytes | Spilled  # a new part: its bytes, or where a worker spilled them
_UNPACKED: list[Any] = [b"", []]  # the last keys unpacked: bytes, list
_RUNS: list[Any] = [None, None, []]  # the last runs computed: keys, old keys, runs


def _runs(keys: Sequence[str], old: Sequence[str]) -> list[str | tuple[int, int]]:
    """keys as runs of parts lying one after the other in the old file ((first, last) positions there, last
    excluded) and keys the old file lacks (computed once for the several files of a build)."""
    if _RUNS[0] is keys and _RUNS[1] is old:
        runs: list[str | tuple[int, int]] = _RUNS[2]
        return runs
    where = {key: n for n, key in enumerate(old)}
    runs = []
    for key in keys:
        position = where.get(key, -1)
        if position < 0:
            runs.append(key)
        elif runs and isinstance(last := runs[-1], tuple) and last[1] == position:
            runs[-1] = (last[0], position + 1)
        else:
            runs.append((position, position + 1))
    _RUNS[:] = [keys, old, runs]
    return runs


class Joined:
    """head + sep.join(parts) + tail, each part either new bytes or copied from the previous file."""

    def __init__(self, head: bytes, sep: bytes, tail: bytes, keys: Sequence[str],
                 part: Callable[[list[str]], dict[str, Part]], previous: tuple[str, Layout] | None) -> None:
        """part(keys) gives the new parts (bytes, or where they were spilled); previous is the last build's
        file and its layout, if usable."""
        self.keys = keys
        self.previous = previous[0] if previous else None
        old_starts = old_lengths = array("q")
        if previous:
            old_starts, old_lengths = previous[1].starts, previous[1].lengths
        runs = _runs(keys, previous[1].keys if previous else [])
        made = part([run for run in runs if isinstance(run, str)])
        pieces: list[bytes | Span | Spilled] = []
        text: list[bytes] = [head]  # new bytes not yet added to pieces
        lengths: array[int] = array("q")
        for n, run in enumerate(runs):
            if n:
                text.append(sep)
            if isinstance(run, str):
                data = made[run]
                if isinstance(data, Spilled):
                    pieces.append(b"".join(text))
                    text = []
                    pieces.append(data)
                    lengths.append(data.length)
                else:
                    text.append(data)
                    lengths.append(len(data))
            else:  # parts first..last-1 of the old file, one after the other there
                first, last = run
                pieces.append(b"".join(text))
                text = []
                end = old_starts[last - 1] + old_lengths[last - 1]
                pieces.append((old_starts[first], end - old_starts[first]))
                lengths.extend(old_lengths[first:last])
        text.append(tail)
        pieces.append(b"".join(text))
        self.pieces = [piece for piece in pieces if piece != b""]
        gap = len(sep)
        self.starts: array[int] = array("q", accumulate(chain([len(head)],
                                                              (length + gap for length in lengths[:-1]))))
        self.lengths = lengths
        self.size = len(head) + sum(lengths) + gap * max(0, len(lengths) - 1) + len(tail)

    def layout(self, key: str) -> Layout:
        return Layout(key, self.size, self.keys, self.starts, self.lengths)

    def same_as(self, path: str) -> bool:
        """Whether the file at path already holds exactly these bytes."""
        try:
            with open(path, "rb") as handle:
                if os.fstat(handle.fileno()).st_size != self.size:
                    return False
                if self.size == 0:
                    return True
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as old:
                    copied_from = self.previous is not None and os.path.samefile(path, self.previous)
                    with SpillReader() as spilled:
                        return self._same_pieces(old, spilled, copied_from)
        except (OSError, ValueError):
            return False

    def _same_pieces(self, old: mmap.mmap, spilled: SpillReader, copied_from: bool) -> bool:
        position = 0
        for piece in self.pieces:
            if isinstance(piece, Spilled):
                if old[position:position + piece.length] != spilled.read(piece):
                    return False
                position += piece.length
            elif isinstance(piece, bytes):
                if old[position:position + len(piece)] != piece:
                    return False
                position += len(piece)
            else:
                offset, length = piece
                if offset != position or not copied_from:
                    if old[position:position + length] != _read_span(self.previous, offset, length):
                        return False
                position += length
        return True

    def write(self, path: str) -> None:
        """Write the file to path (a new file), copying the unchanged runs from the previous file."""
        source = os.open(self.previous, os.O_RDONLY) if self.previous else -1
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        spilled = SpillReader()
        buffer: list[bytes] = []  # small pieces gathered into writes of a few MB
        size = 0
        try:
            for piece in self.pieces:
                if isinstance(piece, tuple) and not isinstance(piece, Spilled):
                    write_all(target, b"".join(buffer))
                    buffer, size = [], 0
                    _copy_range(source, target, *piece)
                    continue
                data = spilled.read(piece) if isinstance(piece, Spilled) else piece
                buffer.append(data)
                size += len(data)
                if size >= 1 << 22:
                    write_all(target, b"".join(buffer))
                    buffer, size = [], 0
            write_all(target, b"".join(buffer))
        finally:
            os.close(target)
            if source >= 0:
                os.close(source)
            spilled.close()

    def bytes(self) -> bytes:
        parts = []
        with SpillReader() as spilled:
            for piece in self.pieces:
                if isinstance(piece, Spilled):
                    parts.append(spilled.read(piece))
                else:
                    parts.append(piece if isinstance(piece, bytes) else _read_span(self.previous, *piece))
        return b"".join(parts)


def _read_span(path: str | None, offset: int, length: int) -> bytes:
    if path is None:
        raise ValueError("a span without a previous file")
    with open(path, "rb") as handle:
        return os.pread(handle.fileno(), length, offset)


def _copy_range(source: int, target: int, offset: int, length: int) -> None:
    """Append length bytes of source from offset to target (in the kernel where it can)."""
    while length > 0:
        try:
            copied = os.copy_file_range(source, target, length, offset)
        except (AttributeError, OSError):  # not Linux, another file system, an old kernel: copy by hand
            copied = os.write(target, os.pread(source, min(length, 1 << 24), offset))
        if copied <= 0:
            raise OSError(f"could not copy {length} bytes of the previous output")
        offset += copied
        length -= copied


# an event's share of the open data: its events.json record, events.csv row, TimelineJS slide and row of the
# filters' index, in UTF-8 (exports.event_fragments)
Fragments = tuple[Part, Part, Part, Part]  # each as bytes, or where a worker spilled it


# join(rel, head, separator, tail, n): the file rel made of head, the n-th fragment of every event (in the
# site's order) with the separator between them, and tail; as bytes, or as a Joined the staging writes
Join = Callable[[str, bytes, bytes, bytes, int], "bytes | Joined"]
