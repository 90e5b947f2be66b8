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
    """A name, or else a number, for every bar. First the bars long enough to carry their names above
    themselves; then the others get their numbers, and then, longest first, trade them for their names where
    those fit: from the bar's start (moved left as far as needed near the plot's right edge), else ending at
    the bar's end."""
    rows: dict[int, list[tuple[float, float]]] = {}
    labels: dict[int, tuple[BarLabel, tuple[float, float]]] = {}

    def put(bar: Bar, text: str, named: bool) -> bool:
        row, size = rows.setdefault(bar.row, []), text_width(text)
        shifted = min(bar.x, width - size)
        spots = [(bar.x, "start", bar.x), (shifted, "start", shifted), (bar.right, "end", bar.right - size)]
        if not named:  # a number may also stand a little to either side of a crowded bar
            spots += [(x, "start", x) for k in (1, 2, 3) for x in (bar.x + k * (size + GAP), bar.x - k * (size + GAP))]
        for x, anchor, left in spots:
            right = left + size
            if left >= 0 and right <= width and all(right + GAP <= a or b + GAP <= left for a, b in row):
                row.append((left, right))
                labels[bar.period] = BarLabel(bar.period, bar.row, x, anchor, text, named), (left, right)
                return True
        return False

    ordered = sorted(bars, key=lambda b: (b.x, b.period))
    roomy = [bar for bar in ordered if text_width(names[bar.period]) <= bar.right - bar.x]
    rest = sorted((bar for bar in ordered if bar not in roomy), key=lambda b: b.x - b.right)  # longest first
    for bar in roomy:
        put(bar, names[bar.period], True) or put(bar, str(bar.period), False)
    for bar in rest:
        put(bar, str(bar.period), False)
    for bar in rest:
        if bar.period in labels:
            rows[bar.row].remove(labels[bar.period][1])
            number = labels.pop(bar.period)
            if not put(bar, names[bar.period], True):
                rows[bar.row].append(number[1])
                labels[bar.period] = number
        else:
            put(bar, names[bar.period], True)
    return sorted((label for label, _ in labels.values()), key=lambda label: label.period)
