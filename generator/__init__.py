"""A static site generator for sourced geopolitical timelines."""

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
