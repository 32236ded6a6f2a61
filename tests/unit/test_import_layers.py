"""Packages of ``ehd`` import each other in one direction only: a cycle between two packages
(``calls`` <-> ``queueing`` and ``tickets`` <-> ``mail`` were the last) means neither can be
read, tested or replaced alone. The graph is read from the source, so a new cycle fails here
with the modules that close it.

A package is ``ehd.<name>`` (``ehd.web.<name>`` for the web app's feature packages); loose
top-level modules and the web shell are units of their own; ``ehd.web.app`` is the composition
root that registers every feature package, so it stands apart from the shell the features
use. Imports under ``if TYPE_CHECKING:`` are left out; every other import counts, including
those inside functions (a deferred import is still a dependency)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ehd

ROOT = Path(ehd.__file__).parent


def _unit(module: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["ehd", "web"] and len(parts) > 2:
        if (ROOT / "web" / parts[2]).is_dir():
            return ".".join(parts[:3])
        return "ehd.web.app" if parts[2] == "app" else "ehd.web"
    return ".".join(parts[:2])


def _is_module(name: str) -> bool:
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        yield from _imports(node)


def _graph() -> dict[str, dict[str, str]]:
    """unit -> {imported unit: "importing.module -> imported.module" (one example)}."""
    edges: dict[str, dict[str, str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        for name in _imports(ast.parse(path.read_text())):
            if not name.startswith("ehd.") or not _is_module(name):
                continue
            source, target = _unit(module), _unit(name)
            if source != target:
                edges.setdefault(source, {}).setdefault(target, f"{module} -> {name}")
    return edges


def _cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for other in edges.get(unit, {}):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == unit:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for unit in list(edges):
        if unit not in index:
            visit(unit)
    return found


def test_no_two_packages_import_each_other() -> None:
    edges = _graph()
    report = []
    for group in _cycles(edges):
        links = [edges[a][b] for a in group for b in group if b in edges.get(a, {})]
        report.append(" / ".join(group) + ":\n    " + "\n    ".join(links))
    assert not report, "import cycles between packages:\n" + "\n".join(report)


def test_the_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": ""}, "b": {}}) == []
    edges = _graph()
    assert "ehd.queueing" in edges["ehd.stasis"] and "ehd.tickets" in edges["ehd.mailboxes"]
