"""The JSON Schema of an event's front matter, for editors (completion, validation) and the published data.

The schema is built here and written, byte for byte, to schema/event.schema.json in the repository
(regenerate it with `python -m generator.read.schema > schema/event.schema.json`; a test keeps the two equal)
and to the same path in every build. It describes the format as the generator reads it: a date may be
an integer (2015) or a string ('2020-01', '2020-01-02'), a source's date may be 'n.d.', an event's end
may be 'ongoing'. Unknown keys are refused, as `check --strict` refuses them.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from generator.read.fields import UNDATED

SCHEMA_PATH = "schema/event.schema.json"
DRAFT = "http://json-schema.org/draft-07/schema#"

# Mirrors fields.ID_PATTERN and dates._PATTERN (with the month and day ranges the parser enforces).
ID = "^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_TEXT = r"^\s*(?!0000)[0-9]{4}(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?\s*$"
NOT_BLANK = r"\S"
EVENT_REQUIRED = ("title", "date", "actors", "kind", "sources")
SOURCE_REQUIRED = ("url", "title", "publisher", "language")


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "anyOf": [{"type": "string", "pattern": NOT_BLANK}, {"type": "number"}]}


def _ids(description: str, min_items: int = 0) -> dict[str, Any]:
    return {"description": description, "anyOf": [
        {"$ref": "#/definitions/id"},
        {"type": "array", "items": {"$ref": "#/definitions/id"}, "minItems": min_items},
    ]}


def _date(description: str) -> dict[str, Any]:
    return {"description": description, "$ref": "#/definitions/partialDate"}


def _flag(description: str) -> dict[str, Any]:
    return {"description": description, "type": "boolean"}


DEFINITIONS: dict[str, Any] = {
    "id": {"type": "string", "pattern": ID, "description": "An id from site.yaml: lower-case letters, digits, hyphens."},
    "partialDate": {
        "description": "2015, 2020-01 or 2020-01-02: only as precise as the sources.",
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": 9999},
            {"type": "string", "pattern": DATE_TEXT},
        ],
    },
    "actorEntry": {
        "type": "object",
        "description": "One actor's part in the event.",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": {"$ref": "#/definitions/id", "description": "An actor id from site.yaml."},
            "role": {"$ref": "#/definitions/id",
                     "description": "A role id from site.yaml (acted, supplier, enforcer, mediator, host, target, "
                                    "claimant, reporter…); default acted."},
            "supports": {"$ref": "#/definitions/id",
                         "description": "The side this actor acted for; only on roles that act. Default: the "
                                        "event's supports."},
            "status": {"enum": ["confirmed", "alleged", "denied"],
                       "description": "This actor's part when it differs from the event's status (an alleged "
                                      "supplier in a confirmed event)."},
        },
    },
    "httpUrl": {"type": "string", "pattern": r"^https?://[^/\s]+", "description": "An http:// or https:// address."},
    "source": {
        "type": "object",
        "description": "A source the event rests on.",
        "required": list(SOURCE_REQUIRED),
        "additionalProperties": False,
        "properties": {
            "url": {"$ref": "#/definitions/httpUrl"},
            "title": _text("The headline as the publisher gives it."),
            "publisher": _text("Who published it."),
            "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$",
                         "description": "BCP 47 language code: en, fr, ar, id…"},
            "date": {"description": "The source's date (a partial date), or n.d. when it shows none.",
                     "anyOf": [{"$ref": "#/definitions/partialDate"}, {"enum": list(UNDATED)}]},
            "archive_url": {"$ref": "#/definitions/httpUrl", "description": "A copy in a web archive."},
            "archived": {"$ref": "#/definitions/partialDate",
                         "description": "The date of the archived copy (written by the archive command)."},
            "dead": {"$ref": "#/definitions/partialDate",
                     "description": "When the original was found gone (check --sources --mark-dead): the "
                                    "archived copy is then linked first."},
        },
    },
}

PROPERTIES: dict[str, Any] = {
    "title": _text("The event's headline, in your own words."),
    "date": _date("2015, 2020-01 or 2020-01-02: only as precise as the sources."),
    "end": {"description": "Same forms as date, or ongoing; must not be before date. An event with an end is a span.",
            "anyOf": [{"$ref": "#/definitions/partialDate"}, {"const": "ongoing"}]},
    "approximate": _flag("true shows 'c. 2015' / 'around January 2020'."),
    "actors": {
        "description": "One or more actors: an actor id (it acted, for the event's side), or an entry with its "
                       "role and its own side and status. At least one must have a role that acts.",
        "anyOf": [{"$ref": "#/definitions/id"}, {
            "type": "array", "minItems": 1,
            "items": {"anyOf": [{"$ref": "#/definitions/id"}, {"$ref": "#/definitions/actorEntry"}]},
        }],
    },
    "kind": {"$ref": "#/definitions/id", "description": "A kind id from site.yaml (military, diplomacy…)."},
    "supports": {"$ref": "#/definitions/id", "description": "A side id from site.yaml: the party the acting actors "
                                                           "supported, unless an entry names its own. Omit when none."},
    "status": {"enum": ["confirmed", "alleged", "denied"], "default": "confirmed",
               "description": "confirmed (default), alleged or denied."},
    "denied_by": _ids("Actor ids of those who denied the claim."),
    "location": _text("Where it happened: a place name."),
    "tags": {"description": "Short tags; each gets a page /tags/<tag>/.", "anyOf": [
        {"type": "string", "pattern": NOT_BLANK},
        {"type": "array", "items": {"anyOf": [{"type": "string", "pattern": NOT_BLANK}, {"type": "integer"}]}},
    ]},
    "milestone": _flag("true for a turning point of the conflict."),
    "draft": _flag("true leaves the event out of build unless --drafts is given."),
    "slug": {"type": "string", "pattern": ID,
             "description": "The event's address /events/<slug>/. Default: the file name."},
    "sources": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/source"},
                "description": "One or more sources."},
    "updated": _date("The date of the last substantive change; shown on the event page."),
    "corrections": {
        "type": "array", "description": "An editorial changelog shown on the event page.",
        "items": {"type": "object", "required": ["date", "note"], "additionalProperties": False,
                  "properties": {"date": {"$ref": "#/definitions/partialDate"},
                                 "note": _text("What was corrected.")}},
    },
}


def event_schema() -> dict[str, Any]:
    """The schema as a JSON-ready mapping (draft-07, which editors support best)."""
    return {
        "$schema": DRAFT,
        "title": "Timeline event front matter",
        "description": "The YAML front matter of an event file under content/events/ (see README.md, "
                       "'The content format'). Ids are checked against site.yaml by the generator.",
        "type": "object",
        "required": list(EVENT_REQUIRED),
        "additionalProperties": False,
        "properties": PROPERTIES,
        "definitions": DEFINITIONS,
    }


def schema_text() -> str:
    """The schema serialised deterministically (sorted keys, two-space indent, final newline)."""
    return json.dumps(event_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
