"""The parsed events and the event cards in the build cache's database, kept in shards: an event's shard is
a hash of its path, a card's the end of its key, so that loading unpickles a few large rows and saving
after an edit rewrites the one or two shards it touched. Unpickling is restricted to the generator's own
model classes, so a planted cache file cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sqlite3
from dataclasses import dataclass
from typing import Any

from generator.engine.stored import FIELDS, TextStore, pack, unpack
from generator.model.errors import Problem
from generator.model.types import Event

SHARDS = 64  # events are stored in shards: few rows to unpickle, few bytes to rewrite after an edit

_ALLOWED = {
    ("generator.model.types", name) for name in ("Source", "Correction", "Part", "Translated")
} | {("generator.model.dates", "PartialDate"), ("generator.model.dates", "partial_date"), ("generator.model.errors", "Problem")}

Stat = tuple[int, int, int]  # a file's size, modification time (ns) and inode


@dataclass
class CachedEvent:
    file_hash: str
    config_key: str
    event: Event
    warnings: list[Problem]
    stat: Stat | None = None  # the file as it was read; None when its time was too recent to trust


RECENT_NS = 2_000_000_000  # a file modified this recently may change again within its timestamp's tick


def trusted_stat(stat: os.stat_result, started_ns: int) -> Stat | None:
    """A file's stat to recognise it by later, unless it was modified so close to the build's start that
    a later edit in the same clock tick could keep the same time (then the file is hashed next time)."""
    if stat.st_mtime_ns >= started_ns - RECENT_NS:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def read_events(db: sqlite3.Connection, store: TextStore) -> dict[str, CachedEvent] | None:
    """Every event in the database by its content path, its texts left in store until used; None if a row is
    not as this version writes them."""
    events: dict[str, CachedEvent] = {}
    for (data,) in db.execute("SELECT data FROM events"):
        for rel, file_hash, config_key, fields, warnings, stat in _loads(data):
            if not isinstance(fields, tuple) or len(fields) != len(FIELDS) or not isinstance(warnings, list):
                return None
            events[rel] = CachedEvent(file_hash, config_key, unpack(fields, store), warnings,
                                      tuple(stat) if stat else None)
    return events


def read_cards(db: sqlite3.Connection) -> dict[str, str]:
    """Every card's HTML by its key."""
    cards: dict[str, str] = {}
    for (data,) in db.execute("SELECT data FROM cards"):
        cards.update(_loads(data))
    return cards


def write_events(db: sqlite3.Connection, events: dict[str, CachedEvent], touched: list[str]) -> None:
    """Rewrite the shards of the events at these paths (added, changed or removed) with what events holds."""
    shards: dict[int, list[tuple[Any, ...]]] = {_shard(rel): [] for rel in touched}
    for rel, e in events.items():
        shard = _shard(rel)
        if shard in shards:
            shards[shard].append((rel, e.file_hash, e.config_key, pack(e.event), e.warnings, e.stat))
    db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?)",  # one shard pickled at a time
                   ((shard, pickle.dumps(rows, protocol=5)) for shard, rows in sorted(shards.items())))


def write_cards(db: sqlite3.Connection, cards: dict[str, str], saved: set[str]) -> None:
    """Rewrite the shards of the cards added or removed since the saved ones."""
    card_shards: dict[int, dict[str, str]] = {_card_shard(key): {} for key in cards.keys() ^ saved}
    if card_shards:
        for key, html in cards.items():
            if (shard := _card_shard(key)) in card_shards:
                card_shards[shard][key] = html
    db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?)",
                   ((shard, pickle.dumps(group, protocol=5)) for shard, group in sorted(card_shards.items())))


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


def _card_shard(key: str) -> int:
    """A card's shard, from the end of its key (an event's fingerprint, in hexadecimal)."""
    try:
        return int(key[-2:], 16) % SHARDS
    except ValueError:
        return _shard(key)


def _shard(rel: str) -> int:
    return int(hashlib.blake2b(rel.encode(), digest_size=2).hexdigest(), 16) % SHARDS


def _loads(data: bytes) -> Any:
    return _RestrictedUnpickler(io.BytesIO(data)).load()
