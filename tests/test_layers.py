"""The package's import graph: no circle between modules, and the layers of ``[tool.importlinter]`` hold.

The graph is read from the sources with ``ast``: every ``import`` counts, at the top of a
module or inside a function (a lazy import still runs), except under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ldn_tui"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

Graph = dict[str, set[str]]


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, nested ones too, but not those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph(package: Path) -> Graph:
    """Which of the package's modules each module imports."""
    known = modules(package)
    graph: Graph = {}
    for name, path in known.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = alias.name
                    while target and target not in known:
                        target = target.rpartition(".")[0]
                    if target:
                        targets.add(target)
                continue
            if node.level:
                parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            for alias in node.names:
                if f"{base}.{alias.name}" in known:  # ``from package import module``
                    targets.add(f"{base}.{alias.name}")
                elif base in known:
                    targets.add(base)
        targets.discard(name)
        graph[name] = targets
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_cycles_are_found() -> None:
    graph: Graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": set(), "f": {"g"}, "g": {"f"}}
    assert cycles(graph) == [["a", "b", "c"], ["f", "g"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_relative_and_from_package_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("def __getattr__(name):\n    from .low import X\n    return X\n")
    (package / "sub" / "low.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.top\nX = 1\n")
    (package / "sub" / "mid.py").write_text("from . import low\nfrom pkg.sub import X\n")
    (package / "top.py").write_text("def f():\n    import pkg.sub.mid\n    from .sub.low import X\n    import os\n")
    assert import_graph(package) == {
        "pkg": set(),
        "pkg.sub": {"pkg.sub.low"},
        "pkg.sub.low": set(),  # under TYPE_CHECKING: never run
        "pkg.sub.mid": {"pkg.sub.low", "pkg.sub"},
        "pkg.top": {"pkg.sub.mid", "pkg.sub.low"},
    }


def test_no_import_circle() -> None:
    found = cycles(import_graph(PACKAGE))
    assert found == [], found


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (the dev extra)")
def test_a_layer_broken_fails_lint_imports(tmp_path: Path) -> None:
    """``lint-imports`` (CI) fails when analysis imports Rich: on a copy of the package, never the checkout."""
    shutil.copytree(PACKAGE, tmp_path / "ldn_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    stats = tmp_path / "ldn_tui" / "analysis" / "stats.py"
    stats.write_text(stats.read_text(encoding="utf-8") + "\nimport rich\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "import neither Rich nor Textual BROKEN" in " ".join(out.stdout.split())
    assert "ldn_tui.analysis.stats -> rich" in out.stdout
    assert "Contracts: 3 kept, 1 broken." in out.stdout


def test_package_inits_are_cheap() -> None:
    """Importing a package runs none of its modules (nor Rich or Textual): each is imported when used."""
    packages = sorted(name for name, path in modules(PACKAGE).items() if path.name == "__init__.py")
    code = (
        "import importlib, json, sys\n"
        "loaded = {}\n"
        f"for name in {packages!r}:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "    loaded[name] = sorted(m for m in set(sys.modules) - before\n"
        "                          if m.split('.')[0] in ('ldn_tui', 'rich', 'textual') and m not in (name, 'ldn_tui'))\n"
        "print(json.dumps(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == {name: [] for name in packages}


def test_search_exports_its_public_names() -> None:
    import ldn_tui.search as package
    from ldn_tui.search import index, query, service

    for name in package.__all__:  # each from the first module of the three that has it
        home = next(m for m in (query, index, service) if hasattr(m, name))
        assert getattr(package, name) is getattr(home, name), name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        package.nothing  # noqa: B018
