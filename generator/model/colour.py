"""Colour contrast (WCAG 2): actor colours carry white text in chips and must stand out on the page."""

from __future__ import annotations

WHITE = "#ffffff"
MIN_TEXT_CONTRAST = 4.5  # WCAG AA for normal text; graphics need 3:1, so this covers the chart too


def luminance(colour: str) -> float:
    """The relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)
