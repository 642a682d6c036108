"""Every module of portal imports, stays short, and the feature packages import without a cycle."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
# Every package of portal/ (a folder with an __init__.py) is a feature package.
FEATURES = frozenset(path.parent.name for path in PORTAL.glob("*/__init__.py"))

# A module longer than this does several jobs: split it by what each part holds.
MAX_MODULE_LINES = 450

Edges = dict[str, dict[str, set[str]]]  # package -> imported package -> importing modules


def module_names() -> list[str]:
    """Dotted names of every module under portal/."""
    names = []
    for path in sorted(PORTAL.rglob("*.py")):
        parts = path.relative_to(PORTAL.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def module_path(name: str) -> Path:
    """The source file of a portal module."""
    base = PORTAL.parent.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def feature_of(name: str) -> str | None:
    """The feature package a dotted module name belongs to, if any."""
    parts = name.split(".")
    if len(parts) > 1 and parts[0] == "portal" and parts[1] in FEATURES:
        return parts[1]
    return None


def _typing_only(node: ast.If) -> bool:
    """Whether the block runs for type checkers only (`if TYPE_CHECKING:`)."""
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that may run: at the top or inside a function (lazy), not typing-only."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _typing_only(node):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def imported_names(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Absolute dotted names an import statement brings in (`from a import b` gives `a.b`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        is_package = module_path(module).name == "__init__.py"
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in node.names]


def package_graph() -> Edges:
    """Which feature package imports which, from every import statement of their modules."""
    edges: Edges = defaultdict(lambda: defaultdict(set))
    for module in module_names():
        source = feature_of(module)
        if source is None:
            continue
        tree = ast.parse(module_path(module).read_text(), filename=str(module_path(module)))
        for node in runtime_imports(tree):
            for name in imported_names(module, node):
                target = feature_of(name)
                if target is not None and target != source:
                    edges[source][target].add(module)
    return edges


def cycles(edges: Edges) -> set[tuple[str, ...]]:
    """Every elementary cycle of the graph, each rotated to start at its smallest package."""
    found: set[tuple[str, ...]] = set()

    def walk(start: str, path: list[str]) -> None:
        for target in edges.get(path[-1], {}):
            if target == start:
                found.add(tuple(path))
            elif target > start and target not in path:
                walk(start, [*path, target])

    for start in sorted(edges):
        walk(start, [start])
    return found


def describe(cycle: tuple[str, ...], edges: Edges) -> str:
    """A cycle with the modules making each of its steps."""
    steps = []
    for source, target in zip(cycle, (*cycle[1:], cycle[0]), strict=True):
        modules = ", ".join(sorted(edges[source][target]))
        steps.append(f"  {source} -> {target}  ({modules})")
    return " -> ".join((*cycle, cycle[0])) + "\n" + "\n".join(steps)


@pytest.mark.parametrize("name", module_names())
def test_every_module_imports(name: str) -> None:
    """Each module of portal imports on its own."""
    assert importlib.import_module(name).__name__ == name


def test_the_graph_sees_known_imports() -> None:
    """The graph is built from real imports: the views of rewards reach the models package."""
    edges = package_graph()
    assert "portal.rewards.views" in {m for ms in edges["rewards"].values() for m in ms}
    assert "models" in edges["rewards"]
    assert cycles({"a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {"a": {"z"}}}) == {("a", "b", "c")}


def test_imports_inside_functions_count_and_typing_only_ones_do_not() -> None:
    """A lazy import inside a function is an edge; one under TYPE_CHECKING is not."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from portal.models import Merchant\n"
        "def load():\n"
        "    from portal.demo.loader import load_demo_data\n"
    )
    found = {n for node in runtime_imports(tree) for n in imported_names("portal.api.x", node)}
    assert found == {"typing.TYPE_CHECKING", "portal.demo.loader.load_demo_data"}


def test_no_import_cycle_between_feature_packages() -> None:
    """No feature package imports, directly or through others, a package that imports it back."""
    edges = package_graph()
    found = sorted(cycles(edges))
    assert not found, "Import cycles between feature packages:\n" + "\n".join(
        describe(cycle, edges) for cycle in found
    )


def test_no_module_of_portal_is_longer_than_the_limit() -> None:
    lengths = {
        str(path.relative_to(PORTAL.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PORTAL.rglob("*.py")
    }
    assert len(lengths) > 100
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}
