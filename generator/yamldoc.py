"""Safe YAML parsing that can say on which line of a file each key stands.

Parsing uses PyYAML's C loader when it is available. Line numbers are only needed when a
problem is reported, so the node tree that carries them is composed lazily, on first use.
"""

from __future__ import annotations

from typing import Any, Union

import yaml

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

    def __init__(self, text: str, first_line: int = 1) -> None:
        """Parse text, whose first line is line first_line of its file; raise YamlError."""
        self.text = text
        self.first_line = first_line
        self._root: yaml.Node | None = None
        try:
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
                for key, value in node.value:
                    if key.value == step:
                        line, node = key.start_mark.line, value
                        break
                else:
                    break
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
