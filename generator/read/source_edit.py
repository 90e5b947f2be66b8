"""The sources a file cites, where they stand in it, and adding keys to them without disturbing anything else.

`archive` and `check --sources --mark-dead` write `archive_url:`, `archived:` and `dead:` into event files and
site.yaml. A YAML dump would lose comments, key order, quoting and line endings, so the new keys are written as
text: under a block-style source, a line each at the indentation of its keys, after its last value; into a
flow-style one ({url: …, title: …}), after its last value. Values are quoted the way the source's own url (or
date) is. Every edit is checked by parsing the result again: the source must hold exactly the old keys plus the
new ones, and nothing else in the file may have changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from generator.read.yamldoc import SafeLoader, YamlDoc, YamlError

BOM = "\ufeff"
_LINE_END = re.compile(r"(\r\n|\n|\r)")
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][^\s#,\[\]{}]*$")  # a plain scalar that stays a text, flow or block


class EditError(ValueError):
    """A file whose sources cannot be read or edited safely, with the 1-based line of the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SourceSpot:
    """One source of a file: its number in its list, the line of its list item, and its fields as written."""

    number: int
    line: int
    values: dict[str, Any]
    node: yaml.MappingNode = field(repr=False, compare=False)
    offset: int = field(repr=False, compare=False, default=0)  # the file line (0-based) of the YAML's first line

    @property
    def url(self) -> str:
        return str(self.values.get("url") or "")

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)


