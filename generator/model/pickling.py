"""Fast pickling for the model's dataclasses: stored as a constructor call with positional fields.

Unpickling a plain dataclass rebuilds it through object.__new__ and a state dictionary, ten times
slower than calling the class; the build cache holds tens of thousands of these objects.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def compact(cls: type[T]) -> type[T]:
    """Class decorator (apply above @dataclass): pickle instances as cls(*fields)."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
