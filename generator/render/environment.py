"""The templates' Jinja2 environments, one per language: autoescaped, strict about undefined names, with
the interface's words translated (i18n.py), compiled templates cached."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import jinja2
from babel.support import NullTranslations

from generator.model.types import SiteConfig
from generator.render._jinja_speedups import SharedCompiledTemplates, SpeedyEnvironment
from generator.render.i18n import ConstantGettext, catalog_path, load_translations


def make_environment(templates_dir: Path, bytecode_dir: Path | None = None,
                     translations: NullTranslations | None = None) -> jinja2.Environment:
    """The templates' environment in one language (the templates' own without translations); compiled
    templates are kept in bytecode_dir, if given (compiling them is a tenth of a second of every build)."""
    disk = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            disk = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            disk = None
    translations = translations or NullTranslations()
    words = None if type(translations) is NullTranslations else translations  # (i18n keeps one per catalog)
    environment = SpeedyEnvironment(
        bytecode_cache=SharedCompiledTemplates(words, disk),
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders with the templates as they were when it started
        extensions=["jinja2.ext.i18n", ConstantGettext],
    )
    environment.constant_translations = translations  # type: ignore[attr-defined]
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return environment


def language_environments(templates_dir: Path, config: SiteConfig,
                          bytecode_dir: Path | None = None) -> dict[str, jinja2.Environment]:
    """An environment for each of the site's languages, by code (each compiles its own templates: the
    translated words are in them). Raises i18n.CatalogError for a catalog that cannot be read."""
    languages = config.languages or ()
    return {language.code: make_environment(
        templates_dir, _compiled_in(bytecode_dir, templates_dir, language.code) if bytecode_dir and n else bytecode_dir,
        load_translations(templates_dir, language.code, language.locale, default=n == 0))
        for n, language in enumerate(languages)}


def _compiled_in(bytecode_dir: Path, templates_dir: Path, code: str) -> Path:
    """Where a language's compiled templates are kept: a folder named for its catalog's contents, since the
    translations are in the compiled code (Jinja2 checks only the templates' sources); the folders of its
    earlier catalogs are removed."""
    try:
        catalog = hashlib.sha256(catalog_path(templates_dir, code).read_bytes()).hexdigest()[:16]
    except OSError:
        catalog = "none"
    folder = bytecode_dir / f"{code}-{catalog}"
    if not folder.is_dir() and bytecode_dir.is_dir():
        for old in bytecode_dir.glob(f"{code}-*"):
            shutil.rmtree(old, ignore_errors=True)
    return folder
