"""What one input file may ask of a build: the limits that keep a hostile file from stalling it.

A contributor's file goes through PyYAML, Python-Markdown and nh3, whose work can grow much faster than
the file (aliases expand exponentially; unbalanced brackets, deep nesting and long runs of markup make
the Markdown parser quadratic or recursive). Each limit below is far beyond what an event, a page or
site.yaml needs, and each is checked before the work it bounds, with a message naming the file, the
line and the limit; MARKDOWN_SECONDS is the backstop for what the checks miss. README.md ("Limits")
documents them.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1 << 20  # any file under content/, and site.yaml: larger ones are not read
MAX_YAML_DEPTH = 64  # levels of lists and mappings inside one another (YAML aliases are refused outright)
MAX_YAML_ITEMS = 1_000  # in one list or mapping of front matter (each tag makes a page; each item is checked)
MAX_SITE_YAML_ITEMS = 10_000  # in one list or mapping of site.yaml (places, actors…)
MAX_MARKDOWN_CHARS = 100_000  # the Markdown of one event, page or profile (about 15,000 words)
MAX_MARKDOWN_NESTING = 16  # levels of lists and block quotes
# The inline parser's work on a paragraph (or list item, or table row) grows with its length times the
# marks in it ([ < ` * _ \ & and line breaks): each mark may make it scan the rest of the paragraph. The
# sum over a document, at most this, takes at most about a second (unbalanced brackets are the worst).
MAX_MARKDOWN_WORK = 5_000_000
MARKDOWN_SECONDS = 5.0  # the conversion of one document, however it got past the checks above


def size_text(size: int) -> str:
    """1048576 -> '1 MB'; 65536 -> '64 KB' (binary units, as the limits are)."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):g} MB"
    return f"{size / 1024:g} KB"
