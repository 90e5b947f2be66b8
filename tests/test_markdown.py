"""The Markdown pipeline: extensions, sanitising, smart punctuation, and the fast inline processor."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from conftest import ROOT
from generator.markdown import MarkdownRenderer, first_paragraph
from generator.typography import smarten

FAST = MarkdownRenderer(fast=True)
PLAIN = MarkdownRenderer(fast=False)

PIECES = ["word", " ", "\n", "\n\n", "*", "**", "_", "`", "[", "]", "(", ")", "!", "<", ">", "&", "amp;", "\\",
          "^", ":", "http://x.org", "a@b.c", "<b>", "</b>", "  \n", "- ", "1. ", "| a | b |\n|---|---|\n", "\"",
          "'", "--", "...", "[^1]", "[^1]: note\n", "[x]: http://y\n", "{: .c }", "# ", "## ", "\n===\n",
          "\n---\n", "\n- - -\n", "[TOC]", "   #", "{#i}", "\n    code\n", "|"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_fast_inline_processor_gives_the_same_html(pieces):
    text = "".join(pieces)
    assert FAST.render(text) == PLAIN.render(text)


def test_fast_renderer_gives_the_same_html_on_the_bundled_content():
    # whole documents, with every kind of syntax an editor uses (the fast renderer skips extensions)
    files = sorted((ROOT / "content").rglob("*.md"))
    assert len(files) > 100
    for file in files:
        text = file.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        assert FAST.render(text) == PLAIN.render(text), file


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

    code = ("import sys; from generator.markdown import MarkdownRenderer; "
            "MarkdownRenderer().render('# T\\n\\nA[^1] *b* | c\\n{: .x}\\n\\n[^1]: n'); "
            "print('importlib.metadata' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
