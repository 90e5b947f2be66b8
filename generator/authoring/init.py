"""`init`: a new, minimal, working site in an empty folder: a site.yaml whose every key is explained, one
example event, About and Methodology stubs, and a copy of the generator's own templates to start from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"  # the generator's own

SITE_YAML = """\
# site.yaml: what the site is about. Every key is described in the generator's README ("site.yaml").
# Check your edits with: python -m generator check --strict --site .

title: {title}  # the site's name: in every page's title and header
description: >-  # a sentence or two: the home page's introduction, and the feeds' and search engines' summary
  A sourced timeline of the foreign states, companies and organisations involved in the conflict: who they
  backed, how, and when.
base_url: /  # where the site will live: https://example.org/timeline/ (a path alone, like /, works anywhere)
language: {language}  # the language of the content (BCP 47: en, en-GB, fr, ar…): dates are written in it
period:  # the conflict's span: the chart's axis runs from the start of `start` to the end of `end`
  start: 2020
  end: 2024

# The parties that outside actors back. An id (lower-case letters, digits, hyphens) names each one in events
# (`supports: side-a`); `short` is how cards, the chart and the filters name it.
sides:
  side-a:
    name: The government
    short: government
    description: The internationally recognised government and the forces aligned with it.
  side-b:
    name: The opposition
    short: opposition
    description: The armed opposition.

# What an involvement or an event is: an id and its label.
kinds:
  military: Military action
  arms: Arms and equipment
  diplomacy: Diplomacy
  humanitarian: Humanitarian

# What an actor did in an event. A role that `acts` counts as involvement on a side (it may carry
# `supports`); the others back no one. `with_side` heads an acting role's actors when they acted for a side
# ({{side}} is the side's short name). Leave roles: out to use the built-in ones (see the README).
roles:
  acted:
    label: Acted
    with_side: "Acted for the {{side}}"
    acts: true
    description: Took part directly (fought, deployed, negotiated, signed, paid).
  supplier:
    label: Supplied
    with_side: "Supplied the {{side}}"
    acts: true
    description: Provided weapons, equipment, fighters or money.
  mediator:
    label: Mediated
    acts: false
    description: Convened or brokered talks without backing a party.

# The actors, by id: name, type (state, company, armed group, organisation, government), foreign (false for
# the conflict's own parties), a colour (white text must be readable on it), other names (aliases), and the
# periods of their involvement: start, end (a date, ongoing, or none for a single act), kind, supports,
# status (confirmed, alleged, denied), note and sources. Each becomes a bar on the involvement chart.
actors:
  example-state:
    name: Example State
    type: state
    foreign: true
    colour: "#1f4e9c"
    aliases: [Examplia]
    involvement:
      - start: 2020-03
        end: 2022
        kind: military
        supports: side-a
        status: confirmed
        note: Replace this example with a real period, and cite its sources.
        sources:
          - url: https://example.org/report
            title: An example report
            publisher: Example News
            date: 2020-03-01
            language: en

# The home page's map. focus: the conflict's countries, highlighted (ISO 3166-1 alpha-3 codes: YEM, SDN,
# MLI…); frame: [west, south, east, north] in degrees, computed from the focus countries and the places near
# them when left out; title: the map's accessible title (from the countries' names when left out); labels:
# more names to write on it (seas): name: [latitude, longitude]. `map: false` turns the map off.
map:
  focus: [YEM]
  labels:
    Gulf of Aden: [12.6, 48.0]

# The gazetteer: where an event's `location` is. name: [latitude, longitude]; an alias: `name: Other name`;
# a region, drawn as an area: `name: {{at: [latitude, longitude], radius: km}}` or `name: {{country: ISO3}}`.
places:
  Sanaa: [15.369, 44.191]
  Aden: [12.785, 45.019]
  Yemen: {{country: YEM}}
"""

EVENT = """\
---
title: "Example event: replace it with the first event of your timeline"
date: 2020-03-01
actors: [example-state]
kind: military
supports: side-a
location: Aden
sources:
  - url: https://example.org/report
    title: An example report
    publisher: Example News
    date: 2020-03-01
    language: en
---
Write the event's summary here, in your own words (80–250 words). The first paragraph is shown on the timeline.
Attribute every claim to whoever made it, and cite at least one source above. Every field is described in the
generator's README ("The content format"); `python -m generator new` writes a new event file for you.
"""

ABOUT = """\
---
title: About this timeline
slug: about
---
What this timeline covers, for whom, and who made it.
"""

METHODOLOGY = """\
---
title: Methodology
slug: methodology
---
How events and sources are chosen, how dates are written, and what *confirmed*, *alleged* and *denied* mean.
"""

GITIGNORE = "/output/\n/.output.*\n/.cache/\n"


class NotEmpty(Exception):
    """The folder is not empty: init writes only into a new or empty folder."""


def init_site(folder: Path, title: str, language: str) -> list[Path]:
    """Write a new site into `folder` (created if missing); raise NotEmpty rather than touch an existing site."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NotEmpty(folder)
    if not TEMPLATES.is_dir():
        raise FileNotFoundError(TEMPLATES)  # (checked before anything is written)
    files = {
        "site.yaml": SITE_YAML.format(title=json.dumps(title, ensure_ascii=False), language=language),
        "content/events/2020/2020-03-01-example-event.md": EVENT,
        "content/pages/about.md": ABOUT,
        "content/pages/methodology.md": METHODOLOGY,
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    shutil.copytree(TEMPLATES, folder / "templates")
    written.append(folder / "templates")
    return written
