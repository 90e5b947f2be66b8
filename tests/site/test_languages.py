"""Languages (issue 18): site.yaml's languages and per-language texts, translation files and their errors,
a whole site per language with untranslated events kept and labelled, hreflang, catalogs, open data,
feeds, the sitemap, the cache, and check's translation report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, SITE_YAML, ScratchSite
from generator import BuildOptions, SiteError, build, check

LANGUAGES = """\
languages:
  en: {name: English, locale: en-GB}
  id: {name: Bahasa Indonesia, locale: id}
  ar: {name: العربية, locale: ar, direction: rtl}
"""


def multilingual(site: ScratchSite) -> ScratchSite:
    text = SITE_YAML.replace("language: en-GB\n", LANGUAGES)
    text = text.replace("    name: Russia\n", "    name: {en: Russia, id: Rusia, ar: روسيا}\n")
    text = text.replace("title: Test timeline\n", "title:\n  en: Test timeline\n  id: Linimasa uji\n")
    site.write("site.yaml", text)
    return site


TRANSLATION = """\
---
title: {title}
translated_from: en
translator: A. Translator
reviewed: false
---
{body}
"""


def messages(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def problems_of(site: ScratchSite) -> str:
    """What `check` reports, a line each as the command line prints it (in this process: quicker)."""
    try:
        result = check(BuildOptions(site.root))
    except SiteError as error:
        return "\n".join(str(problem) for problem in error.problems)
    return "\n".join(str(problem) for problem in result.warnings) + "\nno errors"


# -- site.yaml -----------------------------------------------------------------------------------
def test_languages_and_per_language_texts(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    result = build(BuildOptions(site.root))
    assert result.pages
    assert '<html lang="en-GB" dir="ltr">' in site.read("index.html")
    indonesian = site.read("id/index.html")
    assert '<html lang="id" dir="ltr">' in indonesian and "Linimasa uji" in indonesian and "Rusia" in indonesian
    arabic = site.read("ar/index.html")
    assert '<html lang="ar" dir="rtl">' in arabic and "روسيا" in arabic
    assert "Test timeline" in arabic  # no Arabic title: the default language's


def test_errors_in_per_language_texts_are_reported_at_their_lines(site: ScratchSite) -> None:
    text = SITE_YAML.replace("language: en-GB\n", LANGUAGES)
    text = text.replace("    name: Russia\n", "    name: {id: Rusia, fr: Russie}\n")
    text = text.replace("    name: Turkey\n", "    name: {en: Turkey, ar: ''}\n")
    path = site.write("site.yaml", text)
    result = site.run("check")  # (the command line, once: its exit status and no traceback)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(n for n, l in enumerate(path.read_text().splitlines(), 1) if "Rusia" in l)
    assert f"site.yaml:{line}: 'fr' is not one of the site's languages (en, id, ar)" in result.stderr
    assert f"site.yaml:{line}: the text in the default language, 'en', is missing" in result.stderr
    turkey = next(n for n, l in enumerate(path.read_text().splitlines(), 1) if "{en: Turkey" in l)
    assert f"site.yaml:{turkey}: the 'ar' text must be a non-empty text" in result.stderr


def test_a_per_language_text_needs_languages_and_codes_must_be_known(site: ScratchSite) -> None:
    site.write("site.yaml", SITE_YAML.replace("    name: Russia\n", "    name: {en: Russia, id: Rusia}\n"))
    assert "a text given per language needs 'languages' in site.yaml" in problems_of(site)
    site.write("site.yaml", SITE_YAML.replace("language: en-GB\n", LANGUAGES + "language: en\n")
               .replace("  ar: {name: العربية, locale: ar, direction: rtl}\n", "  xx-nope-1: {name: X}\n"))
    found = problems_of(site)
    assert "'language' and 'languages' are both set" in found
    assert "unknown language code 'xx-nope-1'" in found


# -- translation files ---------------------------------------------------------------------------
def test_a_translated_event_and_an_untranslated_one(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", title="Talks in Moscow", actors="russia", kind="diplomacy", body="Talks were held.")
    site.event("troops", title="Troops deployed", date="2020-02-03", body="Troops arrived.")
    site.write("content/events/talks.id.md", TRANSLATION.format(title="Perundingan di Moskow",
                                                                body="Perundingan diadakan."))
    build(BuildOptions(site.root))
    page = site.read("id/events/talks/index.html")
    assert "<h1>Perundingan di Moskow</h1>" in page and "Perundingan diadakan." in page
    assert "Talks were held." not in page and "Not yet translated" not in page
    assert "2 Januari 2020" in page  # the date in the language's own words (Babel)
    assert "A. Translator" in page
    original = site.read("events/talks/index.html")
    assert "<h1>Talks in Moscow</h1>" in original and "Perundingan" not in original
    # untranslated: still there, in English, marked as such
    shown = site.read("id/events/troops/index.html")
    assert '<h1 lang="en-GB">Troops deployed</h1>' in shown and '<div class="summary" lang="en-GB"' in shown
    assert '<h1 lang="en-GB" dir="ltr">Troops deployed</h1>' in site.read("ar/events/troops/index.html")
    assert "badge-untranslated" in shown
    home = site.read("id/index.html")
    assert 'lang="en-GB">Troops deployed</a>' in home and ">Perundingan di Moskow</a>" in home
    assert sorted(os.listdir(site.root / "output/id/events")) == sorted(os.listdir(site.root / "output/events"))
    # the same order in every language (the original titles order events of one day)
    assert site.read("ar/events/talks/index.html").count('rel="next"') == 1


def test_a_translation_that_sets_what_belongs_to_the_original_is_an_error_at_its_line(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    site.write("content/events/talks.ar.md", "---\ntitle: محادثات\ndate: 2020-01-02\nactors: [russia]\n"
                                             "colour: red\n---\nنص.\n")
    found = problems_of(site)
    assert ("content/events/talks.ar.md:3: 'date' comes from the original (talks.md): a translation sets only "
            "title, translated_from, translator, reviewed") in found
    assert "content/events/talks.ar.md:4: 'actors' comes from the original" in found
    assert "content/events/talks.ar.md:5: warning: unknown field 'colour'" in found


def test_translations_without_their_original_or_in_no_language_of_the_site(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    site.write("content/events/gone.id.md", TRANSLATION.format(title="Hilang", body="Teks."))
    site.write("content/events/talks.fr.md", TRANSLATION.format(title="Pourparlers", body="Texte."))
    site.write("content/events/talks.en.md", TRANSLATION.format(title="Talks", body="Text."))
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout us.\n")
    site.write("content/pages/help.id.md", "---\ntitle: Bantuan\n---\nTeks.\n")
    found = problems_of(site)
    assert "content/events/gone.id.md: a translation without its original: there is no gone.md beside it" in found
    assert "content/events/talks.fr.md: 'fr' is not one of the site's languages" in found
    assert "content/events/talks.en.md: 'en' is the site's default language" in found
    assert "content/pages/help.id.md: a translation without its original: there is no help.md beside it" in found
    with pytest.raises(SiteError):
        build(BuildOptions(site.root))
    assert not (site.root / "output").exists()  # nothing written


def test_the_translation_of_a_draft_is_left_out_with_it(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    draft = site.event("later", date="2020-05-01")
    draft.write_text(draft.read_text().replace("kind: military", "kind: military\ndraft: true"))
    site.write("content/events/later.id.md", TRANSLATION.format(title="Nanti", body="Teks."))
    build(BuildOptions(site.root))
    assert not (site.root / "output/id/events/later").exists() and not (site.root / "output/events/later").exists()


def test_pages_and_profiles_are_translated_with_their_titles_in_the_menu(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout this timeline.\n")
    site.write("content/pages/about.ar.md", "---\ntitle: عن الخط الزمني\ntranslated_from: en\n---\nعن هذا.\n")
    site.write("content/actors/russia.md", "---\ntitle: Russia\n---\nThe profile of Russia.\n")
    site.write("content/actors/russia.id.md", "---\ntitle: Rusia\n---\nProfil Rusia.\n")
    site.write("content/actors/russia.ar.md", "---\ntitle: روسيا\ncolour: red\n---\nنص.\n")
    result = build(BuildOptions(site.root))
    assert "content/actors/russia.ar.md:3: warning: unknown field 'colour'" in [str(p) for p in result.warnings]
    about = site.read("ar/about/index.html")
    assert "<h1>عن الخط الزمني</h1>" in about and "عن هذا." in about
    assert ">عن الخط الزمني</a>" in site.read("ar/index.html")  # the menu
    assert '<article class="page" lang="en-GB"' in site.read("id/about/index.html")  # not translated into id
    assert "Profil Rusia." in site.read("id/actors/russia/index.html")
    assert "The profile of Russia." in site.read("actors/russia/index.html")


# -- every language a whole site ------------------------------------------------------------------
class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.html: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate" and found.get("hreflang"):
            self.alternates[found["hreflang"] or ""] = found.get("href") or ""
        if tag == "html":
            self.html = {k: v or "" for k, v in found.items()}


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.fixture
def bundled(bundled_output: Path) -> Path:
    """The bundled site, built once for the session (conftest.py)."""
    return bundled_output


def test_every_arabic_page_is_right_to_left_and_every_page_has_symmetric_alternates(bundled: Path) -> None:
    pages = sorted(p.relative_to(bundled).as_posix() for p in bundled.rglob("*.html"))
    arabic = [p for p in pages if p.startswith("ar/")]
    assert len(arabic) > 300
    for rel in arabic:  # (the <html> tag is on the second line of every page)
        head = (bundled / rel).read_text(encoding="utf-8")[:200]
        assert re.search(r'<html lang="ar" dir="rtl">', head), rel
    root = "https://example.org/"
    default = [p for p in pages if not p.startswith(("ar/", "id/")) and p != "404.html"]
    events = [p for p in default if p.startswith("events/")]
    for rel in [p for p in default if not p.startswith("events/")] + events[::16]:  # every kind of page
        address = root + rel.removesuffix("index.html")
        found = {code: parsed(bundled / prefix / rel).alternates for code, prefix in
                 (("en-GB", ""), ("id", "id"), ("ar", "ar"))}
        expected = {"en-GB": address, "id": root + "id/" + rel.removesuffix("index.html"),
                    "ar": root + "ar/" + rel.removesuffix("index.html"), "x-default": address}
        for code, alternates in found.items():
            assert alternates == expected, (rel, code)  # each page names all three, itself included


def test_feeds_open_data_and_sitemap_in_every_language(bundled: Path) -> None:
    data = json.loads((bundled / "id/data/events.json").read_text(encoding="utf-8"))
    events = {event["slug"]: event for event in data["events"]}
    assert len(events) == len(json.loads((bundled / "data/events.json").read_text(encoding="utf-8"))["events"])
    moscow = events["2020-08-31-russia-turkey-consultations-moscow"]
    assert moscow["language"] == "id" and moscow["url"] == "https://example.org/id/events/" + moscow["slug"] + "/"
    assert events["2014-08-18-uae-egypt-air-strikes-on-tripoli-militias"]["language"] == "en"
    assert [l["code"] for l in data["languages"]] == ["en", "id", "ar"]
    assert data["site"]["language"] == "id" and data["kinds"]["diplomacy"] == "Diplomasi"
    assert "<title>Keterlibatan asing" in (bundled / "id/feed.xml").read_text(encoding="utf-8")
    assert (bundled / "ar/actors/russia/feed.xml").is_file() and (bundled / "ar/data/index.json").is_file()
    sitemap = (bundled / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/ar/events/2020-08-31-russia-turkey-consultations-moscow/</loc>" in sitemap
    assert 'hreflang="ar" href="https://example.org/ar/about/"' in sitemap


class Interface(HTMLParser):
    """The text of a page outside elements marked with another language (content shown untranslated, names
    and titles of sources), scripts and styles."""

    SKIP = {"script", "style", "cite", "code"}

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language, self.stack, self.text = language, [], []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "link", "br", "img", "input", "path", "rect", "line", "circle", "stop", "use"):
            return
        found = dict(attrs)
        other = tag in self.SKIP or (found.get("lang") not in (None, self.language))
        self.stack.append((tag, other or (self.stack[-1][1] if self.stack else False)))
        for name in ("aria-label", "title", "placeholder"):
            if found.get(name) and not self.stack[-1][1]:
                self.text.append(found[name] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.text.append(data)


def interface_text(path: Path, language: str) -> str:
    parser = Interface(language)
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.text)


def catalog_phrases(language: str) -> list[str]:
    """The English words of the interface that the language's catalog translates otherwise: each message's
    text between its placeholders ("Status" is Indonesian too)."""
    from babel.messages.pofile import read_po

    with (ROOT / f"templates/locales/{language}/LC_MESSAGES/messages.po").open("rb") as file:
        catalog = read_po(file)
    same = {str(m.id) for m in catalog if isinstance(m.id, str) and m.string == m.id}
    phrases = set()
    for message in catalog:
        for text in (message.id if isinstance(message.id, (tuple, list)) else (message.id,)):
            text = str(text)
            for piece in re.split(r"\{\w+\}|%\(\w+\)d", text):
                piece = piece.strip(" ,.:;()“”")
                if len(piece) > 3 and re.search(r"[a-z]{3}", piece) and piece not in same:
                    phrases.add(piece)
    return sorted(phrases)


def content_texts(bundled: Path) -> list[str]:
    """The site's content in its default language (titles, names, places, sources…): shown untranslated,
    or inside the interface's sentences (a chart's "Russia: Talks in Moscow, …"), it is not the interface."""
    data = json.loads((bundled / "data/events.json").read_text(encoding="utf-8"))
    found = set()
    for event in data["events"]:
        found.update([event["title"], event["location"] or "", *event["tags"]])
        for source in event["sources"]:
            found.update([source["title"], source["publisher"], source["url"]])
    for actor in data["actors"].values():
        found.update([actor["name"], *actor["aliases"]])
        for period in actor["involvement"]:
            found.update(s for source in period["sources"] for s in (source["title"], source["publisher"], source["url"]))
    return sorted((text for text in found if text), key=len, reverse=True)


def test_the_map_speaks_each_language(bundled: Path) -> None:
    """Country names from CLDR (the map data's own on the English site), the title and the sea's name per
    language, the places' counts in each language's plural; names anchored left to right on every site."""
    def svg(language: str) -> str:
        found = re.search(r'<svg class="map-svg".*?</svg>', (bundled / language / "index.html").read_text(), re.S)
        assert found, language
        return found[0]

    english, indonesian, arabic = svg(""), svg("id"), svg("ar")
    for text, words in ((english, ["Egypt", "Algeria", "Turkey", "Mediterranean Sea", "Map of Libya"]),
                        (indonesian, ["Mesir", "Aljazair", "Laut Tengah", "Peta Libya"]),
                        (arabic, ["مصر", "الجزائر", "البحر المتوسط", "خريطة ليبيا"])):
        labels = re.findall(r'<text class="(?:country|sea)-label[^>]*>([^<]*)', text)
        assert all(any(word in label for label in labels) for word in words if not word.startswith(("Map", "Peta", "خريطة"))), labels
        assert re.search(r'<title id="map-title">' + words[-1], text)
        assert '<g class="map-labels" aria-hidden="true" direction="ltr">' in text
    def countries(text: str) -> list[str]:
        return re.findall(r'<text class="country-label[^>]*>([^<]*)', text)

    assert "Mesir" not in countries(english) and "Egypt" not in countries(arabic) and " events" not in arabic
    assert re.search(r'aria-label="Tripoli: \d+ events"', english)
    assert re.search(r'aria-label="Tripoli: \d+ peristiwa"', indonesian)
    assert re.search(r'aria-label="طرابلس: \d+ (أحداث|حدثًا|حدث)"', arabic)  # (the gazetteer's Arabic name)


PLACES = """\
places:
  Tripoli: {at: [32.887, 13.191], name: {en: Tripoli, ar: طرابلس}}
  Mitiga airport: Tripoli
  Sirte: [31.209, 16.589]
  Eastern Libya: {at: [31.2, 21.5], radius: 250, name: {en: Eastern Libya, id: Libya Timur, ar: شرق ليبيا}}
"""


def test_places_are_named_in_each_language_where_site_yaml_names_them_and_marked_where_not(site: ScratchSite) -> None:
    multilingual(site)
    site.write("site.yaml", (site.root / "site.yaml").read_text() + PLACES)
    for slug, location in (("a", "Mitiga airport"), ("b", "Sirte"), ("c", "Eastern Libya"), ("d", "Tripoli and Sirte")):
        path = site.event(slug, title=f"At {location}")
        path.write_text(path.read_text().replace("kind: military", f"kind: military\nlocation: {location}"))
    build(BuildOptions(site.root))

    def listed(language: str) -> dict[str, str]:  # the places' list: name -> its link's attributes
        page = site.read(f"{language}places/index.html")
        return {name: attributes for attributes, name in re.findall(r'<li><a href="[^"]*places/[a-z-]+/"([^>]*)>([^<]*)</a> '
                                                                    r'<span class="count">', page)}

    assert listed("") == {"Tripoli": "", "Sirte": "", "Eastern Libya": ""}
    assert listed("ar/") == {"طرابلس": "", "Sirte": ' lang="en-GB" dir="ltr"', "شرق ليبيا": ""}
    assert listed("id/") == {"Tripoli": ' lang="en-GB"', "Sirte": ' lang="en-GB"', "Libya Timur": ""}
    arabic_map = site.read("ar/places/index.html")
    assert re.search(r'<text class="[^"]*"[^>]*>طرابلس</text>', arabic_map) and 'aria-label="طرابلس: ' in arabic_map
    assert re.search(r'<text class="region-label"[^>]*>شرق ليبيا</text>', arabic_map)
    assert "<h1>المكان: طرابلس</h1>" in site.read("ar/places/tripoli/index.html")  # (its address in every language)
    event = site.read("ar/events/d/index.html")  # the location is the event's text; its places are named
    assert '<a href="/ar/places/tripoli/">طرابلس</a>' in event
    assert '<a href="/ar/places/sirte/" lang="en-GB" dir="ltr">Sirte</a>' in event
    assert '<a href="/places/tripoli/">Tripoli</a>' in site.read("events/d/index.html")


def test_a_places_names_are_checked_at_their_lines(site: ScratchSite) -> None:
    multilingual(site)
    path = site.write("site.yaml", (site.root / "site.yaml").read_text() + """\
places:
  Tripoli: {at: [32.887, 13.191], name: {ar: طرابلس}}
  Sirte: {at: [31.209, 16.589], name: {en: Sirte, fr: Syrte}}
  Derna: {at: [32.765, 22.637], name: [Derna]}
""")
    line = path.read_text().splitlines().index("places:") + 1
    found = problems_of(site)
    assert f"site.yaml:{line + 1}: the text in the default language, 'en', is missing" in found
    assert f"site.yaml:{line + 2}: 'fr' is not one of the site's languages (en, id, ar)" in found
    assert f"site.yaml:{line + 3}: 'name' of place 'Derna' must be a text, or a text per language" in found


@pytest.mark.parametrize("language", ["id", "ar"])
def test_no_english_interface_word_on_the_translated_sites(bundled: Path, language: str) -> None:
    phrases = catalog_phrases(language)
    assert len(phrases) > 80
    content = content_texts(bundled)
    shown = {}
    for rel in ("index.html", "events/2020-08-31-russia-turkey-consultations-moscow/index.html",
                "events/2014-08-18-uae-egypt-air-strikes-on-tripoli-militias/index.html", "actors/russia/index.html",
                "actors/index.html", "years/2020/index.html", "places/index.html", "about/index.html", "404.html",
                "kinds/index.html", "tags/index.html", "search/index.html"):
        text = interface_text(bundled / language / rel, language)
        for item in content:
            text = text.replace(item, " ")
        shown[rel] = text
    left = {(rel, phrase) for rel, text in shown.items() for phrase in phrases
            if re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text)}
    assert not left


# -- the cache and the report ---------------------------------------------------------------------
def test_editing_a_translation_rebuilds_only_its_pages(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    site.event("troops", date="2020-02-03")
    path = site.write("content/events/talks.id.md", TRANSLATION.format(title="Perundingan", body="Teks."))
    build(BuildOptions(site.root))
    path.write_text(path.read_text().replace("Perundingan", "Perundingan di Moskow"))
    result = build(BuildOptions(site.root))
    assert "Perundingan di Moskow" in site.read("id/events/talks/index.html")
    assert "id/events/talks/index.html" in result.changed
    assert not [rel for rel in result.changed if rel.startswith(("ar/", "events/"))]


def test_the_previews_rebuilds_reuse_what_did_not_change_in_another_language(site: ScratchSite, tmp_path: Path) -> None:
    """The preview's site in another language keeps the last build's events and lists where neither the
    original nor the translation changed (remaking them took a fifth of a rebuild on 10,000 events), and
    its pages are those of a build from scratch, after an original's edit and after a translation's."""
    from generator.model.site import Site
    from generator.pipeline.build import Builder

    multilingual(site)
    for n in range(4):
        site.event(f"e{n}", title=f"Event {n}", date=f"2020-0{n + 1}-03", actors="russia")
    site.event("other", title="Another", date="2021-01-01", actors="turkey")
    site.write("content/events/e1.id.md", TRANSLATION.format(title="Peristiwa satu", body="Teks."))
    site.write("content/events/other.id.md", TRANSLATION.format(title="Peristiwa lain", body="Teks."))
    builder = Builder(BuildOptions(site.root, trust_output=True))
    builder.run()

    def indonesian() -> Site:
        assert builder.site is not None
        return builder.site.translations["id"]

    def same_as_from_scratch() -> None:
        fresh = tmp_path / f"fresh{len(list(tmp_path.iterdir()))}"
        build(BuildOptions(site.root, output_dir=fresh, use_cache=False))
        for page in sorted(fresh.glob("id/**/*.html")):
            rel = page.relative_to(fresh)
            assert (site.root / "output" / rel).read_bytes() == page.read_bytes(), rel

    before = indonesian()
    site.event("e3", title="Event three, renamed", date="2020-04-03", actors="russia")  # an original
    builder.run(changed={"content/events/e3.md"})
    after = indonesian()
    assert after.event_by_slug["e1"] is before.event_by_slug["e1"]
    assert after.event_by_slug["e3"] is not before.event_by_slug["e3"]
    assert after.by_actor["turkey"] is before.by_actor["turkey"]  # (a list without the edited event)
    assert [e.title for e in after.by_actor["russia"]][-1] == "Event three, renamed"
    same_as_from_scratch()

    before = after
    site.write("content/events/other.id.md", TRANSLATION.format(title="Peristiwa lain, diubah", body="Teks."))
    builder.run(changed={"content/events/other.id.md"})  # a translation: the original's lists are the same
    after = indonesian()
    assert after.event_by_slug["other"] is not before.event_by_slug["other"]
    assert after.event_by_slug["e1"] is before.event_by_slug["e1"]
    assert [e.title for e in after.by_actor["turkey"]] == ["Peristiwa lain, diubah"]
    assert [e.title for e in after.by_year[2021]] == ["Peristiwa lain, diubah"]
    same_as_from_scratch()


def git(folder: Path, *args: str, when: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def test_check_reports_translations_and_those_older_than_their_original(site: ScratchSite) -> None:
    multilingual(site)
    original = site.event("talks", actors="russia", kind="diplomacy")
    site.event("troops", date="2020-02-03")
    site.write("content/events/talks.id.md", TRANSLATION.format(title="Perundingan", body="Teks."))
    site.write("content/events/talks.ar.md", TRANSLATION.format(title="محادثات", body="نص."))
    git(site.root, "init", "-q", when=1_600_000_000)
    git(site.root, "add", "-A", when=1_600_000_000)
    git(site.root, "commit", "-qm", "first", when=1_600_000_000)
    original.write_text(original.read_text().replace("A summary", "A longer summary"))
    git(site.root, "commit", "-qam", "the original changes", when=1_600_000_100)
    (site.root / "content/events/talks.ar.md").rename(site.root / "content/events/moved.ar.md")
    (site.root / "content/events/moved.ar.md").rename(site.root / "content/events/talks.ar.md")
    path = site.root / "content/events/talks.ar.md"
    path.write_text(path.read_text().replace("نص.", "نص أطول."))
    git(site.root, "commit", "-qam", "the Arabic follows", when=1_600_000_200)
    result = site.run("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert "Bahasa Indonesia (id): 1 of 2 events, 0 of 0 pages, 0 of 0 profiles translated" in result.stdout
    assert "1 translation older than the original:" in result.stdout
    assert "content/events/talks.id.md (original changed since: content/events/talks.md)" in result.stdout
    assert "talks.ar.md (original" not in result.stdout  # updated after it
    # outside git: the files' modification times
    subprocess.run(["rm", "-rf", str(site.root / ".git")], check=True)
    os.utime(site.root / "content/events/talks.id.md", (1_700_000_000, 1_700_000_000))
    os.utime(original, (1_600_000_000, 1_600_000_000))
    assert "older than the original" not in site.run("check").stdout.split("العربية")[0]


def test_a_broken_catalog_is_reported_with_its_file(site: ScratchSite) -> None:
    multilingual(site)
    site.event("talks", actors="russia", kind="diplomacy")
    catalog = site.root / "templates/locales/id/LC_MESSAGES/messages.po"
    text = catalog.read_text(encoding="utf-8")
    start = text.index('msgid "Backing the {side}"')
    text = text[:start] + re.sub(r'msgstr ".*"', 'msgstr "Mendukung {sisi}"', text[start:], count=1)
    catalog.write_text(text, encoding="utf-8")
    line = text[:start].count("\n") + 1
    with pytest.raises(SiteError) as error:
        check(BuildOptions(site.root))
    assert [(p.path, p.line, p.message) for p in error.value.problems] == [
        ("templates/locales/id/LC_MESSAGES/messages.po", line,
         "the translation of 'Backing the {side}' uses {sisi}, which the message does not have")]
