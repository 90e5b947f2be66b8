"""The configured Markdown converter and the HTML sanitiser applied to everything it produces."""

from __future__ import annotations

import re

import markdown as md
import nh3
from markdown import util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

from .typography import smarten

# Smart punctuation is applied after conversion by typography.smarten, which does what the smarty
# extension does at a fraction of its cost (smarty alone is about half of Python-Markdown's time).
EXTENSIONS = ["footnotes", "tables", "toc", "attr_list", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {"footnotes": {"UNIQUE_IDS": False}, "toc": {"permalink": False}}
MARKDOWN_CONFIG = repr((EXTENSIONS, sorted(EXTENSION_CONFIGS.items()), "smarten", "nh3"))

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


class _TriggeredInlineProcessor(InlineProcessor):
    """Python-Markdown's inline tree processor, but patterns that cannot match are not tried.

    Python-Markdown runs every inline pattern over every piece of text; for plain prose almost none
    can match. Checking each pattern's trigger characters first gives the same output (a test
    compares the two on generated Markdown) in much less time.
    """

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns = self.inlinePatterns
        triggers = self._triggers()
        start = 0
        while patternIndex < len(triggers):
            needed = triggers[patternIndex]
            if needed is not None and not any(t in data for t in needed):
                patternIndex += 1
                start = 0  # as after a pattern that did not match
                continue
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


    def _triggers(self) -> list[tuple[str, ...] | None]:
        """The triggers of the patterns in their order of priority (extensions may add patterns late)."""
        cached: list[tuple[str, ...] | None] | None = getattr(self, "_trigger_list", None)
        if cached is None or len(cached) != len(self.inlinePatterns):
            self.inlinePatterns[0]  # sorts the registry by priority
            names = [item.name for item in self.inlinePatterns._priority]  # type: ignore[attr-defined]
            cached = self._trigger_list = [TRIGGERS.get(name) for name in names]
        return cached


class _FastInlineExtension(Extension):
    def extendMarkdown(self, md: md.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(_TriggeredInlineProcessor(md), "inline", 20)


class MarkdownRenderer:
    """Converts Markdown to sanitised HTML; one instance is reused across documents."""

    def __init__(self, fast: bool = True) -> None:
        extensions: list[str | Extension] = [*EXTENSIONS, _FastInlineExtension()] if fast else list(EXTENSIONS)
        self._md = md.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS, output_format="html")

    def render(self, text: str) -> str:
        self._md.reset()
        return sanitise(smarten(self._md.convert(text)))


def sanitise(html: str) -> str:
    """Remove scripts, event handlers and anything else a contributor could inject."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def first_paragraph(html: str) -> str:
    """The summary's first paragraph, without footnote references (for timeline cards)."""
    match = _FIRST_PARAGRAPH.search(html)
    return _FOOTNOTE_REF.sub("", match.group(1)).strip() if match else ""
