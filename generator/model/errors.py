"""Problems found in the input, and the one exception that carries them to the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from generator.model.pickling import compact


@compact
@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located at a file and line."""

    path: str
    line: int | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        kind = "warning: " if self.warning else ""
        return f"{where}: {kind}{self.message}"


class Problems:
    """Collects every problem of a run so that all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, path: str, line: int | None, message: str) -> None:
        self.items.append(Problem(path, line, message))

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.items.append(Problem(path, line, message, warning=True))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def fatal(self, strict: bool) -> list[Problem]:
        """The problems that stop a build: errors, and warnings too under --strict."""
        return list(self.items) if strict else self.errors

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.path, p.line or 0, p.message))


class SiteError(Exception):
    """Raised when the input has problems that stop the build; the CLI prints them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
