"""The package's modules import each other without cycles, each imports on its own,
and the front ends (report, Spark, command line) use only public names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "dedup"
MODULES = sorted(
    "dedup" if p.stem == "__init__" else f"dedup.{p.stem}" for p in PACKAGE.glob("*.py")
)
FRONT_ENDS = ["dedup.cli", "dedup.report", "dedup.spark"]


def _path(module: str) -> Path:
    return PACKAGE / ("__init__.py" if module == "dedup" else module.split(".")[1] + ".py")


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(module: str) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of a `dedup` module in `module`, at any depth
    (imports inside functions too, which can close a cycle at run time), except
    those under ``if TYPE_CHECKING:``."""
    out: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                out.extend((a.name, []) for a in child.names if a.name.split(".")[0] == "dedup")
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("dedup"):
                out.append((str(child.module), [a.name for a in child.names]))
            visit(child)

    visit(ast.parse(_path(module).read_text(encoding="utf-8")))
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, names in _imports(m):
            # `from dedup import io` imports the submodule; `from dedup import Corpus`
            # runs the package's __init__.
            subs = {f"{target}.{n}" for n in names} & set(MODULES)
            graph[m] |= subs if subs else ({target} & set(MODULES))
        graph[m].discard(m)
    return graph


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = _graph()
    assert graph["dedup.corpus"], "the parser found no imports: the test is broken"
    done: set[str] = set()

    def walk(m: str, path: list[str]) -> None:
        if m in path:
            cycle = [*path[path.index(m) :], m]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if m in done:
            return
        for n in sorted(graph[m]):
            walk(n, [*path, m])
        done.add(m)

    for m in MODULES:
        walk(m, [])


def _own_helper(front_end: str, target: str) -> bool:
    """A private module that exists for one front end only: `dedup._spark_stages` for
    `dedup.spark`. It may use the library's private names; the front end uses its
    public names."""
    return target.startswith(f"dedup._{front_end.rsplit('.', 1)[1]}_")


@pytest.mark.parametrize("module", FRONT_ENDS)
def test_front_ends_use_only_public_names(module: str) -> None:
    for target, names in _imports(module):
        helpers = [f"{target}.{n}" for n in names if _own_helper(module, f"{target}.{n}")]
        if _own_helper(module, target) or helpers:
            assert not [n for n in names if n.startswith("_") and f"{target}.{n}" not in helpers]
            continue
        assert not any(part.startswith("_") for part in target.split(".")), (module, target)
        assert not [n for n in names if n.startswith("_")], (module, target, names)

    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    private = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]
    assert private == [], private


def test_a_front_end_s_helpers_serve_it_alone() -> None:
    for m in MODULES:
        for target, names in _imports(m):
            for t in [target, *(f"{target}.{n}" for n in names)]:
                owners = [f for f in FRONT_ENDS if _own_helper(f, t)]
                if owners and not _own_helper(owners[0], m):
                    assert m == owners[0], (m, t)


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    # One interpreter a module, so that each is the first dedup module imported: a
    # cycle shows up as an ImportError on a partly initialised module.
    for m in MODULES:
        if m == "dedup.__main__":  # runs the command line when imported
            continue
        r = subprocess.run(
            [sys.executable, "-c", f"import {m}"], capture_output=True, text=True, check=False
        )
        assert r.returncode == 0, (m, r.stderr)
