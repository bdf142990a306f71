"""Modules depend one way: no import cycle, and no layer imports a layer above it.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING``:
an import hidden in a function still ties the two modules together.
"""

from __future__ import annotations

import ast
import graphlib
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hokensho_rules"

# From the bottom up: each folder of the package is a layer (docs/architecture.md draws
# them). A module belongs to the layer of its first name; ``__init__`` and ``dask`` are
# the public entry modules at the top.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("facts", ("facts",)),
    ("the law", ("law",)),
    ("engine", ("engine",)),
    ("evaluation", ("evaluation",)),
    ("results", ("results",)),
    ("rendering", ("render",)),
    ("the rulebook", ("rulebook",)),
    ("membership", ("membership",)),
    ("testing and proving", ("testing", "prove")),
    ("command line and service", ("cli", "serve")),
    ("entry modules", ("__init__", "dask")),
)


def _modules(package: Path) -> dict[str, Path]:
    found = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join([*base, *([node.module] if node.module else [])])
            candidates = [target, *(f"{target}.{alias.name}" if target else alias.name for alias in node.names)]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hokensho_rules"):
            target = node.module.removeprefix("hokensho_rules").lstrip(".")  # type: ignore[union-attr]
            candidates = [target, *(f"{target}.{alias.name}".lstrip(".") for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name.removeprefix("hokensho_rules.") for alias in node.names
                          if alias.name.startswith("hokensho_rules.")]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):
                found.add(candidate)
    return found


def _graph(package: Path) -> dict[str, set[str]]:
    modules = _modules(package)
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(name: str) -> int:
    head = name.split(".")[0]
    return next(i for i, (_, prefixes) in enumerate(LAYERS) if head in prefixes)


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for name, targets in graph.items() for target in targets if _layer(target) > _layer(name)
    )


GRAPH = _graph(PACKAGE)


def test_every_module_has_a_layer() -> None:
    for name in GRAPH:
        assert any(name.split(".")[0] in prefixes for _, prefixes in LAYERS), name


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert _upward(GRAPH) == []


def test_an_upward_import_inside_a_function_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "hokensho_rules"
    shutil.copytree(PACKAGE, copy)
    with (copy / "facts" / "member.py").open("a", encoding="utf-8") as module:
        module.write("\n\ndef _late() -> None:\n    from ..results import actions  # noqa\n")
    found = _upward(_graph(copy))
    assert "facts.member (facts) imports results.actions (results)" in found
    assert all(line.startswith("facts.member (facts) imports results") for line in found)


def test_no_modules_import_each_other_in_a_circle() -> None:
    sorter = graphlib.TopologicalSorter(GRAPH)
    sorter.prepare()  # raises CycleError naming the circle


def test_the_package_top_holds_only_layers_and_entry_modules() -> None:
    entries = {path.name for path in PACKAGE.iterdir() if path.is_file()}
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert entries == {"__init__.py", "py.typed", "dask.py"}
    assert folders == {name for _, prefixes in LAYERS for name in prefixes} - {"__init__", "dask"}


def test_architecture_page_names_every_layer() -> None:
    page = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    for _, prefixes in LAYERS:
        for name in prefixes:
            if name != "__init__":
                assert f"`{name}/`" in page or f"`{name}.py`" in page, name


def test_no_module_is_long_without_a_reason() -> None:
    # A module over ~400 lines holds more than one job, unless its docstring says why not.
    long = [
        name for name, path in _modules(PACKAGE).items()
        if len(path.read_text(encoding="utf-8").splitlines()) > 400
        and "longer than 400 lines" not in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    ]
    assert long == []
