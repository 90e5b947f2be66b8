"""`import`: a raw news article, in any language, becomes a draft event with its evidence in comments."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SITE_YAML
from generator.authoring.article import decode, read_article
from generator.read.config import load_config
from generator.authoring.date_mentions import DateMention
from generator.model.dates import PartialDate
from generator.model.errors import Problems
from generator.authoring.draft import PLACEHOLDER
from generator.authoring.importer import propose_date
from generator.authoring.mentions import find_terms

FIXTURES = ROOT / "tests" / "fixtures" / "import"
# The raw Indonesian article from ../shared/samples/ (copied byte for byte, mojibake included, so that the
# suite runs in any clone).
SAMPLE = ROOT / "tests" / "fixtures" / "import" / "viva-russia-turkey-libya-ceasefire.id.txt"

# The scratch site of conftest.py, with the names of its actors in the fixtures' languages.
MULTILINGUAL_SITE_YAML = (
    SITE_YAML
    .replace("aliases: [Rusia, Россия]", "aliases: [Rusia, Russie, Россия, روسيا]")
    .replace('    colour: "#1f4e9c"\n', '    colour: "#1f4e9c"\n    aliases: [Turquie, تركيا]\n')
    .replace('    colour: "#2f5d62"\n', '    colour: "#2f5d62"\n    aliases: [UN, ONU, Nations unies, الأمم المتحدة]\n')
)


def front_matter(path: Path) -> tuple[dict, str, str]:
    """The parsed front matter, its raw text (with comments) and the body of an event file."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), front, body


def written(site, result) -> Path:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    files = list((site.root / "content" / "events").rglob("*.md"))
    assert len(files) == 1, files
    assert f"Wrote {files[0]} (draft: true)" in result.stdout
    return files[0]


@pytest.fixture
def real_site(site):
    """The scratch site, but with the project's own site.yaml (all actors and their aliases)."""
    shutil.copy(ROOT / "site.yaml", site.root / "site.yaml")
    return site


@pytest.fixture
def multilingual_site(site):
    site.write("site.yaml", MULTILINGUAL_SITE_YAML)
    return site


def test_the_sample_article_becomes_a_draft_that_passes_check_once_summarised(real_site):
    result = real_site.cli("import", str(SAMPLE), "--url", "https://www.viva.co.id/militer/rusia-turki-libya")
    path = written(real_site, result)
    front, raw_front, body = front_matter(path)

    assert path.parent == real_site.root / "content/events/2020"
    assert path.name.startswith("2020-08-18-")
    assert front["draft"] is True
    assert front["date"] == "2020-08-18"
    assert {"russia", "turkey"} <= set(front["actors"])
    assert "syria" not in front["actors"]  # named once: in the comment only
    assert front["kind"] == "diplomacy"
    source = front["sources"][0]
    assert source["language"] == "id"
    assert source["title"] == "Rusia dan Turki Akhirnya Sepakat Gencatan Senjata di Libya"
    assert source["date"] == "n.d." and source["url"].startswith("https://www.viva.co.id/")
    assert '2020-08-18 "18 Agustus 2020"' in raw_front  # the evidence, as a YAML comment
    assert 'syria "Suriah"' in raw_front
    assert re.search(r"^  language +id — py3langid; sure: 0\.\d\d$", result.stdout, re.M)
    for text in (path.read_text(encoding="utf-8"), result.stdout, result.stderr):
        assert "Â" not in text
    assert body == PLACEHOLDER  # nothing of the article is in the body

    path.write_text(path.read_text(encoding="utf-8").replace(PLACEHOLDER, "Russia and Turkey agreed a ceasefire.\n"),
                    encoding="utf-8")
    check = real_site.cli("check", "--strict", "--drafts")
    assert check.returncode == 0, check.stderr


def test_the_evidence_never_reaches_a_built_page(real_site):
    path = written(real_site, real_site.cli("import", str(SAMPLE), "--url", "https://www.viva.co.id/x"))
    path.write_text(path.read_text(encoding="utf-8").replace(PLACEHOLDER, "A summary written by the editor.\n"),
                    encoding="utf-8")
    build = real_site.cli("build", "--drafts")
    assert build.returncode == 0, build.stderr
    # the draft's own pages, in every language (the site's Indonesian pages may use the same words: the
    # bundled site translates the event this article reports)
    slug = path.stem
    files = sorted((real_site.root / "output").rglob(f"events/{slug}/index.html"))
    assert len(files) == 3  # English, Indonesian and Arabic
    assert all("A summary written by the editor." in p.read_text(encoding="utf-8") for p in files)
    # (the Indonesian page shows its own date in Indonesian, and its neighbours' Indonesian titles)
    page = (real_site.root / "output" / "events" / slug / "index.html").read_text(encoding="utf-8")
    assert "Kementerian Luar Negeri" not in page and "18 Agustus 2020" not in page


