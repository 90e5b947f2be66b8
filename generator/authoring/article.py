"""Read a news article (plain text or a saved HTML page) into repaired text plus what its page says.

Decoding: UTF-8 (or a byte-order mark) first, then charset-normalizer, which honours an HTML
page's declared charset. Repair: ftfy. Extraction from HTML: trafilatura (main text, title, site name,
canonical address) and htmldate through it (publication date). Every failure is reported as
`name: message` through SiteError, never as a traceback.
"""

from __future__ import annotations

import codecs
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from generator.model.dates import DateError, PartialDate, parse_partial_date
from generator.model.errors import Problem, SiteError

STDIN = "-"
# Browsers decode an undeclared single-byte Western page as windows-1252; when charset-normalizer
# finds several single-byte code pages equally plausible, that is the one to prefer.
PREFERRED_SINGLE_BYTE = "cp1252"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
# A copy-pasted non-breaking space that was UTF-8 read as Latin-1 is 'Â' + U+00A0; editors' tools
# often trim the U+00A0 at a line's end, leaving a bare 'Â' that ftfy cannot recognise on its own.
_TRIMMED_A0 = re.compile(r"Â(?=[ \t]*$)", re.M)
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, explain=False)
_TITLE_MAX = 200
_MIN_MAIN_TEXT = 20  # letters; less is a navigation link or a caption, not an article


@dataclass(frozen=True)
class Article:
    """The article's repaired main text and what its file or page says about it."""

    name: str  # the file as given, or 'stdin'
    text: str  # the main text; evidence cites its lines, counted from 1
    encoding: str  # the encoding it was read with
    encoding_detected: bool  # True when it was not UTF-8 and had to be detected
    html: bool
    repaired_lines: int  # lines whose mojibake or encoding damage was repaired
    title: str | None  # the page's title, or the first line of a text that reads like a headline
    site_name: str | None
    published: PartialDate | None
    url: str | None


def fail(name: str, message: str, line: int | None = None) -> SiteError:
    """The error the CLI reports as `name[:line]: message`."""
    return SiteError([Problem(name, line, message)])


def read_article(source: str) -> Article:
    """Read, decode, extract and repair an article file, or standard input when source is '-'."""
    name = "stdin" if source == STDIN else source
    raw = _read_bytes(source, name)
    text, encoding = decode(raw, name)
    is_html = source.lower().endswith((".html", ".htm", ".xhtml")) or bool(_HTML_START.match(text[:4096]))
    if is_html:
        return _from_html(name, text, encoding, encoding != "utf-8")
    repaired, changed = repair(text)
    if not repaired.strip():
        raise fail(name, "empty input: there is no text to import")
    return Article(name=name, text=repaired, encoding=encoding, encoding_detected=encoding != "utf-8",
                   html=False, repaired_lines=changed, title=_headline(repaired), site_name=None,
                   published=None, url=None)


def _read_bytes(source: str, name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if source == STDIN else Path(source).read_bytes()
    except OSError as error:
        raise fail(name, f"cannot read the file: {error.strerror or error}") from None


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was decoded with; SiteError for empty or binary input."""
    if not raw.strip():
        raise fail(name, "empty input: there is no text to import")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError:
                raise fail(name, f"starts with a {codec} byte-order mark but is not valid {codec}") from None
    if b"\x00" in raw[:65536]:
        raise fail(name, "binary file: expected plain text or an HTML page")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _detect(raw, name)


def _detect(raw: bytes, name: str) -> tuple[str, str]:
    """charset-normalizer's best guess; it honours a page's <meta charset> when the bytes agree."""
    matches = list(from_bytes(raw))
    if not matches:
        raise fail(name, "binary file or unknown encoding: expected plain text or an HTML page (save it as UTF-8)")
    best = matches[0]
    tied = [m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.01]
    if any(PREFERRED_SINGLE_BYTE in m.could_be_from_charset for m in tied):
        text, encoding = raw.decode(PREFERRED_SINGLE_BYTE), PREFERRED_SINGLE_BYTE
    else:
        text, encoding = str(best), best.encoding
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
    if controls > len(text) // 100:
        raise fail(name, "binary file: expected plain text or an HTML page")
    return text, encoding


def repair(text: str) -> tuple[str, int]:
    """Text with mojibake and encoding damage fixed (ftfy), line ends trimmed; and how many lines changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    before = text.split("\n")
    fixed = ftfy.fix_text(_TRIMMED_A0.sub("Â\u00a0", text), _FTFY)
    after = [line.rstrip() for line in fixed.split("\n")]
    changed = sum(1 for old, new in zip(before, after) if old.rstrip() != new)
    return "\n".join(after).strip("\n") + "\n", changed


def _headline(text: str) -> str | None:
    """The first line when it reads like a headline: short, not a sentence, with more text after it."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or len(lines[0]) > _TITLE_MAX or lines[0].endswith((".", ":", ";", ",")):
        return None
    return lines[0]


def _from_html(name: str, page: str, encoding: str, detected: bool) -> Article:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    document = trafilatura.bare_extraction(
        page, with_metadata=True, include_comments=False, include_tables=False, include_images=False,
        date_extraction_params={"original_date": True, "extensive_search": False})
    main_text = getattr(document, "text", None) if document is not None else None
    if not isinstance(main_text, str) or sum(1 for char in main_text if char.isalpha()) < _MIN_MAIN_TEXT:
        raise fail(name, "no article text found in the HTML page: copy the article's text into a text file "
                         "and import that")
    text, changed = repair(main_text)
    return Article(name=name, text=text, encoding=encoding, encoding_detected=detected, html=True,
                   repaired_lines=changed, title=_meta_text(document, "title"),
                   site_name=_meta_text(document, "sitename"), published=_published(document),
                   url=_meta_text(document, "url"))


def _meta_text(document: object, key: str) -> str | None:
    """A metadata field, repaired like the text and on one line; None when missing or blank."""
    value = getattr(document, key, None)
    if not isinstance(value, str):
        return None
    return " ".join(repair(value)[0].split()) or None


def _published(document: object) -> PartialDate | None:
    value = _meta_text(document, "date")
    if value is None:
        return None
    try:
        return parse_partial_date(value[:10])
    except DateError:
        return None
