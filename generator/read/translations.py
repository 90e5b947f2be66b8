"""Translations: a file beside its original with the language before the extension (x.id.md translates
x.md into Indonesian). A translation holds only what is language-specific: its title and its text, and
what it says of itself (translated_from, translator, reviewed). Everything else (dates, actors, roles,
sides, status, sources, places) comes from the original; a translation that sets it is an error at its line.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from generator.model.errors import Problems
from generator.model.types import Event, SiteConfig, Translated
from generator.model.dates import PartialDate
from generator.read.fields import Fields, suggest

TRANSLATION_KEYS = ("title", "translated_from", "translator", "reviewed")
_NAME = re.compile(r"^(?P<stem>[^.]+)\.(?P<code>[A-Za-z0-9-]+)\.md$")
_NO_DATE = PartialDate(1)


def translation_name(rel: str) -> tuple[str, str] | None:
    """(the original's path, the language code) of a translation's path; None for an original's."""
    path = PurePosixPath(rel)
    match = _NAME.match(path.name)
    if match is None:
        return None
    return str(path.with_name(match["stem"] + ".md")), match["code"]


def check_language(rel: str, code: str, config: SiteConfig, problems: Problems) -> bool:
    """Whether a translation's language is one of the site's others; else the problem is reported."""
    codes = [language.code for language in config.languages]
    if code in codes[1:]:
        return True
    if codes and code == codes[0]:
        problems.error(rel, None, f"'{code}' is the site's default language: the original, "
                                  f"{PurePosixPath(rel).name.replace('.' + code + '.', '.')}, is in it")
    else:
        others = ", ".join(codes[1:]) or "none: add 'languages' to site.yaml"
        problems.error(rel, None, f"'{code}' is not one of the site's languages{suggest(code, codes)} "
                                  f"(the file name says what language a translation is in; others are {others})")
    return False


def read_translated(fields: Fields, original_keys: tuple[str, ...], original: str, rel: str,
                    config: SiteConfig) -> tuple[str, Translated]:
    """A translation's title and what it says of itself; each key that belongs to the original reported."""
    for key in fields.mapping:
        if key in TRANSLATION_KEYS:
            continue
        if key in original_keys:
            fields.error(str(key), f"'{key}' comes from the original ({PurePosixPath(original).name}): a "
                                   f"translation sets only {', '.join(TRANSLATION_KEYS)}")
        else:
            fields.warn(str(key), f"unknown field '{key}'{suggest(str(key), TRANSLATION_KEYS)}")
    title = fields.text("title")
    source = fields.text("translated_from", default=config.default_language)
    if source not in [language.code for language in config.languages]:
        fields.error("translated_from", f"'translated_from' must be one of the site's languages, found '{source}'")
    return title, Translated(original, rel, source, fields.text("translator"), fields.boolean("reviewed"))


def translation_event(fields: Fields, original_keys: tuple[str, ...], rel: str, body: str,
                      config: SiteConfig) -> Event | None:
    """The stand-in a translation file is read into (through the same cache and workers as the events):
    its slug is its original's; attach() joins it to the original."""
    name = translation_name(rel)
    assert name is not None
    original, code = name
    before = len(fields.problems.errors)
    if not check_language(rel, code, config, fields.problems):
        return None
    title, translated = read_translated(fields, original_keys, original, rel, config)
    if len(fields.problems.errors) > before:
        return None
    return Event(slug="", path=rel, title=title, date=_NO_DATE, actors=(), kind="", sources=(), body=body,
                 language=code, translation=translated)


def attach(events: list[Event], config: SiteConfig, problems: Problems, site_dir: Path
           ) -> tuple[list[Event], dict[str, dict[str, Event]]]:
    """The originals, and the translations of each language by their original's slug; a translation
    without its original is reported (one whose original is a draft left out, or was rejected, is not)."""
    originals = [event for event in events if event.translation is None]
    by_path = {event.path: event for event in originals}
    translations: dict[str, dict[str, Event]] = {language.code: {} for language in config.languages[1:]}
    for event in events:
        if event.translation is None:
            continue
        original = by_path.get(event.translation.original)
        if original is None:
            if (site_dir / event.translation.original).is_file():
                continue
            problems.error(event.path, None, f"a translation without its original: there is no "
                                             f"{PurePosixPath(event.translation.original).name} beside it")
            continue
        translations.setdefault(event.language, {})[original.slug] = event
    return originals, translations
