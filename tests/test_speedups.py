"""Tripwires for the speed-ups that reach into libraries' internals (markup/_markdown_speedups.py and
render/_jinja_speedups.py): each fails, naming the library's version, when an upgrade renames, changes or
stops calling what a speed-up relies on, instead of the speed-up silently doing nothing or the wrong thing."""

from __future__ import annotations

import hashlib
import inspect

import jinja2
import jinja2.compiler
import jinja2.runtime
import markdown
import markdown.preprocessors
import markdown.treeprocessors
import pytest

import generator.markup._markdown_speedups as md_speedups
import generator.render._jinja_speedups as jinja_speedups
from generator.markup.markdown import MarkdownRenderer
from generator.render.environment import make_environment

MARKDOWN = f"Python-Markdown {markdown.__version__}"
JINJA = f"Jinja2 {jinja2.__version__}"
# upstream's NormalizeWhitespace.run, as _Normalize.run was copied from it (Python-Markdown 3.11)
NORMALIZE_SOURCE = "a99bc2f9e0d83abcd6a7155a5637176e74280f85190e3e05eb1ad20ee5366d2f"


def test_the_inline_processor_hooks_exist_and_ours_is_called(monkeypatch):
    for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern"):
        assert hasattr(markdown.treeprocessors.InlineProcessor, name), \
            f"{MARKDOWN}: InlineProcessor.{name} is gone; markup/_markdown_speedups.py relies on it"
    calls = []
    real = md_speedups._TriggeredInlineProcessor._InlineProcessor__handleInline

    def counting(self, data, patternIndex=0):  # noqa: N803 - Python-Markdown's name
        calls.append(data)
        return real(self, data, patternIndex)

    monkeypatch.setattr(md_speedups._TriggeredInlineProcessor, "_InlineProcessor__handleInline", counting)
    html = MarkdownRenderer().render("Some *emphasis* and a [link](https://example.org/).")
    assert "<em>emphasis</em>" in html
    assert calls, f"{MARKDOWN}: the inline processor no longer calls __handleInline, so the override is bypassed"


def test_the_copied_preprocessor_matches_upstream():
    source = inspect.getsource(markdown.preprocessors.NormalizeWhitespace.run)
    assert hashlib.sha256(source.encode()).hexdigest() == NORMALIZE_SOURCE, \
        f"{MARKDOWN}: NormalizeWhitespace.run changed; check _Normalize.run in markup/_markdown_speedups.py " \
        f"against it and update NORMALIZE_SOURCE"


def test_the_replaced_processors_are_registered_under_the_names_we_replace():
    converter = markdown.Markdown(extensions=[md_speedups.FastExtension()])
    assert isinstance(converter.preprocessors["normalize_whitespace"], md_speedups._Normalize), MARKDOWN
    assert isinstance(converter.preprocessors["html_block"], md_speedups._HtmlBlocks), MARKDOWN
    assert isinstance(converter.treeprocessors["inline"], md_speedups._TriggeredInlineProcessor), MARKDOWN
    assert isinstance(converter.treeprocessors["unescape"], md_speedups._Unescape), MARKDOWN
    plain = markdown.Markdown()
    for name in ("normalize_whitespace", "html_block"):  # each replaced one existed upstream under its name
        assert name in plain.preprocessors, f"{MARKDOWN}: no preprocessor '{name}'"
    for name in ("inline", "unescape"):
        assert name in plain.treeprocessors, f"{MARKDOWN}: no tree processor '{name}'"
    for name in md_speedups.BLOCK_CHECKS:
        if name != "footnote":  # (the footnotes extension's)
            assert name in plain.parser.blockprocessors, f"{MARKDOWN}: no block processor '{name}'"
    assert callable(getattr(plain, "is_block_level", None)), MARKDOWN


