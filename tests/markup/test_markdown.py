"""The Markdown pipeline: extensions, sanitising, smart punctuation, and the fast inline processor."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT, examples
from generator.markup.markdown import MarkdownRenderer, first_paragraph
from generator.markup.typography import smarten

FAST = MarkdownRenderer(fast=True)
PLAIN = MarkdownRenderer(fast=False)

PIECES = ["word", " ", "\n", "\n\n", "*", "**", "_", "`", "[", "]", "(", ")", "!", "<", ">", "&", "amp;", "\\",
          "^", ":", "http://x.org", "a@b.c", "<b>", "</b>", "  \n", "- ", "1. ", "| a | b |\n|---|---|\n", "\"",
          "'", "--", "...", "[^1]", "[^1]: note\n", "[x]: http://y\n", "{: .c }", "# ", "## ", "\n===\n",
          "\n---\n", "\n- - -\n", "[TOC]", "   #", "{#i}", "\n    code\n", "|",
          "> ", "\n   > ", "\n>", "\n * * *\n", "\n___\n", "\n  _ _ _\n", "\n***\n", "\n[r]: /u 'title'\n", "[r]",
          "\n   [^2]: n\n", "###### ", "\n#", "\n=\n", "\t", "\n  -\n", "   ", "]:", "[^3]:x\n",
          "\r\n", "\r", "\x02", "\x03", "&#65;", "&#x41;", "&copy;", "<div>\n", "</div>", "\n  \n", "\\*", "\\\\",
          "\n- -  -\n", "\n-   - -\n", "\n--\n", "\n=", "\n-", "\n  ==\n", "\n*  * *\n"]


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_fast_inline_processor_gives_the_same_html(pieces):
    text = "".join(pieces)
    assert FAST.render(text) == PLAIN.render(text)


@pytest.mark.parametrize("text", [
    "a\n   ---\nb", "a\n   * * *", "   _ _ _", "a\n   > quoted", ">word\n   > - ", "> a\n> ===", "[r]:http://u\n\n[r]",
    "A[^1]\n\n[^1]:x", "A[^1]\n\n   [^1]: y", "t\n###### h", "#h", "a\n\t---", "[TOC]\n\ntext",
    "a\n \nb", "a\n-\r\n", "a\n\x02-", "a &#65; &copy; b",
    "a\n- -  -", "a\n*  *  *", "a\n-   -   -", "- a\n- - -", "t\n=", "t\n-", "t\n  ===", "t\n===\nu", "t\n--  \nu",
])
def test_fast_renderer_gives_the_same_html_at_the_edges_of_its_checks(text):
    # each skipped block processor or extension, just where its check must still let it act
    assert FAST.render(text) == PLAIN.render(text)


def test_fast_renderer_gives_the_same_html_on_the_bundled_content():
    # whole documents, with every kind of syntax an editor uses (the fast renderer skips extensions)
    files = sorted((ROOT / "content").rglob("*.md"))
    assert len(files) > 100
    for file in files:
        text = file.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        assert FAST.render(text) == PLAIN.render(text), file


# The rules of smarten, written plainly (each expression tried at every position of the text): the
# quicker expressions of typography.py must replace the same quotes.
_PLAIN_RULES = [(re.compile(r"(?<=\w)'(?=\w)|'(?=\d\ds\b)"), "\u2019"),
                (re.compile(r"(?:^|(?<=[\s(\[{\u2014\u2013-]))'"), "\u2018"), (re.compile("'"), "\u2019")]
_PLAIN_DOUBLE = [(re.compile(r"(?:^|(?<=[\s(\[{\u2014\u2013-]))\""), "\u201c"), (re.compile('"'), "\u201d")]


def plain_smarten_text(text):
    text = text.replace("&quot;", '"').replace("&#39;", "'").replace("---", "\u2014").replace("--", "\u2013")
    text = text.replace("...", "\u2026")
    for expression, replacement in [*_PLAIN_DOUBLE, *_PLAIN_RULES]:
        text = expression.sub(replacement, text)
    return text


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(['"', "'", "-", "--", "---", "...", "&quot;", "&#39;", "a", "9", "90s", "s", " ", "\n",
                                 "(", "[", "{", "\u2014", "\u2013", "_", "é"]), max_size=30))
def test_smart_punctuation_follows_its_plain_rules(pieces):
    text = "".join(pieces)
    assert smarten(f"<p>{text}</p>") == f"<p>{plain_smarten_text(text)}</p>"


def test_smart_punctuation_outside_code():
    assert smarten('<p>"It\'s" -- yes --- no... \'90s</p>') == "<p>“It’s” – yes — no… ’90s</p>"
    assert smarten('<p><code>"a" -- b</code> "x"</p>') == '<p><code>"a" -- b</code> “x”</p>'
    assert smarten('<a href="a--b" title="q">"t"</a>') == '<a href="a--b" title="q">“t”</a>'


def test_first_paragraph_drops_footnote_references():
    html = FAST.render("One[^1] two.\n\nThree.\n\n[^1]: Note.")
    assert first_paragraph(html) == "One two."


def test_rendering_does_not_scan_the_installed_packages():
    # extensions named by string make Python-Markdown import importlib.metadata and read every installed
    # package's entry points (60 ms in each process that renders Markdown); ours are passed as instances
    import subprocess
    import sys

    code = ("import sys; from generator.markup.markdown import MarkdownRenderer; "
            "MarkdownRenderer().render('# T\\n\\nA[^1] *b* | c\\n{: .x}\\n\\n[^1]: n'); "
            "print('importlib.metadata' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
