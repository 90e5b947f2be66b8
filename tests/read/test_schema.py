"""The JSON Schema of event front matter: valid, in sync with the generator, and met by every bundled event."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import jsonschema

from generator.read.translations import translation_name
import pytest

from generator import BuildOptions, build
from generator.read.config import load_config
from generator.read.content import EVENT_KEYS, SourceFile, content_files, read_event, read_source_file
from generator.model.errors import Problems
from generator.read.fields import SOURCE_KEYS
from generator.read.schema import SCHEMA_PATH, schema_text
from generator.read.yamldoc import YamlDoc
from conftest import ROOT

SCHEMA = json.loads((ROOT / SCHEMA_PATH).read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
MISSING = re.compile(r"missing required field '([a-z_]+)'")


def test_the_repository_schema_is_the_generated_one_and_a_valid_draft_7_schema():
    assert (ROOT / SCHEMA_PATH).read_text(encoding="utf-8") == schema_text(), \
        "regenerate it: python -m generator.read.schema > schema/event.schema.json"
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_every_bundled_event_validates_against_the_schema():
    files = [(path, rel) for path, rel in content_files(ROOT, "content/events") if translation_name(rel) is None]
    assert files, "the bundled site has no events"
    problems = Problems()
    failures = []
    for path, rel in files:
        source = read_source_file(path, rel, problems)  # the generator's own reader
        assert source is not None, [str(p) for p in problems.items]
        failures += [f"{rel}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
                     for error in VALIDATOR.iter_errors(source.meta)]
    assert failures == []


def test_the_schema_lists_exactly_the_fields_the_generator_reads():
    assert set(SCHEMA["properties"]) == set(EVENT_KEYS)
    assert set(SCHEMA["definitions"]["source"]["properties"]) == set(SOURCE_KEYS)


def generator_verdict(site_root: Path, front_matter: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the generator for one event's front matter, as `check --strict` sees it."""
    problems = Problems()
    config = load_config(site_root, problems)
    assert config is not None
    doc = YamlDoc(textwrap.dedent(front_matter), first_line=2)
    read_event(SourceFile("content/events/x.md", doc, "A summary.\n"), config, problems)
    return [p.message for p in problems.errors], [p.message for p in problems.warnings]


def test_schema_and_generator_agree_on_what_is_required(site):
    errors, _ = generator_verdict(site.root, "{}")
    assert sorted(MISSING.findall(" ".join(errors))) == sorted(SCHEMA["required"])
    errors, _ = generator_verdict(site.root, """\
        title: x
        date: 2020
        actors: [turkey]
        kind: military
        sources: [{}]
        corrections: [{}]
        """)
    missing = MISSING.findall(" ".join(errors))
    source_required = SCHEMA["definitions"]["source"]["required"]
    correction_required = SCHEMA["properties"]["corrections"]["items"]["required"]
    assert sorted(missing) == sorted(source_required + correction_required)


GOOD = """\
title: Turkish parliament authorises troops
date: 2020-01-02
actors: [turkey]
kind: military
sources:
  - url: https://example.org/a
    title: A report
    publisher: Example News
    date: 2020-01-02
    language: en
"""


@pytest.mark.parametrize("change, valid", [
    ("", True),
    ("date: 2015", True),  # an integer year
    ("date: '2020-01'", True),
    ("date: 2020-13", False),
    ("date: 2020-1-5", True),
    ("date: soon", False),
    ("end: ongoing", True),
    ("end: 2021-06", True),
    ("end: later", False),
    ("approximate: true", True),
    ("approximate: yes please", False),
    ("actors: turkey", True),  # a single id is read as a list of one
    ("actors: []", False),
    ("actors: [Turkey]", False),
    ("actors:\n  - turkey\n  - {id: russia, role: supplier, supports: lna, status: alleged}", True),
    ("actors:\n  - turkey\n  - {id: russia, rol: supplier}", False),
    ("actors:\n  - turkey\n  - {role: supplier}", False),
    ("actors:\n  - turkey\n  - {id: russia, status: rumoured}", False),
    ("status: alleged\ndenied_by: [turkey]", True),
    ("status: rumoured", False),
    ("tags: [drones, 2020]", True),
    ("slug: my-event-2", True),
    ("slug: My Event", False),
    ("updated: 2020-02", True),
    ("corrections:\n  - date: 2020-02-01\n    note: Fixed a name.", True),
    ("corrections:\n  - note: no date", False),
    ("locaton: Tripoli", False),  # unknown keys: a warning, an error under --strict
    ("sources: []", False),
    ("sources:\n  - url: https://example.org/b\n    title: T\n    publisher: P\n    language: en\n    date: n.d.", True),
    ("sources:\n  - url: ftp://example.org/b\n    title: T\n    publisher: P\n    language: en\n    date: n.d.", False),
    ("sources:\n  - url: https://example.org/b\n    title: T\n    publisher: P\n    date: 2020", False),
    ("sources:\n  - url: https://example.org/b\n    title: T\n    publisher: P\n    language: en\n"
     "    date: 2020\n    archive_url: https://web.archive.org/x", True),
])
def test_schema_and_generator_give_the_same_verdict(site, change, valid):
    lines = GOOD.splitlines()
    changed = {line.split(":")[0] for line in change.splitlines() if line and not line.startswith(" ")}
    kept, skipping = [], False
    for line in lines:  # replace the fields the change sets (with their indented lines)
        if not line.startswith(" "):
            skipping = line.split(":")[0] in changed
        if not skipping:
            kept.append(line)
    front_matter = "\n".join(kept) + "\n" + change + "\n"
    errors, warnings = generator_verdict(site.root, front_matter)
    generator_valid = not errors and not [w for w in warnings if "unknown" in w]
    schema_errors = [e.message for e in VALIDATOR.iter_errors(YamlDoc(front_matter).value)]
    assert generator_valid == valid, (errors, warnings)
    assert (not schema_errors) == valid, schema_errors


def test_the_editor_comment_leaves_the_event_valid_and_the_build_unchanged(site):
    path = site.event("turkish-troops")
    text = path.read_text()
    path.write_text(text.replace("---\n", "---\n# yaml-language-server: $schema=../../schema/event.schema.json\n", 1))
    build(BuildOptions(site.root))
    assert "<h1>An event</h1>" in site.read("events/turkish-troops/index.html")
    assert site.read(SCHEMA_PATH) == schema_text()
