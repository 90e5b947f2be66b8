"""A static site generator for sourced geopolitical timelines.

The public API, for scripts and tests (the command line is `python -m generator`, __main__.py):

    from generator import BuildOptions, build, check, SiteError
    result = build(BuildOptions(Path("my-site")))      # -> BuildResult; raises SiteError with .problems
    check(BuildOptions(Path("my-site"), strict=True))  # validates and renders, writes nothing

The packages, in the order they may import one another (tests/test_architecture.py checks it): model,
markup, read, render, output, publish, engine, pipeline, verify, serve; authoring beside them.
"""

from __future__ import annotations

import os
import shlex
import sys

__version__ = "0.1.0"


def command(*args: str) -> str:
    """The command line that runs the generator from the current folder with these arguments: the Python that
    runs it now (.venv/bin/python, as a relative path when it lies inside the current folder: a plain
    'python' would lack the libraries), '-m generator' and the arguments."""
    python = sys.executable or "python3"
    relative = os.path.relpath(python)
    if not relative.startswith(".."):
        python = relative if os.sep in relative else os.path.join(".", relative)
    return shlex.join([python, "-m", "generator", *args])


# (after __version__ and command(), which the modules below use)
from generator.model.errors import Problem, SiteError  # noqa: E402
from generator.pipeline.build import build, check  # noqa: E402
from generator.pipeline.options import BuildOptions, BuildResult  # noqa: E402

__all__ = ["BuildOptions", "BuildResult", "Problem", "SiteError", "build", "check", "command", "__version__"]
