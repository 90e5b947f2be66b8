"""The names of the bars on an actor's page: each involvement bar says what it is ("Mercenaries and foreign
fighters, alleged, for the LNA") on the line above it, starting where the bar starts or ending where it ends,
when that fits inside the plot without meeting another name on its row; otherwise the bar gets its number
there, and the renderer lists it under the chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

LABEL_SIZE = 11  # pixels
LABEL_LINE = 14  # the line above each row of bars that holds their names
CHAR_WIDTH = 0.62  # ems: generous, since the build cannot measure text
GAP = 6.0  # between two names on a row


class Bar(Protocol):
    """What a bar's name needs of it (chart.Bar)."""

    @property
    def period(self) -> int: ...
    @property
    def x(self) -> float: ...
    @property
    def right(self) -> float: ...
    @property
    def row(self) -> int: ...


@dataclass(frozen=True)
class BarLabel:
    period: int
    row: int
    x: float
    anchor: str  # start or end
    text: str  # the bar's name, or only its number when the name does not fit
    named: bool


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH * LABEL_SIZE


def bar_labels(bars: Sequence[Bar], names: dict[int, str], width: float) -> list[BarLabel]:
    """A name (or else a number) for every bar. First the bars long enough to carry their names above
    themselves; then the others, longest first: from the bar's start (moved left as far as needed near the
    plot's right edge), else ending at the bar's end."""
    taken: dict[int, list[tuple[float, float]]] = {}
    labels: dict[int, BarLabel] = {}
    ordered = sorted(bars, key=lambda b: (b.x, b.period))
    roomy = [bar for bar in ordered if text_width(names[bar.period]) <= bar.right - bar.x]
    rest = sorted((bar for bar in ordered if bar not in roomy), key=lambda b: b.x - b.right)  # longest first
    for bar in roomy + rest:
        row = taken.setdefault(bar.row, [])
        for text, named in ((names[bar.period], True), (str(bar.period), False)):
            size = text_width(text)
            shifted = min(bar.x, width - size)
            for x, anchor, left, right in ((bar.x, "start", bar.x, bar.x + size),
                                           (shifted, "start", shifted, shifted + size),
                                           (bar.right, "end", bar.right - size, bar.right)):
                if left >= 0 and right <= width and all(right + GAP <= a or b + GAP <= left for a, b in row):
                    row.append((left, right))
                    labels[bar.period] = BarLabel(bar.period, bar.row, x, anchor, text, named)
                    break
            if bar.period in labels:
                break
    return sorted(labels.values(), key=lambda label: label.period)