def test_the_jinja_hooks_exist_and_are_called(tmp_path, monkeypatch):
    assert hasattr(jinja2.compiler.CodeGenerator, "_output_child_pre"), \
        f"{JINJA}: CodeGenerator._output_child_pre is gone; render/_jinja_speedups.py relies on it"
    assert hasattr(jinja2.runtime.Context, "call"), f"{JINJA}: Context.call is gone"
    escaped, called = [], []
    real_escape, real_call = jinja_speedups._escape, jinja_speedups._Context.call

    def counting_escape(value):
        escaped.append(value)
        return real_escape(value)

    def counting_call(__self, __obj, *args, **kwargs):
        called.append(__obj)
        return real_call(__self, __obj, *args, **kwargs)

    monkeypatch.setattr(jinja_speedups.SpeedyEnvironment, "escape_output", staticmethod(counting_escape))
    monkeypatch.setattr(jinja_speedups._Context, "call", counting_call)
    (tmp_path / "page.html").write_text("{{ title }} {{ shout(title) }}")
    environment = make_environment(tmp_path)
    html = environment.get_template("page.html").render(title="<b>", shout=str.upper)
    assert html == "&lt;b&gt; &lt;B&gt;"
    assert "<b>" in escaped, f"{JINJA}: {{{{ }}}} no longer goes through escape_output: the code generator hook " \
                             f"is bypassed"
    assert called, f"{JINJA}: calls in templates no longer go through Context.call"


@pytest.mark.parametrize("value", ["plain", "a < b & 'c'", 42, None, jinja2.utils.markupsafe.Markup("<i>ok</i>")])
def test_the_quicker_escape_escapes_as_markupsafe_does(value):
    assert jinja_speedups._escape(value) == jinja2.utils.markupsafe.escape(value)


def test_a_template_compiled_for_one_folder_serves_another_under_its_own_file_name(tmp_path, monkeypatch):
    """SharedCompiledTemplates: the same template in another folder is not compiled again, yet its Template
    (whose file name Jinja2 takes from the code) and the errors it raises name the file of its own folder."""
    compiled: list[str] = []
    real_compile = jinja_speedups.SpeedyEnvironment.compile

    def counting_compile(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(filename)
        return real_compile(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja_speedups.SpeedyEnvironment, "compile", counting_compile)
    source = "{% macro m(x) %}{{ x.missing.deeper }}{% endmacro %}\n<p>{{ title }}</p>\n{{ m(thing) }}\n"
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        folder.mkdir()
        (folder / "page.html").write_text(source)
    templates = [make_environment(folder).get_template("page.html") for folder in folders]
    assert compiled == [str(folders[0] / "page.html")], f"{JINJA}: compiled again, or not at all"
    for folder, template in zip(folders, templates):
        assert template.filename == str(folder / "page.html"), \
            f"{JINJA}: Template.from_code no longer names a template after its code's co_filename"
        with pytest.raises(jinja2.UndefinedError) as error:
            template.render(title="t", thing={})
        frames = [(entry.path, entry.lineno) for entry in error.traceback]
        assert (folder / "page.html", 1) in [(p, line + 1) for p, line in frames], frames


def test_a_changed_template_or_other_words_are_compiled_anew(tmp_path):
    from babel.support import Translations
    import io
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    (tmp_path / "page.html").write_text("<p>{{ _('Events') }}</p>")
    assert make_environment(tmp_path).get_template("page.html").render() == "<p>Events</p>"
    catalog = Catalog(locale="id")
    catalog.add("Events", "Peristiwa")
    data = io.BytesIO()
    write_mo(data, catalog)
    data.seek(0)
    indonesian = Translations(fp=data)
    assert make_environment(tmp_path, translations=indonesian).get_template("page.html").render() == "<p>Peristiwa</p>"
    (tmp_path / "page.html").write_text("<p>{{ _('Events') }}!</p>")
    assert make_environment(tmp_path).get_template("page.html").render() == "<p>Events!</p>"
