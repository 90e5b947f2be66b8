"""Text helpers the whole package shares."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Türkiye & GNA' -> 'turkiye-gna'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
