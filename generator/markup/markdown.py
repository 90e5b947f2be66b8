"""The configured Markdown converter and the HTML sanitiser applied to everything it produces."""

from __future__ import annotations

import bisect
import re
import signal
import threading
from typing import Callable
from xml.etree.ElementTree import Element

import markdown as md
import nh3
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, UnescapeTreeprocessor

from generator.model.limits import MARKDOWN_SECONDS, MAX_MARKDOWN_CHARS, MAX_MARKDOWN_NESTING, MAX_MARKDOWN_WORK
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


# Each inline pattern can only match text that contains one of these; a pattern whose triggers are all
# absent from a piece of text is skipped without running it. Patterns not named here always run.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",), "link": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_reference": ("[",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",),
    "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"), "strong": ("*",), "emphasis": ("*",),
}


_ALL_TRIGGERS = tuple(sorted({t for needed in TRIGGERS.values() for t in needed}))


class _TriggeredInlineProcessor(InlineProcessor):
    """Python-Markdown's inline tree processor, but patterns that cannot match are not tried.

    Python-Markdown runs every inline pattern over every piece of text; for plain prose almost none
    can match. Checking each pattern's trigger characters first gives the same output (a test
    compares the two on generated Markdown) in much less time.
    """

    _triggers: list[tuple[str, ...] | None] = []  # of the patterns, in their order of priority
    _known: dict[frozenset[str], tuple[int, ...]] = {}  # the candidates for each set of triggers found

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns = self.inlinePatterns
        order = self._candidates(data)
        at = bisect.bisect_left(order, patternIndex)
        start = 0
        while at < len(order):
            index = order[at]
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                patterns[index], data, index, start)
            if matched:  # the text changed: fewer patterns may be able to match
                order = self._candidates(data)
                at = bisect.bisect_left(order, index)
                if at == len(order) or order[at] != index:  # this pattern cannot match again
                    start = 0
            else:
                at += 1  # (start is 0 again, as after any pattern that did not match)
        return data

    def _candidates(self, data: str) -> tuple[int, ...]:
        """The indices, in order of priority, of the patterns whose triggers are in data."""
        present = frozenset(t for t in _ALL_TRIGGERS if t in data)
        if len(self._triggers) != len(self.inlinePatterns):  # the first time (extensions may add patterns late)
            self.inlinePatterns[0]  # sorts the registry by priority
            names = [item.name for item in self.inlinePatterns._priority]  # type: ignore[attr-defined]
            self._triggers = [TRIGGERS.get(name) for name in names]
            self._known = {}
        order = self._known.get(present)
        if order is None:
            order = self._known[present] = tuple(n for n, needed in enumerate(self._triggers)
                                           if needed is None or not present.isdisjoint(needed))
        return order


# Each block processor below can only act on a block that passes its check: the check is a necessary
# condition of the processor's own regular expression (which, having no literal to look for, is tried
# at every position of the block). Processors that do not act leave the block to the next one.
_LINE_START_RULE = re.compile(r"\n {0,3}([-_*])(?: {0,2}\1){2}")  # three marks, at most two spaces apart
_LINE_START_QUOTE = re.compile(r"\n {0,3}>")


def _setext_underline(block: str) -> bool:
    """Whether the block's second line starts with = or - (Python-Markdown's expression for a setext
    heading, '^.*?\\n(?:=+|-+)', tries every position of the first line before it fails)."""
    end = block.find("\n")
    return end >= 0 and block.startswith(("=", "-"), end + 1)


BLOCK_CHECKS: dict[str, Callable[[str], bool]] = {
    "quote": lambda block: ">" in block and _LINE_START_QUOTE.search("\n" + block) is not None,
    "hashheader": lambda block: "#" in block,
    "setextheader": _setext_underline,
    "hr": lambda block: _LINE_START_RULE.search("\n" + block) is not None,
    "reference": lambda block: "]:" in block,
    "footnote": lambda block: "]:" in block,
}


