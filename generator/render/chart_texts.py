"""How the involvement chart names things (its bars, ticks and milestones), in the page's language."""

from __future__ import annotations

from typing import Callable

from generator.model.types import Actor, Event, Involvement


class Texts:
    """How the chart names things: dates and links come from the renderer, so they match the pages."""

    def __init__(self, when: Callable[[Event], str], period_range: Callable[[Involvement], str],
                 event_url: Callable[[Event], str], actor_url: Callable[[Actor, Event | None], str],
                 kinds: dict[str, str], sides: dict[str, str], roles: dict[str, str] | None = None,
                 gettext: Callable[[str], str] = str,
                 ngettext: Callable[[str, str, int], str] = lambda one, many, n: one if n == 1 else many) -> None:
        self.gettext = gettext
        self.ngettext = ngettext
        self.when = when
        self.period_range = period_range
        self.event_url = event_url
        self.actor_url = actor_url  # the actor's page, at the month of an event when one is given
        self.kinds = kinds
        self.sides = sides  # side id -> short name
        self.roles = roles or {}  # role id -> label

    def period(self, actor: Actor, period: Involvement) -> str:
        _ = self.gettext
        comma = _(", ")
        side = comma + _("supporting the {side}").format(side=self.sides[period.supports]) if period.supports else ""
        status = f" ({self.status(period.status)})" if period.status != "confirmed" else ""
        return f"{actor.name}: {self.kinds[period.kind]}{side}{comma}{self.period_range(period)}{status}"

    def bar_name(self, period: Involvement) -> str:
        """What a bar is, written beside it on the actor's page: "Arms and equipment, alleged, for the LNA"."""
        _ = self.gettext
        comma = _(", ")
        status = comma + self.status(period.status) if period.status != "confirmed" else ""
        side = comma + _("for the {side}").format(side=self.sides[period.supports]) if period.supports else ""
        return f"{self.kinds[period.kind]}{status}{side}"

    def event(self, event: Event, actor: str | None = None) -> str:
        """The event's title, date and status: the actor's own in it, when given."""
        status = part_status(event, actor) if actor else event.status
        shown = f" ({self.status(status)})" if status != "confirmed" else ""
        return f"{event.title}{shown}{self.gettext(', ')}{self.when(event)}"

    def status(self, status: str) -> str:
        _ = self.gettext
        return {"confirmed": _("confirmed"), "alleged": _("alleged"), "denied": _("denied")}.get(status, status)

    def role(self, event: Event, actor: str) -> str:
        part = event.part(actor)
        return self.roles.get(part.role, part.role) if part else ""


def part_status(event: Event, actor: str) -> str:
    part = event.part(actor)
    return part.status if part else event.status
