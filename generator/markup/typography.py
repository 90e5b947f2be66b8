"""Smart punctuation for rendered HTML: curly quotes, dashes and ellipses.

It does what Python-Markdown's smarty extension does, as one pass of regular expressions over the
text between tags; smarty's inline patterns cost about half of all Markdown rendering time.
Text inside <code>, <pre>, <kbd>, <script> and <style> is left alone, as are tags and attributes.
"""

from __future__ import annotations

import re

_TOKENS = re.compile(r"(<[^>]*>)", re.S)
_VERBATIM = re.compile(r"<(/?)(code|pre|kbd|samp|script|style)\b", re.I)

# Each expression starts with the quote it replaces, for the regular expression engine to look for it
# rather than try every position of the text (the lookbehind then checks what comes before).
# an apostrophe stands between two letters or digits, or before a decade ('90s)
_APOSTROPHE = re.compile(r"'(?:(?<=\w')(?=\w)|(?=\d\ds\b))")
# an opening quote stands at the start (see _opening) or after a space, an opening bracket or a dash
_OPENING_DOUBLE = re.compile(r"\"(?<=[\s(\[{\u2014\u2013-]\")")
_OPENING_SINGLE = re.compile(r"'(?<=[\s(\[{\u2014\u2013-]')")
_SPECIAL = ('"', "'", "--", "...", "&quot;", "&#39;")


def smarten(html: str) -> str:
    """Replace straight quotes, -- , --- and ... in the text of html (not in tags or code)."""
    if not any(special in html for special in _SPECIAL):
        return html
    out: list[str] = []
    verbatim = 0
    for token in _TOKENS.split(html):
        if token.startswith("<"):
            match = _VERBATIM.match(token)
            if match:
                verbatim = max(verbatim + (-1 if match.group(1) else 1), 0)
            out.append(token)
        elif verbatim or not token:
            out.append(token)
        else:
            out.append(_smarten_text(token))
    return "".join(out)


def _smarten_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&quot;", '"').replace("&#39;", "'")
    if "-" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "..." in text:
        text = text.replace("...", "\u2026")
    if '"' in text:
        text = _opening(_OPENING_DOUBLE.sub("\u201c", text), '"', "\u201c").replace('"', "\u201d")
    if "'" in text:
        text = _opening(_OPENING_SINGLE.sub("\u2018", _APOSTROPHE.sub("\u2019", text)), "'", "\u2018")
        text = text.replace("'", "\u2019")
    return text


def _opening(text: str, quote: str, opening: str) -> str:
    """The text with a quote at its very start made an opening one."""
    return opening + text[1:] if text.startswith(quote) else text
