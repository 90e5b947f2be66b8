"""Pagefind's bundle made reproducible: the one module that reads Pagefind's own file formats (a fence; the
tripwire is tests/publish/test_search.py, which indexes twice and reads the result back).

Pagefind 1.5 writes each filter's values in hash-map order, which differs from run to run, so the filter
files, their names (hashes of their bytes), the language's metadata file naming them and pagefind-entry.json
naming that would differ between two builds of the same pages: every file would be uploaded again and builds
could not be compared. Here the filter files are written again with their values, and the metadata with its
filters, in sorted order, and named after their new bytes. The formats: a file is gzip of b"pagefind_dcd"
and a CBOR value; a filter file is [name, [[value, [page numbers]]]]; a metadata file is [version, pages,
index chunks, [[filter name, file hash]], sorts, meta keys]; pagefind-entry.json maps each language to the hash of
its metadata file (pagefind.<hash>.pf_meta).

It also reads which page each of the bundle's pages is (page_ids): a page's fragment file is gzip of b"pagefind_dcd"
and JSON holding its URL, and is named after the page's id, which is what a search result carries (result.id). The
preview uses it to leave out of results the pages it has indexed again since (pipeline/search_refresh.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

SIGNATURE = b"pagefind_dcd"


class BundleFormatError(Exception):
    """The bundle is not in the format this module knows (another Pagefind version)."""


def reproducible(files: dict[str, bytes], bundle: str) -> dict[str, bytes]:
    """The bundle's files (output path -> bytes, paths under bundle/), with its filters in a stable order."""
    entry_rel = f"{bundle}/pagefind-entry.json"
    try:
        entry = json.loads(files[entry_rel])
        languages = entry["languages"]
        result = dict(files)
        for language in languages.values():
            meta_rel = f"{bundle}/pagefind.{language['hash']}.pf_meta"
            meta = _read(result.pop(meta_rel))
            prefix = str(language["hash"]).rsplit("_", 1)[0]
            filters = []
            for name, filter_hash in sorted(meta[3]):
                content = _read(result.pop(f"{bundle}/filter/{filter_hash}.pf_filter"))
                content[1] = sorted([value, sorted(pages)] for value, pages in content[1])
                data = _write(content)
                new_hash = f"{prefix}_{_hash(data)[:7]}"
                result[f"{bundle}/filter/{new_hash}.pf_filter"] = data
                filters.append([name, new_hash])
            meta[3] = filters
            data = _write(meta)
            language["hash"] = f"{prefix}_{_hash(data)[:13]}"
            result[f"{bundle}/pagefind.{language['hash']}.pf_meta"] = data
        entry["languages"] = dict(sorted(languages.items()))  # (Pagefind lists them as its threads finish)
        result[entry_rel] = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return result
    except (KeyError, IndexError, TypeError, ValueError, OSError, EOFError) as error:
        raise BundleFormatError(f"Pagefind's bundle is not in the format expected ({type(error).__name__}: "
                                f"{error})") from None


def page_ids(files: dict[str, bytes], bundle: str) -> dict[str, str]:
    """The id of each page of the bundle (output path -> bytes, paths under bundle/), by the page's URL as
    Pagefind gives it (the path under the indexed folder: '/events/x/')."""
    prefix, suffix = f"{bundle}/fragment/", ".pf_fragment"
    ids: dict[str, str] = {}
    try:
        for rel, data in files.items():
            if rel.startswith(prefix) and rel.endswith(suffix):
                ids[json.loads(_unwrap(data))["url"]] = rel[len(prefix):-len(suffix)]
    except (KeyError, TypeError, ValueError, OSError, EOFError) as error:
        raise BundleFormatError(f"Pagefind's page records are not in the format expected ({type(error).__name__}: "
                                f"{error})") from None
    return ids


def _hash(data: bytes) -> str:
    return hashlib.sha256(gzip.decompress(data)).hexdigest()


def _unwrap(data: bytes) -> bytes:
    """A file's content: gzip of the signature and the content."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("no pagefind signature")
    return raw[len(SIGNATURE):]


def _read(data: bytes) -> Any:
    raw = _unwrap(data)
    value, end = _decode(raw, 0)
    if end != len(raw):
        raise ValueError("trailing bytes")
    return value


def _write(value: Any) -> bytes:
    out = bytearray(SIGNATURE)
    _encode(value, out)
    return gzip.compress(bytes(out), compresslevel=9, mtime=0)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR value (unsigned and negative integers, strings, arrays, maps) from data[at:]; and its end."""
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n, at = int.from_bytes(data[at:at + size], "big"), at + size
    else:
        raise ValueError(f"unsupported CBOR item {first:#x}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major in (2, 3):
        chunk = data[at:at + n]
        return (chunk.decode("utf-8") if major == 3 else bytes(chunk)), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, at = _decode(data, at)
            mapping[key], at = _decode(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR item {first:#x}")


def _head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append(major << 5 | n)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            out.append(major << 5 | info)
            out += n.to_bytes(size, "big")
            return
    raise ValueError("integer too large")


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported value")
    if isinstance(value, int):
        _head(0, value, out) if value >= 0 else _head(1, -1 - value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(3, len(data), out)
        out += data
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise ValueError(f"unsupported value {type(value).__name__}")
