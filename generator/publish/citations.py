"""An event's summary with its status and sources, as one HTML fragment: for feeds and TimelineJS."""

from __future__ import annotations

from typing import Callable

from markupsafe import escape

from generator.model.dates import language_name
from generator.model.types import Event, SiteConfig, Source
from generator.model.roles import roles_text

Gettext = Callable[[str], str]


def _same(text: str) -> str:
    return text


def status_note(status: str, _: Gettext = _same) -> str:
    return {"alleged": _("Alleged: this involvement rests on claims that are not independently confirmed."),
            "denied": _("Denied: this involvement is denied by those said to be involved.")}.get(status, "")


def status_word(status: str, _: Gettext = _same) -> str:
    return {"confirmed": _("confirmed"), "alleged": _("alleged"), "denied": _("denied")}.get(status, status)


def headline(event: Event, _: Gettext = _same) -> str:
    """The title, labelled when the claim is alleged or denied ('X (alleged)')."""
    return event.title if event.status == "confirmed" else f"{event.title} ({status_word(event.status, _)})"


def summary_with_sources(event: Event, config: SiteConfig, _: Gettext = _same) -> str:
    """The rendered (sanitised) summary, preceded by any status note and followed by its sources; its
    words in the language of `_` (gettext)."""
    parts: list[str] = []
    note = status_note(event.status, _)
    if note:
        denied = _(", ").join(config.actors[a].name for a in event.denied_by if a in config.actors)
        denied_by = _("Denied by:")
        parts.append(f"<p><strong>{escape(note)}</strong>{escape(f' {denied_by} {denied}.') if denied else ''}</p>")
    parts.append(event.html.strip())
    if event.parts:
        parts.append(f"<p>{escape(roles_text(event, config, lambda status: status_word(status, _)))}</p>")
    items = "".join(f"<li>{source_html(source, config, _)}</li>" for source in event.sources)
    sources = _("Sources")
    parts.append(f"<p>{escape(sources)}:</p><ol>{items}</ol>")
    return "\n".join(part for part in parts if part)


def source_html(source: Source, config: SiteConfig, _: Gettext = _same) -> str:
    """'<a href=…>Title</a>, Publisher, 2 January 2020 (English)', plus the archived copy if any."""
    # f-strings with escape() rather than Markup.format: this runs for every source of every event.
    date = (", " + source.date.display(config.language)) if source.date else \
        ", " + _("undated") if source.undated else ""
    html = (f'<a href="{escape(source.url)}" hreflang="{escape(source.language)}">{escape(source.title)}</a>, '
            f"{escape(source.publisher)}{escape(date)} ({escape(language_name(source.language, config.language))})")
    if source.archive_url:
        archived = _("archived copy")
        html += f' (<a href="{escape(source.archive_url)}">{escape(archived)}</a>)'
    return html
