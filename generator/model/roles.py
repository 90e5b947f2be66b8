"""Who did what in an event, as the pages say it: its actors grouped by role and side.

"Supplied the LNA: UAE (alleged) · Enforced the embargo or sanctions: EU · Claim made by: GNA". The
groups of actors that acted come first, then the others, each in the order the event lists them.
"""

from __future__ import annotations

from typing import Callable

from generator.model.types import Event, Part, SiteConfig


def role_groups(event: Event, config: SiteConfig) -> list[tuple[str, list[Part]]]:
    """(heading, parts) for each role (and, for acting roles, each side) of the event's actors."""
    groups: dict[tuple[str, str | None], list[Part]] = {}
    for acting in (True, False):
        for part in event.parts:
            if part.acts == acting:
                groups.setdefault((part.role, part.supports), []).append(part)
    return [(heading(role, side, config), parts) for (role, side), parts in groups.items()]


def heading(role: str, side: str | None, config: SiteConfig) -> str:
    known = config.roles.get(role)
    if known is None:
        return role
    return known.heading(config.sides.get(side) if side else None)


def own_status(part: Part, event: Event) -> str | None:
    """The actor's status where it differs from the event's (shown beside its name), else None."""
    return part.status if part.status != event.status else None


def roles_text(event: Event, config: SiteConfig, status_word: Callable[[str], str] = str) -> str:
    """The groups as one line of plain text, for feeds and exports (status_word: a status in the words of
    the text's language)."""
    return " · ".join(
        f"{title}: " + ", ".join(_name(part, event, config, status_word) for part in parts)
        for title, parts in role_groups(event, config))


def _name(part: Part, event: Event, config: SiteConfig, status_word: Callable[[str], str]) -> str:
    actor = config.actors.get(part.id)
    name = actor.name if actor else part.id
    status = own_status(part, event)
    return f"{name} ({status_word(status)})" if status else name
