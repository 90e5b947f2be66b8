"""The fingerprint every cache entry depends on besides its own inputs: the generator's files, the libraries'
versions, Python's and the Markdown setup. A build cache (and the compiled templates) under another
fingerprint is never used."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from generator import __version__
from generator.model.digest import digest

LIBRARIES = {"markdown": "markdown", "jinja2": "jinja2", "markupsafe": "markupsafe", "nh3": "nh3", "babel": "babel",
             "yaml": "pyyaml"}


def fingerprint(markdown_config: str, package: Path | None = None) -> str:
    """What every cache entry depends on besides its own inputs: every file of the generator's package (its
    modules, subpackages included, and its data), the versions of Python and of the LIBRARIES, and the Markdown
    setup. The compiled templates are kept under it too (build.py)."""
    files = _files_digest(package) if package is not None else _running_files_digest()
    return digest(__version__, sys.version, markdown_config, *library_versions(), files)


@functools.cache
def _running_files_digest() -> str:
    """The digest of the running generator's files, once a process: its cache entries are made by the code
    it loaded when it started, whatever the files say later (15 ms a builder; the tests make hundreds)."""
    return _files_digest(Path(__file__).parent.parent)


def _files_digest(package: Path) -> str:
    files = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            data = path.read_bytes()
            files.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
            files.update(data)
    return files.hexdigest()


def library_versions() -> list[str]:
    """'name-version' of each of the LIBRARIES, from the name of its installed distribution's metadata folder
    (importlib.metadata would take 80 ms to import and ask): its version is in it."""
    found = []
    listings: dict[str, list[str]] = {}
    for module, distribution in LIBRARIES.items():
        spec = importlib.util.find_spec(module)
        folder = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else ""
        if folder not in listings:
            try:
                listings[folder] = os.listdir(folder) if folder else []
            except OSError:
                listings[folder] = []
        names = [name[:-len(".dist-info")] for name in listings[folder] if name.endswith(".dist-info") and
                 name.lower().replace("_", "-").startswith(distribution + "-")]
        found.append(f"{module}: {' '.join(sorted(names)) or 'unknown version'} in {folder}")
    return found
