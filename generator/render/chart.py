"""The involvement chart: one lane per actor, a bar per involvement period, a tick per event.

The geometry (a Scale from dates to x, and Lanes of Bars and Ticks) is computed once per build and
is what the tests check; `ChartRenderer` turns it into inline SVG inside an HTML grid whose lane
labels stay visible while the plot scrolls sideways on a phone. Dates are drawn only as precisely as
they are known: a period that starts (or ends) in a month or a year fades in (or out) across that
month or year instead of pretending to an exact day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Sequence

from markupsafe import Markup, escape

from generator.model.digest import digest_many
from generator.model.dates import PartialDate
from generator.model.types import Actor, Event, Involvement, SiteConfig
from generator.render.chart_texts import Texts, part_status
from generator.render.chart_labels import LABEL_LINE, LABEL_SIZE, BarLabel, bar_labels
from generator.render.chart_svg import BAR_HEIGHT, fade_mask, legend
from generator.render.chart_svg import fmt as _fmt

PLOT_WIDTH = 740  # pixels; the plot scrolls inside its box when the screen is narrower
ARROW = 10  # room past the right edge for the arrow of an ongoing period
BAR_GAP = 3
TICK_HEIGHT = 9
LANE_PAD = 4
AXIS_HEIGHT = 34
TICK_BIN = 5.0  # events closer than this (pixels) on one lane share a tick
MIN_BAR = 3.0


@dataclass(frozen=True)
class Scale:
    """Maps days of the site's period onto 0..width."""

    start: dt.date  # the first day of the period
    end: dt.date  # the day after the period's last day
    width: float = PLOT_WIDTH
    _spans: dict[PartialDate, tuple[float, float]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, config: SiteConfig, width: float = PLOT_WIDTH) -> Scale:
        return cls(config.period_start.first_day(), config.period_end.last_day() + dt.timedelta(days=1), width)

    def x(self, day: dt.date) -> float:
        """The x of the start of a day, clamped to the plot."""
        total = (self.end - self.start).days
        return min(self.width, max(0.0, (day - self.start).days / total * self.width))

    def span(self, date: PartialDate) -> tuple[float, float]:
        """From the first to the end of the last day a partial date may mean."""
        span = self._spans.get(date)
        if span is None:
            span = self._spans[date] = (self.x(date.first_day()), self.x(date.last_day() + dt.timedelta(days=1)))
        return span

    def years(self) -> list[tuple[int, float, float]]:
        """The year bands: (year, x0, x1)."""
        return [(year, self.x(dt.date(year, 1, 1)), self.x(dt.date(year + 1, 1, 1)))
                for year in range(self.start.year, (self.end - dt.timedelta(days=1)).year + 1)]


