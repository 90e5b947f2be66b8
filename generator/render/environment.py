"""The templates' Jinja2 environment: autoescaped, strict about undefined names, compiled templates cached."""

from __future__ import annotations

from pathlib import Path

import jinja2

from generator.render._jinja_speedups import SpeedyEnvironment


def make_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The templates' environment; compiled templates are kept in bytecode_dir, if given (compiling them
    is a tenth of a second of every build)."""
    cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            cache = None
    return SpeedyEnvironment(
        bytecode_cache=cache,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders with the templates as they were when it started
    )
