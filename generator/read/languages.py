"""site.yaml's languages: the languages a site is published in, and its texts given per language.

    languages:
      en: {name: English, locale: en-GB}      # the first is the default, served at the site's root
      ar: {name: العربية, locale: ar, direction: rtl}

A translatable text (the site's title and description, side names, kind and role labels, actor names,
involvement notes, the map's title and labels, places' names) is either a plain string, the same in every language, or a mapping of language codes
to texts (`name: {en: Russia, ar: روسيا}`) that must give the default language's; a language it leaves
out shows the default language's text. localized() picks one language's texts out of the raw mapping, so
that the configuration is read once per language with the same code (and the same lines for messages).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from babel import Locale, UnknownLocaleError

from generator.model.dates import is_known_language
from generator.model.types import Language
from generator.read.fields import Fields, type_name

LANGUAGE_KEYS = ("name", "locale", "direction")
CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Where site.yaml's translatable texts are: a path of keys, "*" for every key of a mapping, "#" for every item
# of a list.
TRANSLATABLE: tuple[tuple[str, ...], ...] = (
    ("title",), ("description",),
    ("sides", "*", "name"), ("sides", "*", "short"), ("sides", "*", "description"),
    ("kinds", "*"),
    ("roles", "*", "label"), ("roles", "*", "with_side"), ("roles", "*", "description"),
    ("actors", "*", "name"), ("actors", "*", "involvement", "#", "note"),
    ("map", "title"), ("map", "labels", "*", "name"),
)
# Texts per language that their reader picks itself, to know whether a language has its own (a place's name:
# where it has none, the default language's is shown, marked as such).
PICKED_BY_READER: tuple[tuple[str, ...], ...] = (("places", "*", "name"),)


def read_languages(site: Fields, language: str) -> tuple[Language, ...]:
    """The site's languages, the default first; without `languages:`, its one `language`."""
    if not site.has("languages"):
        return (Language(primary(language), language_display(language), language, direction_of(language)),)
    raw = site.mapping["languages"]
    if not isinstance(raw, dict) or not raw:
        site.error("languages", f"'languages' must be a mapping of language codes to {{name, locale}}, found "
                                f"{type_name(raw)}")
        return (Language(primary(language), language_display(language), language, direction_of(language)),)
    if site.has("language"):
        site.error("language", "'language' and 'languages' are both set: the first of 'languages' is the "
                               "default language, so remove 'language'")
    languages = []
    for code, value in raw.items():
        if not isinstance(code, str) or not CODE.match(code) or not is_known_language(code):
            site.error("languages", f"unknown language code '{code}' (use BCP 47, e.g. en, id, ar)", str(code))
            continue
        value = {} if value is None else value
        if not isinstance(value, dict):
            site.error("languages", f"language '{code}' must be a mapping with name, locale and direction, found "
                                    f"{type_name(value)}", code)
            continue
        entry = site.child("languages", {}).child(code, value)
        entry.unknown_keys(LANGUAGE_KEYS, "language field")
        locale = entry.text("locale", default=code)
        if not is_known_language(locale):
            entry.error("locale", f"unknown locale '{locale}' (use BCP 47, e.g. en-GB, id, ar)")
            locale = code
        direction = entry.one_of("direction", ("ltr", "rtl"), direction_of(locale))
        languages.append(Language(code, entry.text("name", default=language_display(locale)), locale, direction))
    return tuple(languages) or (Language(primary(language), language_display(language), language,
                                         direction_of(language)),)


def primary(language: str) -> str:
    return language.split("-")[0].lower()


def direction_of(locale: str) -> str:
    try:
        order = Locale.parse(locale.replace("-", "_")).character_order
    except (ValueError, LookupError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def language_display(locale: str) -> str:
    """The language's own name for itself ('Bahasa Indonesia', 'العربية')."""
    try:
        name = Locale.parse(locale.replace("-", "_")).get_language_name() or locale
    except (ValueError, LookupError, UnknownLocaleError):
        return locale
    return name[:1].upper() + name[1:]


def _places(value: Any, pattern: tuple[str, ...], at: tuple[str | int, ...] = ()
            ) -> Iterator[tuple[tuple[str | int, ...], Any, Any, str | int]]:
    """(path of the parent, the parent, its value, key) of each translatable text under pattern."""
    step, rest = pattern[0], pattern[1:]
    if step == "*" or step == "#":
        items: list[tuple[str | int, Any]] = list(value.items()) if step == "*" and isinstance(value, dict) else \
            list(enumerate(value)) if step == "#" and isinstance(value, list) else []
    else:
        items = [(step, value[step])] if isinstance(value, dict) and step in value else []
    for key, child in items:
        if rest:
            yield from _places(child, rest, (*at, key))
        else:
            yield at, value, child, key


def check_texts(site: Fields, languages: tuple[Language, ...]) -> None:
    """Report each per-language text that names an undeclared language or lacks the default language's."""
    codes = [language.code for language in languages]
    default = codes[0]
    for pattern in (*TRANSLATABLE, *PICKED_BY_READER):
        for at, _, value, key in _places(site.mapping, pattern):
            if not isinstance(value, dict):
                continue
            where = site.child(at[0], {}) if at else site
            for step in at[1:]:
                where = where.child(step, {})
            if len(codes) == 1 and not site.has("languages"):
                where.error(key, "a text given per language needs 'languages' in site.yaml")
                continue
            for code, text in value.items():
                if code not in codes:
                    where.error(key, f"'{code}' is not one of the site's languages ({', '.join(codes)})", str(code))
                elif not isinstance(text, str) or not text.strip():
                    where.error(key, f"the '{code}' text must be a non-empty text, found {type_name(text)}",
                                str(code))
            if default not in value:
                where.error(key, f"the text in the default language, '{default}', is missing")


def localized(raw: Mapping[str, Any], code: str, default: str) -> dict[str, Any]:
    """A copy of site.yaml's mapping with each per-language text replaced by its text in one language (the
    default language's where it has none); the rest is shared, not copied."""
    copy = _copy_translatable(raw)
    for pattern in TRANSLATABLE:
        for _, parent, value, key in _places(copy, pattern):
            if isinstance(value, dict):
                chosen = value.get(code)
                parent[key] = chosen if isinstance(chosen, str) and chosen.strip() else value.get(default)
    return copy


def _copy_translatable(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the containers on the translatable paths (so that localized() can write into it)."""
    copy = dict(raw)
    for key in ("sides", "kinds", "roles", "actors"):
        if isinstance(copy.get(key), dict):
            copy[key] = {ident: dict(value) if isinstance(value, dict) else value
                         for ident, value in copy[key].items()}
    if isinstance(copy.get("map"), dict):
        copy["map"] = dict(copy["map"])
        if isinstance(copy["map"].get("labels"), dict):
            copy["map"]["labels"] = {name: dict(value) if isinstance(value, dict) else value
                                     for name, value in copy["map"]["labels"].items()}
    actors = copy.get("actors")
    if isinstance(actors, dict):
        for actor in actors.values():
            if isinstance(actor, dict) and isinstance(actor.get("involvement"), list):
                actor["involvement"] = [dict(p) if isinstance(p, dict) else p for p in actor["involvement"]]
    return copy
