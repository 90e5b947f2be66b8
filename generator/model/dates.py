"""Partial dates: 2015, 2020-01 or 2020-01-02, whose precision is part of the value."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton
from generator.model.pickling import compact

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

ONGOING = "ongoing"
# The years a date may have: what Python's dates hold, less the last year, whose end the chart cannot reach
# (it draws a date up to the day after it).
MIN_YEAR, MAX_YEAR = 1, 9998


class DateError(ValueError):
    """A value that is not a valid partial date; the message says why."""


@compact
@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    Ordering puts a year-precision date before any month- or day-precision date of the same
    year, and a month-precision date before the days of that month.
    """

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """The value as written: '2015', '2020-01' or '2020-01-02' (also the datetime attribute)."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.iso()

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def fraction_of_year(self) -> float:
        """Where the date starts within its year, from 0.0 to just under 1.0."""
        start = dt.date(self.year, 1, 1)
        days = 366 if calendar.isleap(self.year) else 365
        return (self.first_day() - start).days / days

    def display(self, language: str, approximate: bool = False) -> str:
        """'2015', 'January 2020' or '2 January 2020' in the site's language; 'c.' or 'around' when approximate."""
        text = _display(self, _babel_locale(language))
        if approximate:
            return f"c. {text}" if self.precision == "year" else f"around {text}"
        return text


@lru_cache(maxsize=None)
def partial_date(year: int, month: int = 0, day: int = 0) -> PartialDate:
    """PartialDate(year, month, day), one object per date: how the build cache's events are unpickled
    (10,000 events share a few thousand dates; making each anew was a third of loading them)."""
    return PartialDate(year, month, day)


def _reduce_partial_date(date: PartialDate) -> tuple[Any, tuple[int, int, int]]:
    return partial_date, (date.year, date.month, date.day)


PartialDate.__reduce__ = _reduce_partial_date  # type: ignore[method-assign, assignment]


def display_range(start: PartialDate, end: PartialDate, language: str) -> str:
    """A span as readers write it: '19–20 April 2019', 'April – May 2020', '2014–2016'."""
    locale = _babel_locale(language)
    if start.precision != end.precision or end.last_day() < start.first_day():
        return f"{start.display(language)} – {end.display(language)}"
    if start.precision == "day":
        # CLDR has no interval pattern with full month names; shorten only the common day-first case
        if (start.year, start.month) == (end.year, end.month) and \
                str(locale.date_formats["long"].pattern).startswith("d"):
            return f"{format_skeleton('d', start.first_day(), locale=locale)}–{end.display(language)}"
        return f"{start.display(language)} – {end.display(language)}"
    skeleton = "yMMMM" if start.precision == "month" else "y"
    return format_interval(start.first_day(), end.first_day(), skeleton, locale=locale)


def parse_partial_date(value: object) -> PartialDate:
    """Turn what PyYAML hands over (int, str or date) into a PartialDate, or raise DateError."""
    if isinstance(value, bool):
        raise DateError(f"invalid date {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    if isinstance(value, dt.date):  # (a datetime is one too)
        value = value.isoformat()[:10]
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise DateError(f"invalid date {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    match = _PATTERN.match(text)
    if not match:
        raise DateError(f"invalid date '{text}': expected YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2) or 0)
    day = int(match.group(3) or 0)
    if match.group(2) is not None and not 1 <= month <= 12:
        raise DateError(f"invalid date '{text}': month must be from 1 to 12")
    if match.group(3) is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(f"invalid date '{text}': {calendar.month_name[month]} {year} has {last} days")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"invalid date '{text}': years from {MIN_YEAR:04d} to {MAX_YEAR} are supported")
    return PartialDate(year, month, day)


@lru_cache(maxsize=64)
def _babel_locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


@lru_cache(maxsize=65536)
def _display(date: PartialDate, locale: Locale) -> str:
    if date.precision == "year":
        return format_skeleton("y", date.first_day(), locale=locale)
    if date.precision == "month":
        return format_skeleton("yMMMM", date.first_day(), locale=locale)
    return format_date(date.first_day(), "long", locale=locale)


@lru_cache(maxsize=256)
def language_name(code: str, site_language: str) -> str:
    """The name of a BCP 47 language in the site's language ('id' -> 'Indonesian'), or the code itself."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_babel_locale(site_language))
    except (ValueError, LookupError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


@lru_cache(maxsize=1024)
def is_known_language(code: str) -> bool:
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        return False
    return True
