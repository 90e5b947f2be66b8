"""`make translations`: extract the interface's words (templates and the renderer's Python) into
templates/locales/messages.pot, then create or update the catalog of each of site.yaml's languages but the
default (templates/locales/<code>/LC_MESSAGES/messages.po) and report how much of each is translated.

Translators then edit the .po files (any PO editor, e.g. Poedit, or a text editor) and rebuild: the build
compiles the catalogs itself. Usage: python scripts/translations.py [--site DIR] [--check]
(--check: exit 1 if the template or a catalog is out of date, without writing anything).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.model.errors import Problems  # noqa: E402
from generator.read.config import load_config  # noqa: E402
from generator.render.i18n import LOCALES_DIR, catalog_coverage  # noqa: E402

KEYWORDS = ["-k", "_", "-k", "ngettext:1,2", "-k", "plural_texts:3,4"]
SOURCES = ("generator/render", "generator/publish", "templates")  # where the interface's words are


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT)
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    problems = Problems()
    config = load_config(options.site, problems)
    if config is None:
        for problem in problems.items:
            print(problem, file=sys.stderr)
        return 1
    locales = options.site / "templates" / LOCALES_DIR
    template = locales / "messages.pot"
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "messages.pot"
        pybabel("extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
                "--omit-header", "-o", str(fresh), *(str(ROOT / folder) for folder in SOURCES))
        if options.check:
            stale = not template.is_file() or template.read_bytes() != fresh.read_bytes()
            if stale:
                print(f"{template.relative_to(options.site)} is out of date: run `make translations`")
            return 1 if stale else 0
        locales.mkdir(parents=True, exist_ok=True)
        template.write_bytes(fresh.read_bytes())
    for language in config.languages[1:]:
        catalog = locales / language.code / "LC_MESSAGES" / "messages.po"
        if catalog.is_file():
            pybabel("update", "-i", str(template), "-d", str(locales), "-l", language.code, "--no-fuzzy-matching",
                    "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(template), "-d", str(locales), "-l", language.code)
        done, total = catalog_coverage(options.site / "templates", language.code) or (0, 0)
        print(f"{language.code}: {done} of {total} messages translated ({catalog.relative_to(options.site)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
