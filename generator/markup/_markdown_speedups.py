"""Faster Markdown through Python-Markdown's internals: fenced here, with a tripwire test for each hook.

What it relies on (Python-Markdown 3.11; tests/test_speedups.py fails, naming the version, when an upgrade
renames, moves or stops calling one of them):
- `markdown.treeprocessors.InlineProcessor._InlineProcessor__handleInline` (name-mangled, private) and
  `_InlineProcessor__applyPattern`: our subclass overrides the first so that only the inline patterns whose
  trigger characters occur in a text are tried; if upstream renamed it, the override would silently never
  be called, so the tripwire counts its calls;
- the bodies of `NormalizeWhitespace.run` (copied in _Normalize.run, which does each step only when the
  text needs it): the tripwire compares upstream's source with the version it was copied from;
- `HtmlBlockPreprocessor.run`, `UnescapeTreeprocessor.run` (called through super()), the registry names
  "normalize_whitespace", "html_block", "inline", "unescape" and the block processors "quote", "hashheader",
  "setextheader", "hr", "reference", "footnote" (each given a quick necessary check before its own test);
- `Markdown.is_block_level`, memoised per converter.

What it buys (measured on the benchmark's summaries, best of 6): 329 -> 237 µs a document, with the
same HTML (tests/markup/test_markdown.py compares the fast and the plain converter on generated Markdown).
"""

from __future__ import annotations

import bisect
import re
from typing import Callable
from xml.etree.ElementTree import Element

import markdown as md
from markdown import util
from markdown.extensions import Extension
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, UnescapeTreeprocessor


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


class FastExtension(Extension):
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


def block_level_memo(converter: md.Markdown) -> Callable[[object], bool]:
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
