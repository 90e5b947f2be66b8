"""Detect an article's language with py3langid, whose model ships inside the package (no download)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.model.dates import is_known_language

MIN_PROBABILITY = 0.5  # below this, ask the editor for --language rather than guess
MIN_LETTERS = 20  # fewer letters than this say too little about a language


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # BCP 47 (ISO 639-1 where one exists): 'id', 'ar', 'en'
    probability: float  # 0..1, calibrated across text lengths by py3langid

    @property
    def sure(self) -> bool:
        return self.probability >= MIN_PROBABILITY


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only languages Babel knows, so the answer is always a code the content format accepts
    # (the model also has e.g. 'zxx', no linguistic content, and Arabic dialects without locale data).
    identifier.set_languages([code for code in identifier.labels if is_known_language(code)])
    return identifier


def detect_language(text: str) -> LanguageGuess | None:
    """The most likely language of text and its probability; None when the text has too few letters."""
    if sum(1 for char in text if char.isalpha()) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(text)
    return LanguageGuess(str(code), float(probability))
