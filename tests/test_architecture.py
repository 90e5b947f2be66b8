"""The package's shape: layers that import one way, no cycle, and modules, classes and functions of a
size a reader can hold (the README's "How the code is organised" describes the same rule)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "generator"

# Each package may import the packages listed for it (and itself), and nothing else of ours.
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "read": {"model", "markup"},
    "markup": {"model"},
    "render": {"model", "read", "markup"},
    "publish": {"model", "read", "render", "output"},
    "output": {"model", "render"},
    "engine": {"model", "read", "markup", "publish", "output"},
    "pipeline": {"model", "read", "markup", "render", "publish", "output", "engine"},
    "verify": {"model", "read", "render", "publish", "engine"},
    "serve": {"model", "pipeline", "engine"},
    "authoring": {"model", "read"},
    "": {"model", "read", "pipeline", "serve", "verify", "authoring"},  # the CLI and the public API
}
MAX_MODULE, MAX_CLASS, MAX_FUNCTION = 450, 250, 80


def modules() -> dict[str, Path]:
    """Dotted name (without 'generator.') -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """The modules of ours that a module imports, at its top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif node.module and (node.module == "generator" or node.module.startswith("generator.")):
                target = node.module.removeprefix("generator").lstrip(".")
                candidates = [target] + [f"{target}.{alias.name}".lstrip(".") for alias in node.names]
            else:
                continue
            known = modules()
            found.update(c for c in candidates if c in known and c != name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("generator."):
                    found.add(alias.name.removeprefix("generator."))
    return found


def layer(name: str) -> str:
    return name.split(".")[0] if "." in name or name in ALLOWED else ""


def test_each_package_imports_only_the_layers_below_it() -> None:
    wrong = []
    for name, path in modules().items():
        own = layer(name)
        for target in imports(name, path):
            other = layer(target)
            if other != own and other not in ALLOWED[own] and other != "":
                wrong.append(f"{name} imports {target}")
            if other == "" and own != "" and target:  # the CLI and the public API are for users only
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_there_is_no_import_cycle() -> None:
    graph = defaultdict(set)
    for name, path in modules().items():
        graph[name] = {target for target in imports(name, path) if target}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle.extend([*trail[trail.index(target):], target] if target in trail else [node, target])
                return True
            if target not in state and visit(target, [*trail, target]):
                return True
        state[node] = 2
        return False

    for node in sorted(graph):
        if node not in state and visit(node, [node]):
            break
    assert not cycle, " -> ".join(cycle)


def test_only_the_pipeline_and_the_server_use_the_engine_and_the_model_imports_nothing_of_ours() -> None:
    for name, path in modules().items():
        targets = {layer(target) for target in imports(name, path)}
        if layer(name) == "model":
            assert targets <= {"model"}, name
        if "engine" in targets:
            assert layer(name) in {"engine", "pipeline", "serve", "verify"}, name


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_classes_and_functions_stay_small(name: str) -> None:
    path = modules()[name]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE, f"{path}: {text.count(chr(10))} lines (at most {MAX_MODULE})"
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        if isinstance(node, ast.ClassDef):
            assert size <= MAX_CLASS, f"{path}:{node.lineno}: class {node.name} has {size} lines"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert size <= MAX_FUNCTION, f"{path}:{node.lineno}: {node.name}() has {size} lines"


def test_the_public_api_is_not_shadowed_by_a_subpackage() -> None:
    """Importing a subpackage sets an attribute of the package: one named like an API function would
    replace it (a subpackage `check/` once turned generator.check into a module)."""
    import importlib
    import types

    import generator

    for name in modules():
        if name:
            importlib.import_module(f"generator.{name}")
    for name in generator.__all__:
        assert not isinstance(getattr(generator, name), types.ModuleType), name
