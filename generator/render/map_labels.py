"""Where the map's names go: a greedy, collision-avoiding layout.

Names are placed in order of importance (places with the most events first, then regions, then countries, then
the names site.yaml adds, such as seas). Each tries its candidate positions in turn (beside its circle on the
right, the left, above, below and at the four corners, the left first on a right-to-left page; inside its country near the middle) and takes the first
whose box stays inside the frame and meets no box already taken, nor any circle: a name for which no position
fits is left out, and the renderer says so in its place's title. Text widths are estimated generously from the
number of characters, since the build has no fonts to measure with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Sequence

from generator.read.world import centroid, inside

Box = tuple[float, float, float, float]  # left, top, right, bottom, in map units
XY = tuple[float, float]
EDGE = 3.0  # map units kept free along the frame
GAP = 3.0  # between a circle and its name
# The width of a character, in ems, by kind of name: generous for the widest fonts a reader may have.
# (DejaVu Sans, the widest common one, averages about 0.69 em a letter in bold, 0.8 em in bold capitals.)
CHAR_WIDTH = {"marker-label": 0.72, "region-label": 0.72, "country-label": 0.9,
              "country-label focus": 1.0, "sea-label": 0.64}
ASCENT, DESCENT = 0.82, 0.28  # of the font size, above and below the baseline
STROKE = 3.0  # the halo drawn round marker names (style.css), on each side


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # the baseline
    anchor: str  # start, middle or end
    cls: str
    size: float
    box: Box
    leader: tuple[float, float, float, float] | None = None  # a line from a circle to its name set apart


@dataclass
class LabelLayout:
    """The names of one layout of the map (wide or narrow), and the room they have taken."""

    width: float
    height: float
    taken: list[Box] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # the places whose names were placed (by slug)
    rtl: bool = False  # for a reader from right to left: a name goes first on its circle's left

    def block_circle(self, x: float, y: float, r: float) -> None:
        self.taken.append((x - r, y - r, x + r, y + r))

    def box(self, text: str, cls: str, size: float, x: float, y: float, anchor: str) -> Box:
        width = CHAR_WIDTH.get(cls, CHAR_WIDTH[cls.split()[0]]) * size * len(text) + 2 * STROKE
        left = x - STROKE if anchor == "start" else x - width + STROKE if anchor == "end" else x - width / 2
        return left, y - ASCENT * size - STROKE, left + width, y + DESCENT * size + STROKE

    def fits(self, box: Box) -> bool:
        return (box[0] >= EDGE and box[1] >= EDGE and box[2] <= self.width - EDGE and box[3] <= self.height - EDGE
                and not any(_overlaps(box, other) for other in self.taken))

    def place(self, text: str, cls: str, size: float, candidates: Sequence[tuple[float, float, str]]) -> bool:
        """Take the first candidate (x, baseline y, anchor) that fits; False when none does."""
        for x, y, anchor in candidates:
            box = self.box(text, cls, size, x, y, anchor)
            if self.fits(box):
                self.taken.append(box)
                self.labels.append(Label(text, x, y, anchor, cls, size, box))
                return True
        return False

    def beside(self, text: str, size: float, x: float, y: float, r: float) -> bool:
        """A place's name beside its circle of radius r: right, left, above, below or at a corner, then the same
        a little further out."""
        near, far = ((1, "start"), (-1, "end")) if not self.rtl else ((-1, "end"), (1, "start"))
        candidates = []
        for away in (r + GAP, r + GAP + size * 0.8, r + GAP + size * 1.8):
            middle = y + size * (ASCENT - DESCENT) / 2  # the baseline that centres the text on the circle
            corner = away * 0.75
            candidates += [(x + side * away, middle, anchor) for side, anchor in (near, far)]
            candidates += [(x, y - away - DESCENT * size - STROKE, "middle"),
                           (x, y + away + ASCENT * size + STROKE, "middle")]
            candidates += [(x + side * corner, y - corner, anchor) for side, anchor in (near, far)]
            candidates += [(x + side * corner, y + corner + ASCENT * size, anchor) for side, anchor in (near, far)]
        if not self.place(text, "marker-label", size, candidates):
            return False
        label = self.labels[-1]
        left, top, right, bottom = label.box
        nx, ny = min(max(x, left + STROKE), right - STROKE), min(max(y, top + STROKE), bottom - STROKE)
        distance = math.hypot(nx - x, ny - y)
        if distance > r + GAP + size * 0.5:
            sx, sy = x + (nx - x) * r / distance, y + (ny - y) * r / distance
            self.labels[-1] = replace(label, leader=(sx, sy, nx, ny))
        return True

    def around(self, text: str, cls: str, size: float, x: float, y: float, reach: float) -> bool:
        """A region's or a sea's name at its point, else nudged up to `reach` map units away from it."""
        middle = y + size * (ASCENT - DESCENT) / 2
        steps = [(0.0, 0.0)] + [(dx * reach * f, dy * reach * f) for f in (0.35, 0.7, 1.0)
                                for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0), (0.7, -0.7), (-0.7, -0.7),
                                               (0.7, 0.7), (-0.7, 0.7))]
        return self.place(text, cls, size, [(x + dx, middle + dy, "middle") for dx, dy in steps])

    def within(self, text: str, size: float, parts: Sequence[Sequence[XY]], focus: bool) -> bool:
        """A country's name inside its largest visible part, as near its middle as it fits."""
        if not parts:
            return False
        ring = list(parts[0])
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        cx, cy = centroid(ring)
        candidates = []
        for i in range(9):
            for j in range(9):
                x, y = left + (right - left) * (i + 0.5) / 9, top + (bottom - top) * (j + 0.5) / 9
                candidates.append((abs(x - cx) / (right - left) + abs(y - cy) / (bottom - top), x, y))
        candidates.insert(0, (-1.0, cx, cy))
        cls = "country-label focus" if focus else "country-label"
        ordered = []
        for _, x, y in sorted(candidates):
            baseline = y + size * (ASCENT - DESCENT) / 2
            box = self.box(text, cls, size, x, baseline, "middle")
            ends = [(box[0] + STROKE, y), (box[2] - STROKE, y), (x, y)]
            if all(inside(point, ring) for point in ends):
                ordered.append((x, baseline, "middle"))
        return self.place(text, cls, size, ordered)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