def test_an_html_page_gives_its_title_site_name_date_address_and_main_text(multilingual_site):
    page = FIXTURES / "turkey-drones-report.html"
    result = multilingual_site.cli("import", str(page))
    front, raw_front, _ = front_matter(written(multilingual_site, result))
    source = front["sources"][0]
    assert source == {"url": "https://www.mediterranean-monitor.example/2020/05/turkish-drones-tripoli",
                      "title": "Turkish drones reach Tripoli as GNA pushes back Haftar's forces",
                      "publisher": "Mediterranean Monitor", "date": "2020-05-21", "language": "en"}
    assert front["date"] == "2020-05-18"  # the latest day mentioned, not after publication
    assert {"turkey", "un"} <= set(front["actors"])
    assert "publisher  Mediterranean Monitor — the page's site name; sure: high" in result.stdout
    for boilerplate in ("newsletter", "cookies", "Most read", "Oil prices", "All rights reserved", "Privacy"):
        assert boilerplate not in raw_front

    article = read_article(str(page))
    assert article.html and article.published is not None and article.published.iso() == "2020-05-21"
    assert "lost the al-Watiya air base south-west of the capital" in " ".join(article.text.split())
    for boilerplate in ("Subscribe to our newsletter", "Accept all cookies", "Most read", "Oil prices slide",
                        "All rights reserved", "Privacy policy"):
        assert boilerplate not in article.text


