"""The floors of the house, checked over the whole tree from the source (no imports run).

    forensics/   the Qt-free core: imports neither app, ui nor PySide6
    app/         wiring (may use Qt): imports forensics, never ui
    ui/          Qt widgets: imports app and forensics
    ui/entry.py  the program's one entry point (``quzheng``), the only module allowed to
                 reach every floor to dispatch: CLI, GUI, workspace child, proxy child,
                 self-test

Every ``.py`` under ``forensics/``, ``app/`` and ``ui/`` is parsed with ``ast`` and *every*
import of a project module is collected — at module level and inside functions (a lazy
import is an import all the same: that is how an eight-file circle once hid behind one).
``from pkg import name`` resolves to the submodule ``pkg/name.py`` when it exists, else to
``pkg/__init__.py``. The implicit import of a parent package's ``__init__`` is not an edge
(a package that re-exports its submodules is not a circle). Imports by a string
(``importlib.import_module("…")``) are not seen.

``if TYPE_CHECKING:`` imports never run, so they are left out of the circle check; they are
kept for the floor checks (an annotation that names an upper floor is an upward arrow too).

    QT_QPA_PLATFORM=offscreen .venv/bin/pytest -q tests/test_layering.py
    .venv/bin/python tests/test_layering.py        # prints the graph's numbers
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("forensics", "app", "ui")
ENTRY = "ui.entry"
"""The one module allowed to import across every floor."""

FLOOR = {"forensics": 0, "app": 1, "ui": 2}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. "app.cli"
    target: str  # imported project module, e.g. "forensics.case", or "PySide6"
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``

    def where(self) -> str:
        return f"{path_of(self.source)}:{self.line} imports {self.target}"


def module_files() -> dict[str, Path]:
    """Every project module, by dotted name (packages by their own name)."""
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = module_files()


def path_of(module: str) -> str:
    path = MODULES.get(module)
    return str(path.relative_to(ROOT)) if path else module


def _resolve(name: str) -> str | None:
    """The project module ``import name`` loads (its longest known prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node below ``node`` with whether it sits under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.body:
                yield sub, True
                yield from _walk(sub, True)
            for sub in child.orelse:
                yield sub, type_only
                yield from _walk(sub, type_only)
            continue
        yield child, type_only
        yield from _walk(child, type_only)


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def add(target: str | None, node: ast.stmt, type_only: bool) -> None:
        if target is not None and target != module:
            found.append(Import(module, target, node.lineno, type_only))

    for node, type_only in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "PySide6":
                    add("PySide6", node, type_only)
                else:
                    add(_resolve(alias.name), node, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from ..a import b
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.split(".")[0] == "PySide6":
                add("PySide6", node, type_only)
                continue
            for alias in node.names:
                sub = f"{name}.{alias.name}"
                add(sub if sub in MODULES else _resolve(name), node, type_only)
    return found


def all_imports() -> list[Import]:
    return [imp for module in MODULES for imp in imports_of(module)]


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def runtime_graph(imports: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in imports:
        if not imp.type_only and imp.target in MODULES:
            edges[imp.source].add(imp.target)
    return edges


def _describe(component: list[str], edges: dict[str, set[str]]) -> str:
    members = set(component)
    arrows = [
        f"    {path_of(a)} -> {path_of(b)}" for a in component for b in sorted(edges[a] & members)
    ]
    return f"circle of {len(component)} files:\n" + "\n".join(arrows)


# -- the checks ------------------------------------------------------------------------------


IMPORTS = all_imports()


def test_the_whole_tree_is_scanned() -> None:
    assert len(MODULES) > 150, len(MODULES)
    assert {m.split(".")[0] for m in MODULES} == set(PACKAGES)
    assert ENTRY in MODULES
    # Lazy imports are seen: a known one inside a function.
    assert any(i.source == ENTRY and i.target == "ui.main" for i in IMPORTS)


def test_the_core_imports_neither_app_nor_ui_nor_qt() -> None:
    bad = [
        i.where()
        for i in IMPORTS
        if i.source.split(".")[0] == "forensics"
        and i.target.split(".")[0] in ("app", "ui", "PySide6")
    ]
    assert not bad, "forensics/ reaches up:\n" + "\n".join(bad)


def test_app_never_imports_ui() -> None:
    bad = [
        i.where()
        for i in IMPORTS
        if i.source.split(".")[0] == "app" and i.target.split(".")[0] == "ui"
    ]
    assert not bad, "app/ reaches up into ui/:\n" + "\n".join(bad)


def test_no_upward_arrow_but_from_the_entry_module() -> None:
    """Only ``ui.entry`` may import every floor; no module imports the entry module."""
    bad = []
    for i in IMPORTS:
        top = i.target.split(".")[0]
        if i.target == ENTRY:
            bad.append(i.where() + " (the entry module is the top: nothing imports it)")
        elif i.source != ENTRY and top in FLOOR and FLOOR[top] > FLOOR[i.source.split(".")[0]]:
            bad.append(i.where())
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_import_circles() -> None:
    edges = runtime_graph(IMPORTS)
    found = circles(edges)
    assert not found, "\n".join(_describe(c, edges) for c in found)


def test_the_circle_finder_finds_circles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert circles(edges) == [["a", "b", "c"]]


if __name__ == "__main__":
    edges = runtime_graph(IMPORTS)
    print(f"{len(MODULES)} modules, {sum(map(len, edges.values()))} import edges")
    found = circles(edges)
    print(f"{len(found)} circles")
    for c in found:
        print(_describe(c, edges))
    up = [
        i.where()
        for i in IMPORTS
        if i.source != ENTRY
        and i.target.split(".")[0] in FLOOR
        and FLOOR[i.target.split(".")[0]] > FLOOR[i.source.split(".")[0]]
    ]
    print(f"{len(up)} upward imports", *up, sep="\n")
    sys.exit(1 if found or up else 0)
