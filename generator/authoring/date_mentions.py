"""Find the dates an article mentions, in its own language, with dateparser.

search_dates finds candidates ('18 Agustus 2020', 'Januari 2020', '2015'); each is then parsed on
its own to learn its precision (day, month or year), since search_dates fills missing parts in
from the previous date it saw. Only mentions that name a year are kept: relative ones ('kemarin',
'last week') and year-less ones ('18 Agustus') would be resolved against today, not the article.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.model.dates import PartialDate

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|2100)(?!\d)")
_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}


@dataclass(frozen=True)
class DateMention:
    date: PartialDate
    text: str  # as written in the article
    lines: tuple[int, ...]  # where it was found, from 1


@lru_cache(maxsize=32)
def _parser(language: str | None) -> Any:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped, unused-ignore]

    return DateDataParser(languages=[language] if language else None, settings=_SETTINGS)


def supports(language: str) -> bool:
    """Whether dateparser has locale data for the language."""
    try:
        _parser(language.split("-")[0].lower())
    except ValueError:
        return False
    return True


def find_dates(text: str, language: str) -> list[DateMention]:
    """The dates text mentions, in order of first appearance; restricted to language when dateparser knows it."""
    from dateparser.search import search_dates  # type: ignore[import-untyped, unused-ignore]

    code = language.split("-")[0].lower()
    restrict = [code] if supports(code) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about pytz and regex internals
        found = search_dates(text, languages=restrict, settings=_SETTINGS) or []
        lines = text.split("\n")
        mentions: dict[str, DateMention] = {}
        for candidate, _ in found:
            parsed = _parse(candidate.strip(" ,.;:()[]"), restrict[0] if restrict else None)
            if parsed is None or parsed[1] in mentions:
                continue
            date, written = parsed
            where = tuple(number for number, line in enumerate(lines, start=1) if written in line)
            if where:
                mentions[written] = DateMention(date, written, where)
    return list(mentions.values())


def _parse(candidate: str, language: str | None) -> tuple[PartialDate, str] | None:
    """The date a candidate names, and the words naming it; search_dates sometimes takes in a few
    words after the year ('in January 2020, after the'), so the candidate is cut after its last year too."""
    years = list(_YEAR.finditer(candidate))
    if not years:
        return None
    for written in dict.fromkeys((candidate, candidate[:years[-1].end()])):
        data = _parser(language).get_date_data(written)
        value = data.date_obj
        if value is None or str(value.year) not in [year.group() for year in years]:
            continue
        if data.period == "year":
            return PartialDate(value.year), written
        if data.period == "month":
            return PartialDate(value.year, value.month), written
        return PartialDate(value.year, value.month, value.day), written
    return None