def test_an_html_page_in_its_declared_code_page_is_decoded_and_its_year_not_taken_for_a_date(multilingual_site,
                                                                                             tmp_path):
    page = tmp_path / "page.html"
    text = (FIXTURES / "arabic-moscow-talks.txt").read_text(encoding="utf-8").split("\n\n")
    page.write_bytes((
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        f"<title>{text[0]}</title></head><body><nav><a href='/'>الرئيسية</a></nav><article>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in text[1:]) + "</article></body></html>").encode("cp1256"))
    result = multilingual_site.cli("import", str(page))
    front, _, _ = front_matter(written(multilingual_site, result))
    assert front["sources"][0]["title"] == text[0] and front["sources"][0]["language"] == "ar"
    assert "HTML page, cp1256" in result.stdout
    # The page shows no publication date: '2020' in the text is not one (htmldate's extensive search
    # would take it for 1 January 2020 and so rule out the day the text names).
    assert front["sources"][0]["date"] == "n.d." and front["date"] == "2020-01-13"
    assert {"turkey", "un"} <= set(front["actors"])


@pytest.mark.parametrize("fixture, language, date, actors, kind", [
    ("english-wagner-report.txt", "en", "2020-07-09", {"russia", "turkey", "un"}, None),
    ("french-ceasefire-call.txt", "fr", "2020-01-08", {"russia", "turkey", "un"}, "diplomacy"),
    ("arabic-moscow-talks.txt", "ar", "2020-01-13", {"russia", "turkey", "un"}, "diplomacy"),
])
def test_text_in_each_language_gives_its_language_actors_date_and_kind(multilingual_site, fixture, language,
                                                                        date, actors, kind):
    result = multilingual_site.cli("import", str(FIXTURES / fixture))
    front, raw_front, _ = front_matter(written(multilingual_site, result))
    assert front["sources"][0]["language"] == language
    assert set(front["actors"]) == actors
    assert front["date"] == date
    assert front["kind"] == kind
    if kind is None:  # unclear (the scratch site has no 'mercenaries' kind): left to the editor
        assert "Choices: military, diplomacy." in raw_front


def test_the_project_site_yaml_names_the_actors_in_each_language(real_site):
    for fixture in ("english-wagner-report.txt", "french-ceasefire-call.txt", "arabic-moscow-talks.txt"):
        result = real_site.cli("import", str(FIXTURES / fixture))
        front, _, _ = front_matter(written(real_site, result))
        assert {"russia", "turkey"} <= set(front["actors"]), fixture
        shutil.rmtree(real_site.root / "content")


def test_the_proposed_date_is_the_most_precise_within_the_period_and_not_after_publication(site):
    config = load_config(site.root, Problems())
    mentions = [DateMention(PartialDate(2011, 2, 17), "17 February 2011", (1,)),  # before the site's period
                DateMention(PartialDate(2019, 12), "December 2019", (2,)),
                DateMention(PartialDate(2020, 1), "January 2020", (2,)),
                DateMention(PartialDate(2020), "2020", (4,)),  # ends later, but less precise
                DateMention(PartialDate(2020, 3, 1), "1 March 2020", (3,))]  # after publication
    assert propose_date(mentions, PartialDate(2020, 2, 15), config).text == "January 2020"
    assert propose_date(mentions, None, config).text == "1 March 2020"
    assert propose_date(mentions[:1], PartialDate(2020, 2, 15), config).text == "17 February 2011"
    assert propose_date([], None, config) is None


def test_options_override_what_is_detected(multilingual_site):
    result = multilingual_site.cli(
        "import", str(FIXTURES / "french-ceasefire-call.txt"), "--url", "https://example.org/libye",
        "--publisher", "Le Quotidien", "--language", "fr-FR", "--date", "2020-01", "--published", "2020-01-09",
        "--title", "Russia and Turkey call for a ceasefire", "--actor", "turkey", "--kind", "military")
    path = written(multilingual_site, result)
    front, _, _ = front_matter(path)
    assert path.name == "2020-01-russia-and-turkey-call-for-a-ceasefire.md"
    assert front["title"] == "Russia and Turkey call for a ceasefire"
    assert front["date"] == "2020-01" and front["actors"] == ["turkey"] and front["kind"] == "military"
    assert front["sources"][0] == {"url": "https://example.org/libye",
                                   "title": "Libye : la Russie et la Turquie appellent à un cessez-le-feu",
                                   "publisher": "Le Quotidien", "date": "2020-01-09", "language": "fr-FR"}
    assert "given with --publisher" in result.stdout


def test_standard_input_is_read_with_a_dash(multilingual_site):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "import", "-", "--site", str(multilingual_site.root)],
        input=(FIXTURES / "english-wagner-report.txt").read_bytes(), capture_output=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    files = list((multilingual_site.root / "content/events/2020").glob("*.md"))
    assert [f.name for f in files] == ["2020-07-09-russia-and-turkey-trade-accusations-over-wagner-mercenaries.md"]
    assert "Draft imported from stdin" in files[0].read_text(encoding="utf-8")


def test_latin1_text_is_decoded_correctly(multilingual_site, tmp_path):
    article = tmp_path / "libye.txt"
    article.write_bytes((FIXTURES / "french-ceasefire-call.txt").read_text(encoding="utf-8").encode("latin-1"))
    result = multilingual_site.cli("import", str(article))
    front, _, _ = front_matter(written(multilingual_site, result))
    assert front["sources"][0]["title"] == "Libye : la Russie et la Turquie appellent à un cessez-le-feu"
    assert front["sources"][0]["language"] == "fr"
    assert "(detected)" in result.stdout


def test_short_latin1_text_is_read_as_windows_1252_not_another_code_page():
    # For so little text charset-normalizer finds Central European cp1250 as likely as cp1252
    # ('à' would become 'ŕ'); browsers read an undeclared Western page as windows-1252.
    text = "Libye : la Russie et la Turquie appellent à une trêve à Moscou\nLe président turc a appelé à un " \
           "cessez-le-feu. La Turquie soutient le gouvernement d'entente nationale.\n"
    assert decode(text.encode("latin-1"), "libye.txt") == (text, "cp1252")


def test_mojibake_is_repaired_and_stray_a_circumflex_removed():
    text = read_article(str(SAMPLE)).text
    assert "Â" not in text
    assert "oleh Putin.\n" in text  # the line ended in a stray 'Â'
    assert read_article(str(SAMPLE)).repaired_lines == 2


def test_a_quoted_line_cannot_break_out_of_its_yaml_comment():
    from generator.authoring.draft import _comment

    quoted = "Rusia\u2028kind: military\x85actors: [x]\ufeff\x07 " + "kata " * 40
    lines = _comment(f"line 3: «{quoted}»")
    assert all(line.startswith("# ") for line in lines) and len(lines) > 1
    assert yaml.safe_load("\n".join(lines) + "\ntitle: x\n") == {"title": "x"}


def failure(site, *args: str) -> str:
    result = site.cli("import", *args)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert not (site.root / "content").exists()
    return result.stderr


def test_empty_binary_and_unreadable_inputs_are_clear_errors(site, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b" \n\n")
    assert failure(site, str(empty)).splitlines() == [f"{empty}: empty input: there is no text to import",
                                                      "Import failed: 1 error, 0 warnings."]
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    assert failure(site, str(binary)).startswith(f"{binary}: binary file: expected plain text or an HTML page\n")
    navigation_only = tmp_path / "page.html"
    navigation_only.write_text("<html><head><title>News</title></head><body><nav><a href='/'>Home</a></nav>"
                               "</body></html>", encoding="utf-8")
    assert failure(site, str(navigation_only)).startswith(f"{navigation_only}: no article text found in the HTML page")
    missing = tmp_path / "missing.txt"
    assert failure(site, str(missing)).startswith(f"{missing}: cannot read the file: No such file or directory\n")


def test_a_language_that_cannot_be_detected_asks_for_language(site, tmp_path):
    article = tmp_path / "numbers.txt"
    article.write_text("Haftar GNA LNA Tripoli Sirte\n2020 2021\n", encoding="utf-8")
    assert "cannot detect the language" in failure(site, str(article))
    assert "give it with --language" in failure(site, str(article))
    result = site.cli("import", str(article), "--language", "en", "--date", "2020-01-02")
    front, _, _ = front_matter(written(site, result))
    assert front["sources"][0]["language"] == "en" and front["actors"] == [] and front["kind"] is None


def test_a_text_without_any_date_asks_for_date(site, tmp_path):
    article = tmp_path / "undated.txt"
    article.write_text("Russia and Turkey resume talks\n\nDiplomats from Russia and Turkey met again to discuss "
                       "the ceasefire in Libya, officials said.\n", encoding="utf-8")
    assert failure(site, str(article)).startswith(
        f"{article}: no date found in the text or the page: give the event's date with --date\n")


def test_an_existing_file_is_never_overwritten(multilingual_site):
    article = str(FIXTURES / "french-ceasefire-call.txt")
    path = written(multilingual_site, multilingual_site.cli("import", article))
    path.write_text(path.read_text(encoding="utf-8").replace(PLACEHOLDER, "The editor's work.\n"), encoding="utf-8")
    again = multilingual_site.cli("import", article)
    assert again.returncode == 1
    assert again.stderr == f"{path}: already exists; not overwritten (give another --slug or --date)\n"
    assert "The editor's work." in path.read_text(encoding="utf-8")


def test_usage_errors_exit_2(site):
    article = str(FIXTURES / "french-ceasefire-call.txt")
    for args, message in ((("--date", "2020-13"), "month must be from 1 to 12"),
                          (("--actor", "russsia"), "unknown actor 'russsia' (did you mean 'russia'?)"),
                          (("--kind", "militry"), "unknown kind 'militry' (did you mean 'military'?)"),
                          (("--language", "xx"), "unknown language code 'xx'"),
                          (("--url", "ftp://example.org/a"), "must be an http:// or https:// address"),
                          (("--slug", "Not A Slug"), "use lower-case letters, digits and hyphens")):
        result = site.cli("import", article, *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert not (site.root / "content").exists()


@pytest.mark.parametrize("line, term, found", [
    ("وأعلنت روسيا وتركيا", "تركيا", ["وتركيا"]),  # the conjunction و written onto the name
    ("للإمارات العربية المتحدة", "الإمارات العربية المتحدة", ["للإمارات العربية المتحدة"]),  # ل + ال → لل
    ("بالمرتزقة", "مرتزقة", ["بالمرتزقة"]),
    ("روسيات", "روسيا", []),  # whole words only
    ("Россия и России, Россией; Российский", "Россия", ["Россия", "России", "Россией"]),
    ("Rusya'nın ve Rusya", "Rusya", ["Rusya", "Rusya"]),
    ("un accord de l'ONU et de l'UN", "UN", ["UN"]),  # acronyms keep their case
    ("Gli Usa ne usa", "Usa", ["Usa"]),  # ... and so do names of three letters or fewer
    ("L'Egypte, l'Égypte", "Égypte", ["Egypte", "Égypte"]),  # accents are often dropped
    ("Turkiye and Turki", "Turki", ["Turki"]),
    ("TURKI dan turki", "Turki", ["TURKI", "turki"]),
    ("Tentara\u00a0Nasional Libya", "Tentara Nasional Libya", ["Tentara\u00a0Nasional Libya"]),
])
def test_names_are_found_as_whole_words_in_any_script(line, term, found):
    assert [line[m.start:m.end] for m in find_terms([line], [term])] == found


def test_a_keyword_inside_an_actors_name_does_not_count():
    line = "Pemerintah Kesepakatan Nasional menolak kesepakatan itu"
    actor = find_terms([line], ["Pemerintah Kesepakatan Nasional"])
    assert [line[m.start:m.end] for m in find_terms([line], ["kesepakatan"], actor)] == ["kesepakatan"]