def _checked(test: Callable[[Element, str], bool], check: Callable[[str], bool]) -> Callable[[Element, str], bool]:
    return lambda parent, block: check(block) and test(parent, block)


class _Normalize(NormalizeWhitespace):
    """NormalizeWhitespace, each step only when the text has what it changes (most have none); it notes
    whether the text has a backslash, the only source of what _Unescape restores."""

    BLANK_LINE_SPACES = re.compile(r"(?<=\n) +\n")  # the original's expression (it has no literal to look for)

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if util.STX in source or util.ETX in source:
            source = source.replace(util.STX, "").replace(util.ETX, "")
        if "\r" in source:
            source = source.replace("\r\n", "\n").replace("\r", "\n")
        source += "\n\n"
        if "\t" in source:
            source = source.expandtabs(self.md.tab_length)
        if "\n " in source:
            source = self.BLANK_LINE_SPACES.sub("\n", source)
        self.md.escapes_possible = "\\" in source  # type: ignore[attr-defined]
        return source.split("\n")


class _HtmlBlocks(HtmlBlockPreprocessor):
    """HtmlBlockPreprocessor, which changes nothing in a text without a tag (a character reference outside
    raw HTML is passed on as it is)."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("<" in line for line in lines):
            return lines
        return super().run(lines)


class _Unescape(UnescapeTreeprocessor):
    """UnescapeTreeprocessor, which has nothing to restore unless the text had a backslash to escape with."""

    def run(self, root: Element) -> None:
        if getattr(self.md, "escapes_possible", True):
            super().run(root)


class _FastExtension(Extension):
    """The trigger-checking inline processor, the block processors' checks, and the preprocessors and
    tree processor above in place of Python-Markdown's own (the same output, a test checks)."""

    def extendMarkdown(self, md: md.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_Normalize(md), "normalize_whitespace", 30)
        md.preprocessors.register(_HtmlBlocks(md), "html_block", 20)
        md.treeprocessors.register(_TriggeredInlineProcessor(md), "inline", 20)
        md.treeprocessors.register(_Unescape(md), "unescape", 0)
        for name, check in BLOCK_CHECKS.items():
            if name in md.parser.blockprocessors:
                processor = md.parser.blockprocessors[name]
                processor.test = _checked(processor.test, check)  # type: ignore[method-assign,assignment]


# An extension whose syntax is absent from a document changes nothing in its HTML, yet costs time on
# every document: each is only loaded for the documents that could use it.
# a line of = or - (in a block quote too) makes a heading of the line above; searched in "\n" + text,
# the regular expression starts with a literal to look for
_SETEXT_LINE = re.compile(r"\n[ \t>]*(?:=+|-+)[ \t]*(?:\n|$)")
NEEDED: dict[str, Callable[[str], bool]] = {
    "footnotes": lambda text: "[^" in text,
    "tables": lambda text: "|" in text,
    "toc": lambda text: "#" in text or "[TOC]" in text or _SETEXT_LINE.search("\n" + text) is not None,
    "attr_list": lambda text: "{" in text,
}


def _block_level_memo(converter: md.Markdown) -> Callable[[object], bool]:
    """The converter's is_block_level, remembering each tag's answer (the original lowers the tag and looks
    it up in a list of forty, for every element several times; the list is complete once the extensions
    are loaded)."""
    known: dict[object, bool] = {}
    original = converter.is_block_level

    def is_block_level(tag: object) -> bool:
        try:
            return known[tag]
        except KeyError:
            answer = known[tag] = original(tag)
            return answer
        except TypeError:  # unhashable: not a tag name
            return original(tag)
    return is_block_level


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
                extensions.append(_FastExtension())
            converter = self._converters[names] = md.Markdown(extensions=extensions, output_format="html")
            if self.fast:
                converter.is_block_level = _block_level_memo(converter)  # type: ignore[method-assign,assignment]
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
