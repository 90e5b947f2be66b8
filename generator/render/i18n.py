"""The interface in the site's languages: gettext catalogs (templates/locales/<code>/LC_MESSAGES/messages.po,
made and updated with Babel's pybabel, see `make translations`) compiled when a build reads them, and each
language's templates compiled with their texts already translated.

Templates mark their words as `{{ _("Sources") }}` and, with a count, `{{ ngettext("%(num)d source",
"%(num)d sources", n) }}` (jinja2.ext.i18n, with the plural forms of each language's catalog). A `_()` of
a literal is translated once, when the template is compiled (ConstantGettext below): calling gettext at every
use would cost about 8 µs each, a tenth of an event page's time per dozen words. The Python code that
makes interface text (list titles, the chart's and feeds' words) takes the renderer's `gettext`.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

LOCALES_DIR = "locales"  # in the templates folder
DOMAIN = "messages"


def catalog_path(templates_dir: Path, code: str) -> Path:
    return templates_dir / LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


class CatalogError(ValueError):
    """What is wrong with a catalog: (line, message) pairs, all of them."""

    def __init__(self, path: Path, problems: list[tuple[int | None, str]]) -> None:
        super().__init__(problems[0][1])
        self.path, self.problems = path, problems


_PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)[sd]")


def placeholders(text: str) -> set[str]:
    return {brace or percent for brace, percent in _PLACEHOLDER.findall(text)}


def check_catalog(catalog: Catalog) -> list[tuple[int | None, str]]:
    """Each translation that names a placeholder its message does not have (it would fail when shown)."""
    found = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = [str(text) for text in (message.id if isinstance(message.id, (tuple, list)) else (message.id,))]
        strings = [str(text) for text in
                   (message.string if isinstance(message.string, (tuple, list)) else (message.string,))]
        known = set().union(*(placeholders(text) for text in ids))
        for text in strings:
            unknown = placeholders(text) - known
            if unknown:
                names = ", ".join(sorted("{" + name + "}" for name in unknown))
                found.append((message.lineno, f"the translation of {ids[0]!r} uses {names}, which the message "
                                              f"does not have"))
    return found


def load_translations(templates_dir: Path, code: str, locale: str, default: bool) -> NullTranslations:
    """The interface's translations into one language: none for the default language (the templates are
    written in it), else its catalog compiled (a language without one shows the interface untranslated,
    which `check` reports)."""
    path = catalog_path(templates_dir, code)
    if default or not path.is_file():
        return NullTranslations()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CatalogError(path, [(None, f"cannot read the catalog: {error.strerror}")]) from None
    return _compiled(data, locale, str(path))


@lru_cache(maxsize=16)
def _compiled(data: bytes, locale: str, name: str) -> NullTranslations:
    try:
        catalog = read_po(io.BytesIO(data), locale=Locale.parse(locale.replace("-", "_")), abort_invalid=True)
    except Exception as error:  # babel raises PoFileError, or ValueError on a bad header
        line = getattr(error, "lineno", None)
        raise CatalogError(Path(name), [(line, f"invalid catalog: {error}")]) from None
    if problems := check_catalog(catalog):
        raise CatalogError(Path(name), problems)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def catalog_coverage(templates_dir: Path, code: str) -> tuple[int, int] | None:
    """(translated, all) messages of a language's catalog; None if it has none."""
    path = catalog_path(templates_dir, code)
    if not path.is_file():
        return None
    with path.open("rb") as file:
        catalog = read_po(file)
    messages = [message for message in catalog if message.id]
    done = [m for m in messages if not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)]
    return len(done), len(messages)


class ConstantGettext(Extension):
    """Translates `_("a literal")` while a template is compiled: the template then holds the translated
    text as a constant, and its language's environment (environment.translated_environment) has its own
    compiled templates. Relies only on the public Extension.filter_stream hook; jinja2.ext.i18n does the rest
    (ngettext, and _() of anything but a literal, at render time)."""

    def __init__(self, environment: object) -> None:
        super().__init__(environment)  # type: ignore[arg-type]
        environment.extend(constant_translations=NullTranslations())  # type: ignore[attr-defined]

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        translations: NullTranslations = self.environment.constant_translations  # type: ignore[attr-defined]
        return _folded(list(stream), translations)


def _folded(tokens: list[Token], translations: NullTranslations) -> Iterator[Token]:
    n = 0
    while n < len(tokens):
        token = tokens[n]
        if token.type == "name" and token.value == "_" and n + 3 < len(tokens) and \
                tokens[n + 1].type == "lparen" and tokens[n + 2].type == "string" and tokens[n + 3].type == "rparen":
            yield Token(token.lineno, "string", translations.gettext(tokens[n + 2].value))
            n += 4
            continue
        yield token
        n += 1


def plural_texts(translations: NullTranslations, locale: str, singular: str, plural: str) -> dict[str, str]:
    """A plural message's text for each of the language's plural categories (CLDR's: one, few, other…), for
    the scripts, which choose with Intl.PluralRules."""
    rule = Locale.parse(locale.replace("-", "_")).plural_form
    found: dict[str, str] = {}
    for number in (*range(0, 200), 1000, 100000, 1000000):
        found.setdefault(rule(number), translations.ngettext(singular, plural, number))
    return found
