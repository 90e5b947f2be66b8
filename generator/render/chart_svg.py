"""SVG pieces of the involvement chart that do not depend on its data: the fading masks and the legend."""

from __future__ import annotations

from typing import Callable

from markupsafe import escape

from typing import Protocol


class Bar(Protocol):
    """What a fading mask needs of a bar (chart.Bar)."""

    @property
    def x(self) -> float: ...
    @property
    def width(self) -> float: ...
    @property
    def fade_in(self) -> float: ...
    @property
    def fade_out(self) -> float: ...
    @property
    def right(self) -> float: ...

FAINT = 0.15  # opacity where an imprecise edge begins
BAR_HEIGHT = 9  # pixels


def fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def fade_mask(ident: str, bar: Bar, y: int) -> str:
    """A mask that fades the bar in across its imprecise start and out across its imprecise end."""
    stops = []
    if bar.fade_in:
        stops += [(0.0, FAINT), (bar.fade_in / bar.width, 1.0)]
    else:
        stops += [(0.0, 1.0)]
    if bar.fade_out:
        stops += [(1 - bar.fade_out / bar.width, 1.0), (1.0, FAINT)]
    else:
        stops += [(1.0, 1.0)]
    gradient = "".join(f'<stop offset="{offset:.3f}" stop-color="#fff" stop-opacity="{opacity}"/>'
                       for offset, opacity in stops)
    x = fmt(bar.x - 1)
    return (f'<linearGradient id="{ident}-g" gradientUnits="userSpaceOnUse" x1="{fmt(bar.x)}" '
            f'x2="{fmt(bar.right)}" y1="0" y2="0">{gradient}</linearGradient>'
            f'<mask id="{ident}" maskUnits="userSpaceOnUse" x="{x}" y="{y - 1}" width="{fmt(bar.width + 2)}" '
            f'height="{BAR_HEIGHT + 2}"><rect x="{x}" y="{y - 1}" width="{fmt(bar.width + 2)}" '
            f'height="{BAR_HEIGHT + 2}" fill="url(#{ident}-g)"/></mask>')


def _sample(shape: str) -> str:
    return f'<svg width="28" height="12" aria-hidden="true" focusable="false">{shape}</svg>'


def legend(gettext: Callable[[str], str] = str) -> str:
    """The chart's legend, in the language of gettext."""
    def _(text: str) -> str:
        return str(escape(gettext(text)))

    return (
        '<ul class="chart-legend" aria-label="' + _("Legend") + '">'
        '<li>' + _sample('<rect class="legend-bar" x="1" y="2" width="26" height="8"/>') +
        _("Involvement, in the actor’s colour") + '</li>'
        '<li>' + _sample('<defs><pattern id="legend-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
                         'patternTransform="rotate(45)"><rect class="legend-fill" width="2.5" height="5"/></pattern>'
                         '</defs><rect class="legend-outline" x="1" y="2" width="26" height="8" '
                         'fill="url(#legend-hatch)"/>') + _("Alleged") + '</li>'
        '<li>' + _sample('<rect class="legend-outline denied" x="1" y="2" width="26" height="8" fill="none"/>') +
        _("Denied") + '</li>'
        '<li>' + _sample('<defs><linearGradient id="legend-fade"><stop offset="0" stop-opacity="0.15" '
                         'class="legend-stop"/><stop offset="1" class="legend-stop"/></linearGradient></defs>'
                         '<rect x="1" y="2" width="26" height="8" fill="url(#legend-fade)"/>') +
        _("Start or end known only to the month or year") + '</li>'
        '<li>' + _sample('<rect class="legend-bar" x="1" y="2" width="18" height="8"/>'
                         '<path class="legend-bar" d="M19 1l8 5l-8 5z"/>') + _("Ongoing") + '</li>'
        '<li>' + _sample('<rect class="tick" x="13" y="1" width="2" height="10"/>') +
        _("An event the actor acted in") + '</li>'
        '<li>' + _sample('<circle class="tick other-part" cx="14" cy="6" r="3"/>') +
        _("An event in which it had a role that backs no side (enforcer, mediator, target…)") + '</li>'
        '<li>' + _sample('<path class="milestone-mark" d="M9 1h10l-5 9z"/>') + _("A milestone") + '</li>'
        '</ul>')
