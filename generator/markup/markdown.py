"""The configured Markdown converter and the HTML sanitiser applied to everything it produces."""

from __future__ import annotations

import re
import signal
import threading
from typing import Callable

import markdown as md
import nh3
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension

from generator.model.limits import MARKDOWN_SECONDS, MAX_MARKDOWN_CHARS, MAX_MARKDOWN_NESTING, MAX_MARKDOWN_WORK
from generator.markup._markdown_speedups import NEEDED, FastExtension, block_level_memo
from generator.markup.typography import smarten

# Smart punctuation is applied after conversion by typography.smarten, which does what the smarty
# extension does at a fraction of its cost (smarty alone is about half of Python-Markdown's time).
EXTENSIONS = ("footnotes", "tables", "toc", "attr_list", "sane_lists")
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {"footnotes": {"UNIQUE_IDS": False}, "toc": {"permalink": False}}
MARKDOWN_CONFIG = repr((EXTENSIONS, sorted(EXTENSION_CONFIGS.items()), "smarten", "nh3"))
_EXTENSION_CLASSES: dict[str, Callable[..., Extension]] = {
    "footnotes": FootnoteExtension, "tables": TableExtension, "toc": TocExtension, "attr_list": AttrListExtension,
    "sane_lists": SaneListExtension,
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "dl", "dt", "dd", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*"><a [^>]*class="footnote-ref"[^>]*>.*?</a></sup>', re.S)


class MarkdownRenderer:
    """Converts Markdown to sanitised HTML; one instance is reused across documents.

    With fast=True (the default) documents go through the trigger-checking inline processor and a
    converter with only the extensions their syntax needs; a test checks the HTML is identical."""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self._converters: dict[tuple[str, ...], md.Markdown] = {}

    def _converter(self, text: str) -> md.Markdown:
        # (Python-Markdown deletes the control characters STX and ETX and turns CR into LF before reading a
        # text, so a text with them can have syntax the checks do not see; content.py has no CR left)
        fast = self.fast and util.STX not in text and util.ETX not in text and "\r" not in text
        names = tuple(n for n in EXTENSIONS if n not in NEEDED or NEEDED[n](text)) if fast else EXTENSIONS
        converter = self._converters.get(names)
        if converter is None:
            # instances, not names: a name makes Python-Markdown scan the installed packages' entry points
            # (importing importlib.metadata), 60 ms in every process that renders Markdown
            extensions: list[Extension] = [_EXTENSION_CLASSES[name](**EXTENSION_CONFIGS.get(name, {}))
                                           for name in names]
            if self.fast:
                extensions.append(FastExtension())
            converter = self._converters[names] = md.Markdown(extensions=extensions, output_format="html")
            if self.fast:
                converter.is_block_level = block_level_memo(converter)  # type: ignore[method-assign,assignment]
        return converter

    def render(self, text: str) -> str:
        """The text's HTML; raise MarkdownLimit if it takes too long (see render_checked)."""
        return self.render_many([text])[0]

    def render_many(self, texts: list[str]) -> list[str]:
        """render() of each text; raise the MarkdownLimit of the first that takes too long."""
        rendered = self.render_checked(texts)
        for html in rendered:
            if isinstance(html, MarkdownLimit):
                raise html
        return rendered  # type: ignore[return-value]

    def render_checked(self, texts: list[str]) -> list[str | MarkdownLimit]:
        """Each text's HTML, or a MarkdownLimit when its conversion takes more than MARKDOWN_SECONDS (in the
        main thread of a process, where an alarm signal can stop it) or recurses too deeply: the backstop
        for texts that passed check_limits(), which the reader of the content files applies.

        Each step runs over all texts before the next (a tenth quicker: the converter, the typography and the
        sanitiser each keep the processor's caches to themselves)."""
        converted: list[str | MarkdownLimit] = []
        with _Deadline() as deadline:
            for text in texts:
                converter = self._converter(text)
                try:
                    deadline.arm(MARKDOWN_SECONDS)
                    converter.reset()
                    converted.append(converter.convert(text))
                except (_TooSlow, RecursionError) as error:
                    self._converters = {}  # stopped anywhere: none is trusted to be in a sound state
                    what = f"took more than {MARKDOWN_SECONDS:g} s" if isinstance(error, _TooSlow) else \
                        "nests too deeply"
                    converted.append(MarkdownLimit(None, f"the Markdown {what} to convert (the limit): "
                                                         f"simplify it"))
                finally:
                    deadline.arm(0)
        return [html if isinstance(html, MarkdownLimit) else sanitise(smarten(html)) for html in converted]


class MarkdownLimit(Exception):
    """A document beyond one of the limits in limits.py; line: where in the document (1-based), if known."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# The nesting of a line in lists and block quotes shows in its prefix: '>' marks, list markers, indentation.
_LIST_MARKER = r"(?:[-*+]|\d{1,9}[.)])(?=[ \t])"
_NESTING_PREFIX = re.compile(r"(?:[ \t>]|%s)*" % _LIST_MARKER)
_MARKER = re.compile(r"(?:>|%s)[ \t]?" % _LIST_MARKER)
# A line whose prefix has as many characters as the limit has levels, each of which may be part of a
# nesting prefix: the lines to look at more closely (in bytes; a quick search, for a character class).
_MAYBE_DEEP = re.compile(rb"\n[ \t>*+\-.)0-9]{%d}" % MAX_MARKDOWN_NESTING)
# where a paragraph, list item or table row begins: the inline parser takes each as a text of its own
_INLINE_START = re.compile(r"\n[ \t]*(?:\n|%s|\|)" % _LIST_MARKER)
MARKS = ("[", "<", "`", "*", "_", "\\", "&", "  \n")  # what the inline parser acts on
MARK_BYTES = b"[<`*_\\&\n"  # the same, each line break counted as a mark (each "  \n" ends a line)


def check_limits(text: str, raw: bytes | None = None) -> MarkdownLimit | None:
    """The first limit of limits.py that the Markdown is beyond (its size, its nesting and the inline parser's
    work), or None. The usual document takes two quick scans of raw, the bytes of the file it is from (with
    anything before it: they only make the scans look closer), when given."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return MarkdownLimit(None, f"the Markdown is {len(text):,} characters long, more than the "
                                   f"{MAX_MARKDOWN_CHARS:,} allowed")
    data = raw if raw is not None and b"\r" not in raw else ("\n" + text).encode()  # (lines end with \n)
    if _MAYBE_DEEP.search(data) is not None:
        for n, line in enumerate(text.split("\n")):
            prefix = _NESTING_PREFIX.match(line).group()  # type: ignore[union-attr]  # (it matches '' too)
            indent, marks = _MARKER.subn("", prefix)  # each mark is a level, with the space after it
            levels = marks + (indent.count(" ") + 4 * indent.count("\t")) // 4
            if levels > MAX_MARKDOWN_NESTING:
                return MarkdownLimit(n + 1, f"nested {levels} levels deep in lists and block quotes, more "
                                            f"than the {MAX_MARKDOWN_NESTING} allowed")
    if len(text) * len(text) > MAX_MARKDOWN_WORK and \
            len(text) * (len(data) - len(data.translate(None, MARK_BYTES))) > MAX_MARKDOWN_WORK:
        return _check_work(text)
    return None


