"""Safe YAML parsing that can say on which line of a file each key stands.

Parsing uses PyYAML's C loader when it is available. Line numbers are only needed when a
problem is reported, so the node tree that carries them is composed lazily, on first use.

Aliases are refused, and nesting and the length of lists and mappings are limited (limits.py): an alias
repeats a value without copying it, so a few lines of them (a "billion laughs") make a value that every
check walking it, or printing it in a message, takes minutes and gigabytes over; PyYAML's C composer
recurses once per level, which crashes the process beyond some ten thousand levels; and each item is
checked. All three are found by reading the parser's events, which stops at the first problem and
expands nothing; a cheap test of the text skips that reading for a document that can have none of them
(nearly every event).
"""

from __future__ import annotations

from typing import Any, Union

import yaml

from generator.model.limits import MAX_YAML_DEPTH, MAX_YAML_ITEMS

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class SafeLoader(_BaseLoader):  # type: ignore[misc]
    """The safe (C when available) loader, but dates stay text so that partial-date parsing can
    report an impossible one ('2021-02-30') at its line instead of PyYAML raising without one."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

KeyPath = tuple[Union[str, int], ...]


class YamlError(ValueError):
    """Invalid YAML, with the 1-based line in the file where the parser stopped."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class YamlDoc:
    """A parsed YAML mapping or value, plus the lines of its keys in the file it came from."""

    def __init__(self, text: str, first_line: int = 1, max_items: int = MAX_YAML_ITEMS) -> None:
        """Parse text, whose first line is line first_line of its file; raise YamlError (also when it is beyond
        the limits, see _check_structure)."""
        self.text = text
        self.first_line = first_line
        self._root: yaml.Node | None = None
        self._keys: dict[int, dict[str, tuple[int, yaml.Node]]] = {}  # each mapping's keys, by id(mapping node)
        try:
            if _may_be_hostile(text, max_items):
                _check_structure(text, first_line, max_items)
            self.value: Any = yaml.load(text, Loader=SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = first_line + (mark.line if mark else 0)
            problem = error.problem or error.context or "invalid YAML"
            if error.context and error.problem and "constructor" not in error.problem:
                problem = f"{error.context}, {error.problem}"
            raise YamlError(line, f"invalid YAML: {problem}") from None
        except yaml.YAMLError as error:
            raise YamlError(first_line, f"invalid YAML: {error}") from None

    def line(self, *path: str | int) -> int:
        """The file line of the key (or list item) at path; the nearest existing parent if absent."""
        node = self._root_node()
        line = node.start_mark.line if node is not None else 0
        for step in path:
            if isinstance(node, yaml.MappingNode):
                keys = self._keys.get(id(node))
                if keys is None:  # indexed once: a mapping with thousands of bad keys gets a problem for each
                    keys = self._keys[id(node)] = {}
                    for key, value in node.value:
                        keys.setdefault(key.value, (key.start_mark.line, value))
                found = keys.get(step) if isinstance(step, str) else None
                if found is None:
                    break
                line, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line
            else:
                break
        return self.first_line + line

    def _root_node(self) -> yaml.Node | None:
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=SafeLoader)
        return self._root


def _may_be_hostile(text: str, max_items: int) -> bool:
    """Whether the text may hold an alias, nest more than MAX_YAML_DEPTH levels or have a list or mapping of more
    than max_items (False: none of these; nearly every event).

    An alias needs a '*'. Each flow collection opens with '[' or '{'; a block collection nests either on the
    same line, after a '- ' or '? ', or on a later line indented further (a list in a mapping may stay at its
    key's indentation, so one level in two needs a deeper line): few of those marks and no line indented by
    12 spaces or more bound the depth below the limit. Items are apart by a comma or a new line. (About two
    microseconds for an event's front matter.)"""
    return "*" in text or text.count("[") + text.count("{") + text.count("?") + text.count("- ") >= 16 or \
        "\n" + " " * 12 in text or text.startswith(" " * 12) or \
        (len(text) >= max_items and text.count(",") + text.count("\n") >= max_items)


def _check_structure(text: str, first_line: int, max_items: int) -> None:
    """Raise YamlError at the first alias, collection nested deeper than MAX_YAML_DEPTH or item beyond max_items
    in a collection: the parser's events, read until then, expand nothing and build no nesting."""
    loader = SafeLoader(text)
    items = [0]  # of each open collection (a mapping's keys and values both count)
    mapping = [False]
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                items.pop()
                mapping.pop()
                continue
            if isinstance(event, yaml.NodeEvent):
                items[-1] += 1
                if items[-1] > max_items * (1 + mapping[-1]):
                    raise YamlError(first_line + event.start_mark.line,
                                    f"a list or mapping of more than {max_items:,} items")
            if isinstance(event, yaml.CollectionStartEvent):
                if len(items) > MAX_YAML_DEPTH:
                    raise YamlError(first_line + event.start_mark.line,
                                    f"lists and mappings nested more than {MAX_YAML_DEPTH} levels deep")
                items.append(0)
                mapping.append(isinstance(event, yaml.MappingStartEvent))
            elif isinstance(event, yaml.AliasEvent):
                raise YamlError(first_line + event.start_mark.line,
                                f"YAML aliases are not allowed (*{event.anchor}): write the value out in full")
    finally:
        loader.dispose()
