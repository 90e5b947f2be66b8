"""The interface's catalogs: words folded into each language's compiled templates, plurals, placeholders,
and the template kept in step with the code."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.support import NullTranslations

from conftest import ROOT
from generator.render.environment import make_environment
from generator.render.i18n import catalog_path, check_catalog, load_translations, plural_texts


PLURAL_FORMS = {"id": "nplurals=1; plural=0;",
                "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                      "n%100>=0 && n%100<=2 ? 4 : 5);"}


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def translations(locale: str, messages: dict[object, object]) -> NullTranslations:
    """A catalog written as a .po file with the header `pybabel init` writes, read the build's way."""
    header = f"Language: {locale}|Plural-Forms: {PLURAL_FORMS[locale]}|Content-Type: text/plain; charset=utf-8|"
    lines = ['msgid ""', 'msgstr ""', *('"' + line + '\\n"' for line in header.split("|")[:-1]), ""]
    for key, value in messages.items():
        if isinstance(key, tuple):
            lines += [f"msgid {quoted(key[0])}", f"msgid_plural {quoted(key[1])}"]
            forms: list[str] = list(value)  # type: ignore[call-overload]
            lines += [f"msgstr[{n}] {quoted(text)}" for n, text in enumerate(forms)]
        else:
            lines += [f"msgid {quoted(str(key))}", f"msgstr {quoted(str(value))}"]
        lines.append("")
    folder = Path(tempfile.mkdtemp())
    catalog_path(folder, locale).parent.mkdir(parents=True)
    catalog_path(folder, locale).write_text("\n".join(lines), encoding="utf-8")
    return load_translations(folder, locale, locale, default=False)


def test_a_literal_is_translated_when_the_template_is_compiled(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text('<p>{{ _("Sources") }}</p><p>{{ _(word) }}</p>'
                                     '<p>{{ ngettext("%(num)d source", "%(num)d sources", n) }}</p>', encoding="utf-8")
    words = translations("id", {"Sources": "Sumber", "Actors": "Aktor", ("%(num)d source", "%(num)d sources"):
                                ("%(num)d sumber",)})
    environment = make_environment(tmp_path, translations=words)
    source = environment.loader.get_source(environment, "t.html")[0]  # type: ignore[union-attr]
    code = environment.compile(source, "t.html", raw=True)
    assert "Sumber" in code and "Sources" not in code  # a constant: no gettext call left for it
    shown = environment.get_template("t.html").render(word="Actors", n=3)
    assert shown == "<p>Sumber</p><p>Aktor</p><p>3 sumber</p>"  # _() of a variable and ngettext at render time
    assert make_environment(tmp_path).get_template("t.html").render(word="Actors", n=1) == \
        "<p>Sources</p><p>Actors</p><p>1 source</p>"


def test_a_translated_constant_is_still_escaped(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text('{{ _("A & B") }}', encoding="utf-8")
    environment = make_environment(tmp_path, translations=translations("id", {"A & B": "A <dan> B"}))
    assert environment.get_template("t.html").render() == "A &lt;dan&gt; B"


def test_plural_texts_gives_a_text_for_each_plural_category() -> None:
    arabic = translations("ar", {("{count} event", "{count} events"): (
        # gettext's order for Arabic: 0, 1, 2, 3–10, then 100–102 (CLDR's "other"), then 11–99 ("many")
        "لا أحداث", "حدث واحد", "حدثان", "{count} أحداث", "{count} حدث", "{count} حدثًا")})
    found = plural_texts(arabic, "ar", "{count} event", "{count} events")
    assert found == {"zero": "لا أحداث", "one": "حدث واحد", "two": "حدثان", "few": "{count} أحداث",
                     "many": "{count} حدثًا", "other": "{count} حدث"}
    assert plural_texts(translations("id", {}), "id", "{count} event", "{count} events") == {"other": "{count} events"}


def test_a_translation_naming_a_placeholder_its_message_lacks_is_found() -> None:
    catalog = Catalog(locale="id")
    catalog.add("Backing the {side}", "Mendukung {sisi}", lineno=12)
    catalog.add("since {date}", "sejak {date}", lineno=15)
    catalog.add(("%(num)d event", "%(num)d events"), ("%(n)d peristiwa",), lineno=20)
    assert check_catalog(catalog) == [
        (12, "the translation of 'Backing the {side}' uses {sisi}, which the message does not have"),
        (20, "the translation of '%(num)d event' uses {n}, which the message does not have")]


def test_the_catalog_template_is_up_to_date_with_the_code() -> None:
    result = subprocess.run([sys.executable, "scripts/translations.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_catalog_edit_reaches_the_pages_through_the_compiled_templates_cache(tmp_path: Path) -> None:
    """The translations are compiled into the templates: a build after a catalog edit must not reuse them."""
    import shutil

    from conftest import SITE_YAML
    from generator import BuildOptions, build

    site = tmp_path / "site"
    shutil.copytree(ROOT / "templates", site / "templates")
    (site / "site.yaml").write_text(SITE_YAML.replace("language: en-GB\n", "languages:\n  en: {locale: en-GB}\n"
                                                      "  id: {locale: id}\n"), encoding="utf-8")
    build(BuildOptions(site))
    catalog = catalog_path(site / "templates", "id")
    text = catalog.read_text(encoding="utf-8")
    start = text.index('msgid "Skip to content"')
    catalog.write_text(text[:start] + re.sub(r'msgstr ".*"', 'msgstr "Langsung ke isi halaman"', text[start:], count=1),
                       encoding="utf-8")
    build(BuildOptions(site))
    assert "Langsung ke isi halaman" in (site / "output/id/index.html").read_text(encoding="utf-8")
