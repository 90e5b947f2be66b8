"""Find names and keywords in an article as whole words, in any script, and count them per line.

A term is matched as a whole word (Unicode-aware), case-insensitively unless it is written with no
lower-case letters ('UN', 'ЕС', 'KTT') or has three letters or fewer ('Onu', 'Usa'): such a term
in another case is usually another word (French 'un', Italian 'usa'). The text and the terms are
folded alike: 'ё' → 'е'; Latin letters lose their accents, as writers often drop them (Egypte,
Turkiye); in Arabic the hamza forms of alif become 'ا' and 'ى' 'ي', and short vowels and tatweel
are dropped. Arabic writes clitics onto the word, so an Arabic term may carry the prefixes و ف
(and), ب ل ك (in, for, like) and the article ال (ل + ال is written لل). Russian inflects names,
so a Cyrillic word of five letters or more may change its last vowels and take up to three
letters of ending (Россия, России, Россией). A term ending in '*' is a stem: any letters may
follow ('mercenar*').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC_WORD = re.compile(r"^[\u0400-\u04ff]{5,}$")
_CYRILLIC_VOWELS = "аеиоуыэюяйь"
_ARABIC_DROPPED = {ord(c) for c in "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"}
_FOLD = {"ё": "е", "Ё": "Е", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "\u00a0": " "}
_ARABIC_PREFIX = "[وف]?(?:[بكل]?ال|لل|[بكل])?"


@dataclass(frozen=True)
class Mention:
    """Where a term was found: line (from 1) and character span within that line's original text."""

    term: str
    line: int
    start: int
    end: int


def fold(text: str) -> tuple[str, list[int]]:
    """The text folded for matching, and for each folded character its index in the original.

    The text is expected in NFC already (ftfy's repair normalises it), so that indexes stay true.
    """
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if ord(char) in _ARABIC_DROPPED:
            continue
        folded.append(_fold_char(char))
        index.append(position)
    index.append(len(text))
    return "".join(folded), index


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _FOLD:
        return _FOLD[char]
    if char.isascii() or not unicodedata.name(char, "").startswith("LATIN"):
        return char
    return unicodedata.normalize("NFD", char)[0]  # a Latin letter without its accent: Égypte = Egypte


def _word_pattern(word: str, first: bool) -> str:
    stem = word.endswith("*")
    word = word.rstrip("*")
    if _ARABIC.search(word):
        core = re.escape(word)
        if first and word.startswith("ال"):
            core = f"[وف]?(?:[بكل]?ال|لل){re.escape(word[2:])}"
        elif first:
            core = f"{_ARABIC_PREFIX}{core}"
        return core + (r"\w*" if stem else "")
    if not stem and _CYRILLIC_WORD.match(word):
        root = word.rstrip(_CYRILLIC_VOWELS)
        if root != word and len(root) >= 3:
            return re.escape(root) + r"[\u0400-\u04ff]{1,3}"
        return re.escape(word) + r"[\u0400-\u04ff]{0,3}"
    return re.escape(word) + (r"\w*" if stem else "")


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """The compiled whole-word pattern for one name or keyword."""
    folded = fold(unicodedata.normalize("NFC", term.strip()))[0]
    words = folded.split()
    body = r"\s+".join(_word_pattern(word, index == 0) for index, word in enumerate(words))
    letters = [char for char in folded if char.isalpha()]
    flags = re.IGNORECASE if any(char.islower() for char in letters) and len(letters) > 3 else 0
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


def find_terms(lines: list[str], terms: Iterable[str], exclude: Iterable[Mention] = ()) -> list[Mention]:
    """Every mention of any of the terms, in text order; where two overlap the longer one counts.

    Mentions overlapping one in exclude are left out (a keyword inside an actor's name).
    """
    terms = tuple(terms)
    excluded = list(exclude)
    found: list[Mention] = []
    for number, line in enumerate(lines, start=1):
        folded, index = fold(line)
        spans = [Mention(term, number, index[match.start()], index[match.end()])
                 for term in terms for match in term_pattern(term).finditer(folded)]
        kept: list[Mention] = []
        for mention in sorted(spans, key=lambda m: (m.start - m.end, m.start)):
            if not overlaps(mention, kept) and not overlaps(mention, excluded):
                kept.append(mention)
        found.extend(sorted(kept, key=lambda m: m.start))
    return found


def overlaps(mention: Mention, others: Iterable[Mention]) -> bool:
    """Whether the mention shares characters with any of the others."""
    return any(o.line == mention.line and o.start < mention.end and mention.start < o.end for o in others)
