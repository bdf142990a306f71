"""Modules depend one way: no import cycle, and no layer imports a layer above it.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING``:
an import hidden in a function still ties the two modules together.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hokensho_rules"

# From the bottom up: each folder of the package is a layer. A module belongs to the
# layer of its first name; ``__init__`` and ``dask`` are the public entry modules.
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
    ("command line", ("cli",)),
    ("entry modules", ("__init__", "dask")),
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
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
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):
                found.add(candidate)
    return found


def _layer(name: str) -> int:
    head = name.split(".")[0]
    return next(i for i, (_, prefixes) in enumerate(LAYERS) if head in prefixes)


GRAPH = {name: _imports(name, path, _modules()) for name, path in _modules().items()}


def test_every_module_has_a_layer() -> None:
    for name in GRAPH:
        assert _layer(name) is not None, name


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = sorted(
        f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for name, targets in GRAPH.items() for target in targets if _layer(target) > _layer(name)
    )
    assert upward == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    sorter = graphlib.TopologicalSorter(GRAPH)
    sorter.prepare()  # raises CycleError naming the circle