class SourceDoc:
    """A file's text, line by line with each line's own ending, and the sources it cites.

    Event files (front matter between '---' lines) list them under `sources:`; site.yaml under each actor's
    involvement periods."""

    def __init__(self, raw: bytes, front_matter: bool) -> None:
        self.raw = raw
        self.front_matter = front_matter
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise EditError(raw.count(b"\n", 0, error.start) + 1, "the file is not valid UTF-8") from None
        self.bom = text.startswith(BOM)
        parts = _LINE_END.split(text.removeprefix(BOM))
        self.lines: list[str] = parts[0::2]
        self.ends: list[str] = [*parts[1::2], ""]
        self.offset, yaml_text = self._yaml_text()
        try:
            self.value: Any = YamlDoc(yaml_text, first_line=self.offset + 1).value  # refuses aliases, huge documents
            root = yaml.compose(yaml_text, Loader=SafeLoader)
        except YamlError as error:
            raise EditError(error.line, error.message) from None
        self.spots = list(self._sources(root, self.value))

    def _yaml_text(self) -> tuple[int, str]:
        if not self.front_matter:
            return 0, "\n".join(self.lines)
        if not self.lines or self.lines[0].strip() != "---":
            raise EditError(1, "missing front matter: the file must start with a line '---'")
        closing = next((i for i in range(1, len(self.lines)) if self.lines[i].rstrip() in ("---", "...")), None)
        if closing is None:
            raise EditError(1, "front matter is not closed: add a line '---' after it")
        return 1, "\n".join(self.lines[1:closing])

    def _sources(self, root: yaml.Node | None, value: Any) -> Iterator[SourceSpot]:
        """The sources, walking the node tree (for positions) and the loaded value (for values) together."""
        if self.front_matter:
            yield from self._list(*_get(root, value, "sources"))
            return
        actors, actor_values = _get(root, value, "actors")
        if not isinstance(actors, yaml.MappingNode) or not isinstance(actor_values, dict):
            return
        for key, actor in actors.value:
            periods, period_values = _get(actor, actor_values.get(key.value), "involvement")
            if isinstance(periods, yaml.SequenceNode) and isinstance(period_values, list):
                for period, period_value in zip(periods.value, period_values):
                    yield from self._list(*_get(period, period_value, "sources"))

    def _list(self, node: yaml.Node | None, value: Any) -> Iterator[SourceSpot]:
        if not isinstance(node, yaml.SequenceNode) or not isinstance(value, list):
            return
        for index, (item, values) in enumerate(zip(node.value, value)):
            if isinstance(item, yaml.MappingNode) and item.value and isinstance(values, dict):
                yield SourceSpot(index + 1, self.offset + item.start_mark.line + 1, values, item, self.offset)

    def with_keys(self, additions: dict[int, list[tuple[str, str]]]) -> bytes:
        """The file's bytes with keys added to sources (by their index in self.spots), each (key, value text);
        raise EditError when the result would not read back as exactly that."""
        lines, ends = list(self.lines), list(self.ends)
        edits = []  # (file line, column or -1 for new lines after it, spot, keys)
        for index, keys in additions.items():
            spot = self.spots[index]
            if any(key in spot.values for key, _ in keys):
                raise EditError(spot.line, f"source {spot.number} already has {', '.join(k for k, _ in keys)}")
            last = spot.node.value[-1][1]
            if spot.node.flow_style:
                edits.append((spot.offset + last.end_mark.line, last.end_mark.column, spot, keys))
            else:
                after = last.end_mark.line - (last.end_mark.column == 0 and last.end_mark.line > last.start_mark.line)
                edits.append((spot.offset + after, -1, spot, keys))
        for line, column, spot, keys in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
            rendered = [(key, self._quoted(spot, key, value)) for key, value in keys]
            if column >= 0:
                text = "".join(f", {key}: {value}" for key, value in rendered)
                lines[line] = lines[line][:column] + text + lines[line][column:]
                continue
            indent = " " * spot.node.value[0][0].start_mark.column
            ending = ends[line] or self._ending()
            new = [f"{indent}{key}: {value}" for key, value in rendered]
            lines[line + 1:line + 1] = new
            ends[line + 1:line + 1] = [ending] * len(new)
            if not ends[line]:  # the last line had no ending: it needs one now, and the file still ends without
                ends[line], ends[line + len(new)] = ending, ""
        data = ((BOM if self.bom else "") + "".join(a + b for a, b in zip(lines, ends))).encode("utf-8")
        self._verify(data, additions)
        return data

    def _ending(self) -> str:
        found = [end for end in self.ends if end]
        return max(set(found), key=found.count) if found else "\n"

    def _quoted(self, spot: SourceSpot, key: str, value: str) -> str:
        like = "date" if key in ("archived", "dead") else "url"  # a date is quoted like the source's date, if any
        style = next((v.style for k, v in spot.node.value if k.value == like and isinstance(v, yaml.ScalarNode)), None)
        if style == "'" and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
        if style == '"' or not _PLAIN_SAFE.match(value) or ": " in value:
            return json.dumps(value, ensure_ascii=False)
        return value

    def rest(self) -> list[str]:
        """The lines after the front matter (its closing line and the body): none for site.yaml."""
        return self.lines[self.offset + len(self._yaml_text()[1].split("\n")):] if self.front_matter else []

    def _verify(self, data: bytes, additions: dict[int, list[tuple[str, str]]]) -> None:
        """Parse the edited file: each source must read as before plus its new keys, the rest exactly as before."""
        try:
            after = SourceDoc(data, self.front_matter)
        except EditError:
            after = None
        expected = json.loads(json.dumps(self.value, default=str))  # a deep copy
        for index, keys in additions.items():
            _source_value(expected, self.spots[index], self).update(dict(keys))
        if after is None or json.loads(json.dumps(after.value, default=str)) != expected or \
                after.rest() != self.rest():
            line = min((self.spots[i].line for i in additions), default=1)
            raise EditError(line, "cannot add the keys to this source without changing what the file says: "
                                  "edit it by hand (or write the source in block style)")


def _source_value(value: Any, spot: SourceSpot, doc: SourceDoc) -> dict[str, Any]:
    """The mapping in value (a copy of doc.value) that holds the spot's source."""
    for found, candidate in zip(doc.spots, _source_dicts(value, doc.front_matter)):
        if found is spot:
            return candidate
    raise KeyError(spot.number)


def _source_dicts(value: Any, front_matter: bool) -> Iterator[dict[str, Any]]:
    """The sources' mappings of a loaded document, in the order SourceDoc.spots lists them."""
    lists = [value.get("sources")] if front_matter and isinstance(value, dict) else [
        period.get("sources") for actor in ((value or {}).get("actors") or {}).values() if isinstance(actor, dict)
        for period in (actor.get("involvement") or []) if isinstance(period, dict)] if isinstance(value, dict) else []
    for sources in lists:
        for item in sources if isinstance(sources, list) else ():
            if isinstance(item, dict) and item:
                yield item


def _get(node: yaml.Node | None, value: Any, key: str) -> tuple[yaml.Node | None, Any]:
    if not isinstance(node, yaml.MappingNode) or not isinstance(value, dict):
        return None, None
    found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return found, value.get(key)
