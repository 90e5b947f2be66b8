"""The configured Markdown converter and the HTML sanitiser applied to everything it produces."""

from __future__ import annotations

import re

import markdown as md
import nh3

EXTENSIONS = ["footnotes", "tables", "toc", "attr_list", "smarty", "sane_lists"]
EXTENSION_CONFIGS = {"footnotes": {"UNIQUE_IDS": False}, "toc": {"permalink": False}}

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
    """Converts Markdown to sanitised HTML; one instance is reused across documents."""

    def __init__(self) -> None:
        self._md = md.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                               output_format="html")

    def render(self, text: str) -> str:
        self._md.reset()
        html = self._md.convert(text)
        return sanitise(html)


def sanitise(html: str) -> str:
    """Remove scripts, event handlers and anything else a contributor could inject."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def first_paragraph(html: str) -> str:
    """The summary's first paragraph, without footnote references (for timeline cards)."""
    match = _FIRST_PARAGRAPH.search(html)
    return _FOOTNOTE_REF.sub("", match.group(1)).strip() if match else ""
