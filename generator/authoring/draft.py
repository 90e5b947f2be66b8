"""Write an imported draft event, with its evidence in YAML comments, and describe what was detected.

The evidence (the lines where each actor, date and keyword was found) quotes the article, so it
stays in `#` comments inside the front matter: YAML drops them, and nothing of the article's text
can reach a published page. The body is only a placeholder for the editor's own summary.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml

from generator.authoring.importer import Draft, Finding
from generator.authoring.mentions import Mention

PLACEHOLDER = ("Write the summary here, in your own words (80–250 words), from the article and other sources.\n"
               "The first paragraph is shown on the timeline. Attribute every claim to whoever made it.\n")
WIDTH = 100
SNIPPET = 150
# What YAML does not allow in a stream, even in a comment, and what it counts as a line break.
_UNPRINTABLE = re.compile("[^\x09\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


def write_draft(draft: Draft) -> Path:
    """Write the draft; FileExistsError rather than overwrite an existing file."""
    draft.path.parent.mkdir(parents=True, exist_ok=True)
    with draft.path.open("x", encoding="utf-8") as file:
        file.write(render_draft(draft))
    return draft.path


def render_draft(draft: Draft) -> str:
    """The event file: front matter with a comment on every detected value, then the placeholder."""
    config = draft.config
    lines = ["---"]
    lines += _comment(f"Draft imported from {draft.article.name} ({_input(draft)}). Nothing here is final: "
                      f"check each field against the article, write the summary in your own words, then "
                      f"delete 'draft: true'. Line numbers below are those of the imported text.")
    lines += _comment(f"title: {_explain(draft.title)}."
                      + (f" Rewrite it as the event's own headline, in the site's language ({config.language})."
                         if draft.title.sure != "given" else ""))
    lines.append(_field("title", draft.title.value))
    lines += _comment(f"date: {_explain(draft.date_finding)}." + _other_dates(draft))
    lines.append(_field("date", draft.date.iso()))
    lines += _comment(f"actors: {_explain(draft.actors_finding)}. Named: {_named(draft)}.")
    lines.append(_field("actors", list(draft.actors)))
    lines += _comment(f"kind: {_explain(draft.kind)}. Keywords: {_keywords(draft)}. "
                      f"Choices: {', '.join(config.kinds)}.")
    lines.append(_field("kind", draft.kind.value))
    lines += _comment("actors listed by id acted. An actor that only enforced, mediated, hosted, was targeted, made "
                      "a claim or reported is an entry with its role, e.g. {id: eu, role: enforcer}; roles: "
                      + ", ".join(config.roles) + ".")
    lines += _comment(f"supports: add the side the acting actors supported, if any: {', '.join(config.sides)}.")
    lines += ["draft: true", "sources:"]
    source = {"url": draft.url, "title": draft.source_title, "publisher": draft.publisher,
              "date": draft.published, "language": draft.language}
    for index, (key, finding) in enumerate(source.items()):
        lines += _comment(f"{key}: {_explain(finding)}.", indent=4 if index else 2)
        lines.append(_field(key, finding.value, "    " if index else "  - "))
    lines += _evidence(draft)
    lines.append("---")
    return "\n".join(lines) + "\n" + PLACEHOLDER


def describe(draft: Draft, check: str) -> list[str]:
    """What the CLI prints: the file written, then each detected value and how sure it is, and the command
    that checks it."""
    rows = [("input", _input(draft)), ("language", _report(draft.language)),
            ("title", _report(draft.title)), ("date", _report(draft.date_finding)),
            ("actors", _report(draft.actors_finding) + (f"; named: {_named(draft)}" if draft.named else "")),
            ("kind", _report(draft.kind)), ("url", _report(draft.url)), ("publisher", _report(draft.publisher)),
            ("published", _report(draft.published))]
    return [f"Wrote {draft.path} (draft: true). Detected, and how sure:"] + \
        [f"  {name:<10} {text}" for name, text in rows] + \
        [f"Next: check every field, write the summary in your own words, then run: {check}"]


def _input(draft: Draft) -> str:
    article = draft.article
    form = "HTML page" if article.html else "plain text"
    detected = " (detected)" if article.encoding_detected else ""
    repaired = f"; encoding damage repaired on {article.repaired_lines} lines" if article.repaired_lines else ""
    return f"{form}, {article.encoding}{detected}{repaired}"


def _explain(finding: Finding) -> str:
    if finding.sure == "given":
        return f"given with {finding.how}"
    if finding.value is None:
        return finding.how
    return f"{finding.how}; sure: {finding.sure}"


def _report(finding: Finding) -> str:
    return _explain(finding) if finding.value is None else f"{finding.value} — {_explain(finding)}"


def _named(draft: Draft) -> str:
    return ", ".join(f"{a.actor} {a.count}" for a in draft.named) or "none"


def _keywords(draft: Draft) -> str:
    parts = [f"{kind} {sum(counts.values())} ({', '.join(f'{word} {n}' for word, n in counts.most_common(4))})"
             for kind, counts in draft.kind_scores]
    return "; ".join(parts) or "none"


def _other_dates(draft: Draft) -> str:
    others = [f"{d.date} \"{d.text}\" (line {', '.join(map(str, d.lines))})" for d in draft.dates
              if d.date != draft.date]
    return f" Other dates in the text: {'; '.join(others)}." if others else ""


def _evidence(draft: Draft) -> list[str]:
    """One comment per line of the text where an actor or a date was found, quoting around it."""
    text_lines = draft.article.text.split("\n")
    found: dict[int, list[tuple[int, str]]] = {}
    for named in draft.named:
        for mention in named.mentions:
            found.setdefault(mention.line, []).append((mention.start, f"{named.actor} \"{_span(text_lines, mention)}\""))
    for date in draft.dates:
        for line in date.lines:
            found.setdefault(line, []).append((text_lines[line - 1].find(date.text), f"{date.date} \"{date.text}\""))
    if not found:
        return _comment("Evidence: no actor or date was found in the text.")
    lines = _comment("Evidence, by line of the imported text: what was found there, then the line.")
    for number in sorted(found):
        items = sorted(found[number])
        what = ", ".join(dict.fromkeys(label for _, label in items))
        lines += _comment(f"line {number}: {what}: «{_snippet(text_lines[number - 1], items[0][0])}»", item=True)
    return lines


def _span(lines: list[str], mention: Mention) -> str:
    return lines[mention.line - 1][mention.start:mention.end]


def _snippet(line: str, start: int) -> str:
    line = " ".join(line.split())
    if len(line) <= SNIPPET:
        return line
    begin = max(0, min(start - SNIPPET // 3, len(line) - SNIPPET))
    text = line[begin:begin + SNIPPET]
    return ("…" if begin else "") + text + ("…" if begin + SNIPPET < len(line) else "")


def _comment(text: str, indent: int = 0, item: bool = False) -> list[str]:
    """A YAML comment, wrapped (item: as an entry of a list in the comment above); anything YAML
    would read as a line break or reject becomes a space."""
    clean = " ".join(_UNPRINTABLE.sub(" ", text).split())
    first, rest = ("#   ", "#     ") if item else ("# ", "#   ")
    wrapped = textwrap.wrap(clean, WIDTH - len(rest) - indent, break_long_words=False, break_on_hyphens=False)
    return [" " * indent + (rest if i else first) + line for i, line in enumerate(wrapped)]


def _field(key: str, value: object, lead: str = "") -> str:
    """One 'key: value' line, the value as YAML on one line; nothing after the colon for None."""
    if value is None:
        return f"{lead}{key}:"
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    text = text.removesuffix("\n").removesuffix("\n...").strip()  # a lone scalar ends the document
    return f"{lead}{key}: {text}"
