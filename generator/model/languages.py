"""A site in another of its languages: the same events, pages and lists, in the same order, with the
translations' titles and texts where there are translations, and the originals where there are none."""

from __future__ import annotations

from typing import TypeVar

from generator.model.site import Site
from generator.model.types import Event, Page, SiteConfig

K = TypeVar("K")


class TranslatedEvent(Event):
    """An original as shown in another language: its fields, with the title, language and texts of its
    translation. The texts are the translation's own attributes, read when first used: a translation loaded
    from the build cache reads its texts only for the pages that show them (an edit renders a few)."""

    html = property(lambda self: self.__dict__["_translation"].html)
    excerpt = property(lambda self: self.__dict__["_translation"].excerpt)
    body = property(lambda self: self.__dict__["_translation"].body)


_KEPT = frozenset(Event.__dataclass_fields__) - {"html", "excerpt", "body"}  # an original's fields that show


def translated_event(original: Event, translation: Event | None, code: str) -> Event:
    """The original as shown in another language: with the translation's title and text when there is one
    (in the original's place in every list), else the original itself."""
    if translation is None:
        return original
    shown = TranslatedEvent.__new__(TranslatedEvent)
    fields = shown.__dict__
    fields.update(original.__dict__)
    for name in fields.keys() - _KEPT:  # its texts, and whatever else an Event subclass keeps beside its fields
        del fields[name]
    fields.update(title=translation.title or original.title, language=code, translation=translation.translation,
                  sort_title=original.sort_title or original.title.casefold(),
                  fingerprint=f"{original.fingerprint}+{translation.fingerprint}", _translation=translation,
                  _original=original)
    return shown


def _same(shown: Event | None, original: Event, translation: Event | None) -> bool:
    """Whether shown (the last build's) is what translated_event(original, translation) would make."""
    if shown is None or translation is None:
        return shown is original
    fields = shown.__dict__
    return fields.get("_original") is original and fields.get("_translation") is translation


def translated_page(original: Page, translation: Page | None, code: str) -> Page:
    if translation is None:
        return original
    return Page(slug=original.slug, path=translation.path, title=translation.title or original.title,
                body=translation.body, html=translation.html, extra=original.extra, language=code,
                translation=translation.translation)


def translated_site(site: Site, config: SiteConfig, events: dict[str, Event], pages: dict[str, Page],
                    profiles: dict[str, Page], before: tuple[Site, Site] | None = None) -> Site:
    """The site in the language of config (one of site.config.translations): each event with its translation
    (events, by the original's slug), the same lists in the same order. before: the last build's site and its
    site in this language (the preview's), whose events and lists are reused where nothing they show changed
    (the originals and translations are the same objects: the loader keeps those that did not change)."""
    code = config.lang
    old_site, old = before if before is not None else (None, None)
    known = old.event_by_slug if old is not None else {}
    shown: dict[str, Event] = {}
    renewed = 0  # events whose original is the same object as before but whose translation is another
    for event in site.events:
        translation = events.get(event.slug)
        kept = known.get(event.slug)
        if _same(kept, event, translation):
            shown[event.slug] = kept  # type: ignore[assignment]
        else:
            shown[event.slug] = translated_event(event, translation, code)
            renewed += old_site is not None and old_site.event_by_slug.get(event.slug) is event

    def mapped(groups: dict[K, list[Event]], name: str) -> dict[K, list[Event]]:
        """The lists of groups, of events as shown. A list the original site did not change (the same object:
        update_site copies the lists it changes) is the last build's, unless a translation changed."""
        if not events:
            return groups
        old_groups = getattr(old_site, name) if old_site is not None and not renewed else {}
        old_shown = getattr(old, name) if old is not None else {}
        return {key: old_shown[key] if old_groups.get(key) is listed and key in old_shown else
                [shown[event.slug] for event in listed] for key, listed in groups.items()}

    def near(neighbours: dict[str, Event | None]) -> dict[str, Event | None]:
        return {slug: shown[event.slug] if event is not None else None for slug, event in neighbours.items()}

    return Site(config=config, events=[shown[event.slug] for event in site.events],
                pages=[translated_page(page, pages.get(page.slug), code) for page in site.pages],
                profiles={ident: translated_page(page, profiles.get(ident), code)
                          for ident, page in site.profiles.items()},
                by_actor=mapped(site.by_actor, "by_actor"), by_other_part=mapped(site.by_other_part, "by_other_part"),
                by_year=mapped(site.by_year, "by_year"), by_kind=mapped(site.by_kind, "by_kind"),
                by_tag=mapped(site.by_tag, "by_tag"), by_place=mapped(site.by_place, "by_place"),
                tag_names=site.tag_names, event_by_slug=shown,
                previous=near(site.previous), following=near(site.following))
