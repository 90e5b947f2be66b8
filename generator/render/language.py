"""A page's language: the interface's words in it (Words), and the links between a page and the same page
in the site's other languages (LanguageLinks)."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from babel import Locale
from babel.core import get_global
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from generator.model.site import Site
from generator.model.types import Event, Page, Place
from generator.render.i18n import plural_texts


class Words:
    """The interface's words in one language, for templates and the code that makes pages' text."""

    def __init__(self, translations: NullTranslations, locale: str) -> None:
        self.translations = translations
        self.locale = locale
        self.gettext: Callable[[str], str] = translations.gettext
        self.ngettext: Callable[[str, str, int], str] = translations.ngettext

    def status_word(self, status: str, capital: bool = False) -> str:
        _ = self.gettext
        if capital:
            return {"confirmed": _("Confirmed"), "alleged": _("Alleged"), "denied": _("Denied")}.get(status, status)
        return {"confirmed": _("confirmed"), "alleged": _("alleged"), "denied": _("denied")}.get(status, status)

    def country_name(self, code: str, name: str) -> str:
        """A country's name (ISO 3166-1 alpha-3 code) in this language: CLDR's through Babel where the interface
        is translated (a catalog), else the map data's own English name, as the untranslated interface is."""
        translated = isinstance(self.translations, Translations) and self.locale.split("-")[0] != "en"
        return _country_names(self.locale).get(code, name) if translated else name

    def actor_type(self, kind: str) -> str:
        _ = self.gettext
        return {"state": _("State"), "company": _("Company"), "armed group": _("Armed group"),
                "organisation": _("Organisation"), "government": _("Government")}.get(kind, kind.capitalize())

    def filter_texts(self) -> dict[str, object]:
        """The words the filters' script shows (plurals by CLDR category, which the script picks with
        Intl.PluralRules)."""
        _, translations, locale = self.gettext, self.translations, self.locale
        return {
            "events": plural_texts(translations, locale, "{count} event", "{count} events"),
            "sources": plural_texts(translations, locale, "{count} source", "{count} sources"),
            "all": plural_texts(translations, locale, "All {count} event", "All {count} events"),
            "some": plural_texts(translations, locale, "{shown} of {count} event", "{shown} of {count} events"),
            "more": _("Show {shown} more ({left} not shown)"), "filtering": _("Filtering…"),
            "none": _("No events match these filters."), "milestone": _("Milestone"),
            "failed": _("The filters could not load the list of events; browse by actor, kind or year instead."),
            "statuses": {"confirmed": _("Confirmed"), "alleged": _("Alleged"), "denied": _("Denied")},
        }


class LanguageLinks:
    """Where a page of a site in one of its languages is in the others, and which texts are in another
    language than the page's."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.config = config = site.config
        default = config.languages[0] if config.languages else None
        # the locale of the content shown untranslated (the default language's), on another language's pages
        self.original_locale = default.locale if default is not None and config.lang != default.code else ""

    def place_locale(self, place: Place) -> str:
        """The locale of the language a place's name is shown in, when it is not the page's; else ''."""
        return self.original_locale if place.foreign else ""

    def asset(self, path: str) -> str:
        """A static file's address (one copy for every language, at the site's root)."""
        return self.config.root_path + path.lstrip("/")

    def alternates(self, rel: str) -> list[tuple[str, str, str, str, bool]]:
        """(code, locale, address, full address, whether it is this one) of a page (its output path in the
        default language) in each of the site's languages: the same path under each language's folder."""
        config = self.config
        if len(config.languages) < 2:
            return []
        page = rel.removesuffix("index.html")
        default = config.languages[0].code
        found = []
        for language in config.languages:
            path = ("" if language.code == default else language.code + "/") + page
            found.append((language.code, language.locale, self.asset(path), self.site.absolute_asset_url(path),
                          language.code == config.lang))
        return found

    def lang_attr(self, locale: str) -> Markup:
        """' lang="…"' for a text in another language than the page's (and its dir="…" when that language is
        written the other way), else nothing."""
        if not locale:
            return Markup("")
        direction = next((language.direction for language in self.config.languages if language.locale == locale),
                         None)
        if direction is not None and direction != self.config.language_info.direction:
            return Markup(' lang="%s" dir="%s"') % (locale, direction)
        return Markup(' lang="%s"') % locale

    def text_language(self, item: Event | Page) -> str:
        """The locale of the language an event's or page's text is in, when it is not the page's; else ''."""
        languages = self.config.languages
        code = item.language or (languages[0].code if languages else "")
        if len(languages) < 2 or code == self.config.lang:
            return ""
        return next((language.locale for language in languages if language.code == code), code)


@lru_cache(maxsize=None)
def _country_names(locale: str) -> dict[str, str]:
    """Alpha-3 code -> the country's name in the locale (CLDR maps alpha-3 codes to alpha-2 as aliases)."""
    names = Locale.parse(locale, sep="-").territories
    return {alpha3: names[alpha2[0]] for alpha3, alpha2 in get_global("territory_aliases").items()
            if len(alpha3) == 3 and alpha3.isalpha() and alpha2 and alpha2[0] in names}
