"""bench/ split by job (issue 18 item 7): ``run_all.py`` is only the driver, and no bench module imports
another that imports it back.

Read from the source (``ast``), nothing is run: every import counts, a lazy one inside a function too.
"""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_imports(path: Path, modules: set[str]) -> set[str]:
    """The bench modules that ``path`` imports, wherever in the file the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return (names & modules) - {path.stem}


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports (its first module repeated at the end), or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            circle = visit(imported, [*path, name])
            if circle:
                return circle
        done.add(name)
        return None

    for name in sorted(graph):
        circle = visit(name, [])
        if circle:
            return circle
    return None


def test_no_bench_module_imports_one_that_imports_it_back() -> None:
    modules = {path.stem: path for path in BENCH.glob("*.py")}
    graph = {name: bench_imports(path, set(modules)) for name, path in modules.items()}
    assert graph["run_all"], "the driver imports the groups of figures"
    circle = find_circle(graph)
    assert circle is None, " -> ".join(circle or [])


def test_run_all_is_only_the_driver() -> None:
    """Measuring, the stub, the rows and the page live in modules of their own: run_all.py defines main."""
    tree = ast.parse((BENCH / "run_all.py").read_text())
    defined = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    assert defined == ["main"]


def test_find_circle_finds_one() -> None:
    """The check above can see a circle (a, b import each other) and a clean graph."""
    assert find_circle({"a": {"b"}, "b": {"a"}, "c": set()}) == ["a", "b", "a"]
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