@dataclass(frozen=True)
class Bar:
    """One involvement period on its actor's lane."""

    period: int  # its position in the actor's involvement list (1-based, as on the actor page)
    x: float
    width: float
    fade_in: float  # the width over which an imprecise start fades in (0 for a known day)
    fade_out: float
    ongoing: bool
    status: str
    label: str
    row: int = 0

    @property
    def right(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Tick:
    """One event, or several that fall within a few pixels of each other, on an actor's lane."""

    x: float
    href: str
    label: str
    count: int
    status: str  # the actor's status in the events when they share one, else "mixed"
    acts: bool = True  # False: events where the actor only enforced, mediated, hosted, was targeted…


@dataclass(frozen=True)
class Milestone:
    x: float
    href: str
    label: str
    event: str = ""  # the fingerprint of its event


@dataclass
class Lane:
    actor: Actor
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return max((bar.row for bar in self.bars), default=-1) + 1

    @property
    def height(self) -> int:
        return self.height_of(False)

    def height_of(self, labelled: bool) -> int:
        """Its height; with a line above each row of bars for their names (actor pages)."""
        return LANE_PAD * 2 + max(1, self.rows) * row_height(labelled) + TICK_HEIGHT


def row_height(labelled: bool) -> int:
    return BAR_HEIGHT + BAR_GAP + (LABEL_LINE if labelled else 0)


@dataclass
class ChartMemo:
    """What a chart made that the next build of the same layout may reuse (see render/reuse.py)."""

    scale: Scale | None = None
    milestones: dict[str, Milestone] = field(default_factory=dict)  # by their event's fingerprint
    lanes: dict[str, Lane] = field(default_factory=dict)  # by lane key (the actor and a digest of its events)
    svgs: dict[str, str] = field(default_factory=dict)  # by lane key and milestones; kept in the build cache too


def event_x(scale: Scale, event: Event) -> float:
    """Where an event's tick goes: the middle of the day, month or year its date names."""
    left, right = scale.span(event.date)
    return (left + right) / 2


def period_bar(scale: Scale, period: Involvement, number: int, label: str) -> Bar:
    """The bar of one involvement period, with graded edges where its dates are imprecise."""
    left, first_end = scale.span(period.start)
    fade_in = 0.0 if period.start.precision == "day" else first_end - left
    if period.start.first_day() < scale.start:
        fade_in = 0.0
    ongoing = not isinstance(period.end, PartialDate)
    if isinstance(period.end, PartialDate):
        last_start, right = scale.span(period.end)
        fade_out = 0.0 if period.end.precision == "day" else right - last_start
    else:
        right, fade_out = scale.width, 0.0
    width = max(MIN_BAR, right - left)
    if fade_in + fade_out > width:  # a period within one month or year: fade in and out about its middle
        fade_in = fade_in / (fade_in + fade_out) * width if fade_in else 0.0
        fade_out = width - fade_in if fade_out else 0.0
    return Bar(number, left, width, fade_in, fade_out, ongoing, period.status, label)


def stack(bars: Sequence[Bar]) -> list[Bar]:
    """Give overlapping bars their own rows (first fit, in order of start)."""
    rows: list[float] = []  # the right edge of the last bar in each row
    placed = []
    for bar in sorted(bars, key=lambda b: (b.x, b.period)):
        row = next((i for i, right in enumerate(rows) if right + 2 <= bar.x), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = bar.right + (ARROW if bar.ongoing else 0)
        placed.append(Bar(bar.period, bar.x, bar.width, bar.fade_in, bar.fade_out, bar.ongoing, bar.status,
                          bar.label, row))
    return sorted(placed, key=lambda b: b.period)


def build_lane(scale: Scale, actor: Actor, events: Sequence[Event], texts: Texts,
               others: Sequence[Event] = ()) -> Lane:
    """An actor's lane: its involvement periods stacked into rows, the events it acted in binned into ticks,
    and those where it had another part (enforcer, mediator, target…) binned into marks of their own."""
    bars = [period_bar(scale, period, number, texts.period(actor, period))
            for number, period in enumerate(actor.involvement, start=1)]
    lane = Lane(actor, stack(bars))
    for listed, acts in ((events, True), (others, False)):
        group: list[tuple[float, Event]] = []
        for event in listed:
            x = event_x(scale, event)
            if group and x - group[0][0] >= TICK_BIN:
                lane.ticks.append(_tick(group, actor, texts, acts))
                group = []
            group.append((x, event))
        if group:
            lane.ticks.append(_tick(group, actor, texts, acts))
    return lane


def _tick(group: list[tuple[float, Event]], actor: Actor, texts: Texts, acts: bool = True) -> Tick:
    x = sum(x for x, _ in group) / len(group)
    statuses = {part_status(event, actor.id) for _, event in group}
    status = statuses.pop() if len(statuses) == 1 else "mixed"
    first, last = group[0][1], group[-1][1]
    if len(group) == 1:
        role = "" if acts else f" ({texts.role(first, actor.id)})"
        return Tick(x, texts.event_url(first), f"{actor.name}{role}: {texts.event(first, actor.id)}", 1, status,
                    acts)
    dates = texts.when(first) if texts.when(first) == texts.when(last) else \
        texts.gettext("{first} to {last}").format(first=texts.when(first), last=texts.when(last))
    if acts:
        label = texts.ngettext("{actor}: {count} event, {dates}", "{actor}: {count} events, {dates}", len(group))
    else:
        label = texts.ngettext("{actor}: {count} event with another part than acting, {dates}",
                               "{actor}: {count} events with another part than acting, {dates}", len(group))
    href = texts.actor_url(actor, first) if acts else texts.actor_url(actor, None) + "#other-parts"
    return Tick(x, href, label.format(actor=actor.name, count=len(group), dates=dates), len(group), status, acts)


def milestone(scale: Scale, event: Event, texts: Texts) -> Milestone:
    label = texts.gettext("Milestone: {event}").format(event=texts.event(event))
    return Milestone(event_x(scale, event), texts.event_url(event), label, event.fingerprint)


class ChartRenderer:
    """Computes every lane once, then renders the whole chart (home page) or one lane (actor pages)."""

    def __init__(self, config: SiteConfig, groups: list[tuple[str, list[Actor]]],
                 events_by_actor: dict[str, list[Event]], events: Sequence[Event], texts: Texts,
                 known: ChartMemo | None = None, lane_keys: dict[str, str] | None = None,
                 others_by_actor: dict[str, list[Event]] | None = None) -> None:
        """known: lanes, their SVG and milestones from an earlier build of the same layout, by lane_keys (a key
        of each actor's events) and fingerprints: the preview server rebuilds only the lanes of the actors an
        edit touched; `used` is what this chart used of it, and what it made."""
        known = known if known is not None and lane_keys is not None else ChartMemo()
        scale, last = Scale.of(config), known.scale
        self.scale: Scale = last if last == scale else scale  # the last one knows where its dates fall
        self.used = ChartMemo(self.scale)
        self.groups = groups
        self.milestones = [known.milestones.get(event.fingerprint) or milestone(self.scale, event, texts)
                           for event in events if event.milestone]
        self.used.milestones.update((m.event, m) for m in self.milestones)
        marks = digest_many("milestones", [f"{m.x}:{m.href}:{m.label}" for m in self.milestones])
        self.config = config
        self.events_by_actor = events_by_actor
        self.others_by_actor = others_by_actor or {}
        self._lane_keys = {actor: f"chart:{actor}:{(lane_keys or {}).get(actor)}" for actor in config.actors}
        self._keys = {actor: f"{key}:svg:{marks}" for actor, key in self._lane_keys.items()}
        self._known = known
        self.texts = texts
        self.rtl = config.language_info.direction == "rtl"
        self.period = (config.period_start.year, config.period_end.year)
        self._home: Markup | None = None
        self._actors: dict[str, Markup] = {}

    def home(self) -> Markup:
        if self._home is None:
            rows = []
            for label, actors in self.groups:
                rows.append(f'<div class="chart-group"><span>{escape(label)}</span></div>')
                rows.extend(self._svg(actor.id) for actor in actors)
            self._home = self._figure("chart", rows, self.texts.gettext("Involvement by actor"))
        return self._home

    def actor(self, actor_id: str) -> Markup:
        """An actor's lane, each bar named beside it; those that do not fit are listed under the chart."""
        if actor_id not in self._actors:
            actor = self.config.actors[actor_id]
            _ = self.texts.gettext
            named = {label.period for label in self.bar_labels(actor) if label.named}
            rest = [(number, period) for number, period in enumerate(actor.involvement, start=1) if number not in named]
            items = "".join(f'<li value="{number}"><a href="{escape(self.texts.actor_url(actor, None))}#period-{number}">'
                            f'{escape(self.texts.bar_name(period))}</a>{escape(_(", "))}'
                            f'{escape(self.texts.period_range(period))}</li>'
                            for number, period in rest)
            no_room = escape(_("Bars with no room for their names, by number:"))
            after = f'<div class="bar-key"><p>{no_room}</p><ol>{items}</ol></div>' if rest else ""
            title = _("{actor}: involvement and events").format(actor=actor.name)
            self._actors[actor_id] = self._figure(f"chart-{actor_id}", [self._svg(actor_id, labelled=True)],
                                                  title, single=True, after=after)
        return self._actors[actor_id]

    def bar_labels(self, actor: Actor) -> list[BarLabel]:
        """The names (or numbers) written above an actor's bars on its page."""
        names = {number: self.texts.bar_name(period) for number, period in enumerate(actor.involvement, start=1)}
        return bar_labels(self.lane(actor.id).bars, names, PLOT_WIDTH + ARROW)

    # -- SVG -----------------------------------------------------------------------------------
    def _figure(self, ident: str, rows: list[str], title: str, single: bool = False, after: str = "") -> Markup:
        first, last = self.period
        width = PLOT_WIDTH + ARROW
        _ = self.texts.gettext  # (outside f-strings, where pybabel finds them)
        explained = escape(_("Bars are involvement periods and link to them; ticks are events and link to them."))
        scroll = escape(_("On a narrow screen, scroll the chart sideways."))
        caption = (f'<figcaption id="{ident}-caption"><strong>{escape(title)}{escape(_(", "))}{first}–{last}.</strong> '
                   f'{explained} <span class="scroll-hint">{scroll}</span></figcaption>')
        return Markup(
            f'<figure class="chart{" chart-single" if single else ""}" aria-labelledby="{ident}-caption">{caption}'
            f'<div class="chart-scroll" role="region" aria-labelledby="{ident}-caption" tabindex="0">'
            f'<div class="chart-grid" style="--plot-width: {width}px">'
            f'<div class="chart-corner" aria-hidden="true"></div>{self._axis(width)}{"".join(rows)}</div></div>'
            f'{after}{legend(_)}</figure>')

    def _axis(self, width: int) -> str:
        years_and_milestones = self.texts.gettext("Years and milestones")
        parts = [f'<svg class="chart-axis" width="{width}" height="{AXIS_HEIGHT}" role="group" '
                 f'aria-label="{escape(years_and_milestones)}">']
        marks, labels = [], []
        for year, left, right in self.scale.years():
            marks.append(f'<line class="year-line" x1="{_fmt(left)}" x2="{_fmt(left)}" y1="14" y2="{AXIS_HEIGHT}"/>')
            if right - left >= 24:
                labels.append(f'<text class="year-label" x="{_fmt(width - left - 3)}" y="12" text-anchor="end" direction="ltr">'
                              f'{year}</text>' if self.rtl else
                              f'<text class="year-label" x="{_fmt(left + 3)}" y="12">{year}</text>')
        for milestone in self.milestones:
            x = milestone.x
            marks.append(f'<a href="{escape(milestone.href)}" aria-label="{escape(milestone.label)}">'
                         f'<title>{escape(milestone.label)}</title>'
                         f'<path class="milestone-mark" d="M{_fmt(x - 5)} 20h10l-5 9z"/></a>')
        parts += [self._mirrored("".join(marks), width), *labels, "</svg>"]
        return "".join(parts)

    def kept(self) -> ChartMemo:
        """What the next build may reuse: what this chart used or made, and what it knew of its lanes
        (a build that drew one actor's lane must not make the next one draw all the others)."""
        known, used = self._known, self.used
        lanes = {key: known.lanes[key] for key in self._lane_keys.values() if key in known.lanes}
        svgs = {key: known.svgs[key] for key in self._keys.values() if key in known.svgs}
        return ChartMemo(used.scale, dict(used.milestones), {**lanes, **used.lanes}, {**svgs, **used.svgs})

    def lane(self, actor_id: str) -> Lane:
        """An actor's lane, made when first needed (not at all when its SVG is known)."""
        key = self._lane_keys[actor_id]
        lane = self.used.lanes.get(key) or self._known.lanes.get(key) or \
            build_lane(self.scale, self.config.actors[actor_id], self.events_by_actor.get(actor_id, []), self.texts,
                       self.others_by_actor.get(actor_id, []))
        self.used.lanes[key] = lane
        return lane

    def _svg(self, actor_id: str, labelled: bool = False) -> str:
        key = self._keys[actor_id] + (":labelled" if labelled else "")
        svg = self.used.svgs.get(key) or self._known.svgs.get(key) or self._lane_svg(self.lane(actor_id), labelled)
        self.used.svgs[key] = svg
        return svg

    def _lane_svg(self, lane: Lane, labelled: bool = False) -> str:
        actor = lane.actor
        height, row, top = lane.height_of(labelled), row_height(labelled), LABEL_LINE if labelled else 0
        width = PLOT_WIDTH + ARROW
        ident = f"c-{actor.id}"
        defs, body = [], []
        odd = "".join(f"M{_fmt(left)} 0H{_fmt(right)}V{height}H{_fmt(left)}Z"
                      for year, left, right in self.scale.years() if year % 2)
        if odd:
            body.append(f'<path class="band" d="{odd}"/>')
        if self.milestones:
            lines = "".join(f"M{_fmt(m.x)} 0V{height}" for m in self.milestones)
            body.append(f'<path class="milestone-line" d="{lines}"/>')
        colour = escape(actor.colour)
        if any(bar.status == "alleged" for bar in lane.bars):
            defs.append(f'<pattern id="{ident}-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
                        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{colour}" '
                        f'fill-opacity="0.2"/><rect width="2.5" height="5" fill="{colour}"/></pattern>')
        for bar in lane.bars:
            y = LANE_PAD + bar.row * row + top
            shape = self._bar_shape(bar, y, colour, ident)
            mask = ""
            if bar.fade_in or bar.fade_out:
                mask_id = f"{ident}-fade-{bar.period}"
                defs.append(fade_mask(mask_id, bar, y))
                mask = f' mask="url(#{mask_id})"'
            arrow = ""
            if bar.ongoing:
                x = bar.right
                arrow = (f'<path class="bar-arrow" fill="{colour}" d="M{_fmt(x)} {y - 1}l{ARROW - 2} '
                         f'{_fmt((BAR_HEIGHT + 2) / 2)}l{-(ARROW - 2)} {_fmt((BAR_HEIGHT + 2) / 2)}z"/>')
            href = escape(self.texts.actor_url(actor, None) + f"#period-{bar.period}")
            body.append(f'<a href="{href}" aria-label="{escape(bar.label)}"><title>{escape(bar.label)}</title>'
                        f'<g{mask}>{shape}</g>{arrow}</a>')
        tick_top = LANE_PAD + max(1, lane.rows) * row
        for tick in lane.ticks:
            cls = "tick" if tick.count == 1 else "tick many"
            if tick.status in ("alleged", "denied"):
                cls += f" {tick.status}"
            if tick.acts:  # one rect: its transparent stroke (style.css) widens what a pointer can hit
                shape = (f'<rect class="{cls}" x="{_fmt(tick.x - 1)}" y="{tick_top}" width="2" '
                         f'height="{TICK_HEIGHT}"/>')
            else:  # a hollow ring: the actor had a part, but not one on a side
                shape = (f'<circle class="{cls} other-part" cx="{_fmt(tick.x)}" cy="{tick_top + TICK_HEIGHT / 2:g}" '
                         f'r="3"/>')
            body.append(f'<a href="{escape(tick.href)}" aria-label="{escape(tick.label)}">'
                        f'<title>{escape(tick.label)}</title>{shape}</a>')
        names = []  # outside the mirror: on a right-to-left chart at the mirrored x, the same anchor read from the right
        if labelled:
            direction = ' direction="rtl"' if self.rtl else ""
            names = [f'<text class="bar-name{"" if name.named else " bar-number"}" '
                     f'x="{_fmt(width - name.x if self.rtl else name.x)}" y="{LANE_PAD + name.row * row + LABEL_SIZE}" '
                     f'text-anchor="{name.anchor}"{direction} aria-hidden="true">{escape(name.text)}</text>'
                     for name in self.bar_labels(actor)]
        label = (f'<a class="lane-label" href="{escape(self.texts.actor_url(actor, None))}">'
                 f'<span class="swatch" style="--actor: {colour}" aria-hidden="true"></span>'
                 f'{escape(actor.name)}</a>')
        about = self.texts.gettext("{actor}: involvement periods and events").format(actor=actor.name)
        svg = (f'<svg class="lane" width="{width}" height="{height}" role="group" aria-label="{escape(about)}">'
               f'{"<defs>" + "".join(defs) + "</defs>" if defs else ""}{self._mirrored("".join(body), width)}{"".join(names)}</svg>')
        return label + svg

    def _mirrored(self, shapes: str, width: int) -> str:
        """The shapes as drawn, or, for a language written from right to left, mirrored so that time runs from
        right to left (texts are placed outside the mirror, so that they still read)."""
        return f'<g transform="matrix(-1 0 0 1 {width} 0)">{shapes}</g>' if self.rtl else shapes

    @staticmethod
    def _bar_shape(bar: Bar, y: int, colour: str, ident: str) -> str:
        box = f'x="{_fmt(bar.x)}" y="{y}" width="{_fmt(bar.width)}" height="{BAR_HEIGHT}"'
        if bar.status == "alleged":
            return f'<rect class="bar alleged" {box} fill="url(#{ident}-hatch)" stroke="{colour}"/>'
        if bar.status == "denied":
            return f'<rect class="bar denied" {box} fill="none" stroke="{colour}"/>'
        return f'<rect class="bar" {box} fill="{colour}"/>'


def year_band(scale: Scale, year: int) -> tuple[float, float]:
    """The x range of a year's band (for tests and for anyone placing things by year)."""
    for band_year, left, right in scale.years():
        if band_year == year:
            return left, right
    raise ValueError(f"{year} is outside the period")

