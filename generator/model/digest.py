"""Short, stable hashes: the keys of what each page, chart lane and file was made from."""

from __future__ import annotations

import hashlib


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of the given parts (their repr keeps the parts apart: ('ab', 'c') != ('a', 'bc'))."""
    data = parts[0] if len(parts) == 1 and isinstance(parts[0], bytes) else repr(parts).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_many(label: str, items: list[str]) -> str:
    """The hash of a long list of short strings without newlines (e.g. event fingerprints), in one pass."""
    data = f"{label}\n{len(items)}\n" + "\n".join(items)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()