def _marks(text: str) -> int:
    return sum(text.count(mark) for mark in MARKS)


def _check_work(text: str) -> MarkdownLimit | None:
    """The inline parser's work: over the texts it parses (paragraphs, list items, table rows), the sum of
    their length times their marks; reported at the text with the most."""
    starts = [0, *(match.end() for match in _INLINE_START.finditer(text)), len(text)]
    total, worst, at = 0, (0, 0), 0
    for start, end in zip(starts, starts[1:]):
        length, marks = end - start, _marks(text[start:end])
        total += length * marks
        if length * marks > worst[0] * worst[1]:
            worst, at = (length, marks), start
    if total <= MAX_MARKDOWN_WORK:
        return None
    return MarkdownLimit(text.count("\n", 0, at) + 1,
                         f"too much work for the Markdown parser: {worst[1]:,} marks ([ < ` * _ \\ & or line breaks) "
                         f"in a paragraph of {worst[0]:,} characters, {total:,} (marks × characters) in all, more "
                         f"than the {MAX_MARKDOWN_WORK:,} allowed: split long paragraphs or remove marks")


class _TooSlow(Exception):
    """Raised by the alarm signal in a conversion that takes too long."""


class _Deadline:
    """arm(seconds): an alarm signal raises _TooSlow in this process's main thread after so many seconds, unless
    arm(0) comes first. In another thread (the preview's builds), where no signal can be caught, it does
    nothing."""

    def __init__(self) -> None:
        self.active = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        self.armed = False
        self.previous: object = None

    def __enter__(self) -> _Deadline:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._alarm)
        return self

    def __exit__(self, *_: object) -> None:
        if self.active:
            self.arm(0)
            signal.signal(signal.SIGALRM, self.previous)  # type: ignore[arg-type]

    def arm(self, seconds: float) -> None:
        if self.active:
            self.armed = seconds > 0
            signal.setitimer(signal.ITIMER_REAL, seconds)

    def _alarm(self, signum: int, frame: object) -> None:
        if self.armed:  # (not a signal that was on its way when the conversion ended)
            self.armed = False
            raise _TooSlow()


_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                       link_rel="noopener noreferrer")


def sanitise(html: str) -> str:
    """Remove scripts, event handlers and anything else a contributor could inject."""
    return _CLEANER.clean(html)


def first_paragraph(html: str) -> str:
    """The summary's first paragraph, without footnote references (for timeline cards)."""
    match = _FIRST_PARAGRAPH.search(html)
    return _FOOTNOTE_REF.sub("", match.group(1)).strip() if match else ""
