"""Finding and reading rule files: packs are folders or files under ``rules/``."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..facts.errors import RuleFileError
from ..facts.privacy import redact, shown
from .schema import RuleFile

__all__ = ["MAX_DEPTH", "MAX_VALUES", "SEED_PACK", "available_packs", "pack_files", "read_rule_file", "read_yaml", "rules_dir"]

SEED_PACK = "seed"


@functools.cache
@functools.cache  # where this package is installed does not change while it runs; every date parsed asks
def rules_dir() -> Path:
    """The ``rules/`` folder: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "rules", here.parents[1] / "rules"):
        if (candidate / SEED_PACK).is_dir():
            return candidate
    raise FileNotFoundError(f"no rules/{SEED_PACK} folder next to {here}")


def _natural(name: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name) if part)


def available_packs(root: Path | None = None) -> tuple[str, ...]:
    """The seed pack, then every amendment pack (one file each) in name order (numbers as numbers)."""
    amendments = (root or rules_dir()) / "amendments"
    # In natural order: b9_… before b10_….
    later = sorted((p.stem for p in amendments.glob("*.yaml")), key=_natural) if amendments.is_dir() else []
    return (SEED_PACK, *later)


def pack_files(name: str, root: Path | None = None) -> tuple[Path, ...]:
    """The rule files of one pack, in name order."""
    base = root or rules_dir()
    if name == SEED_PACK:
        return tuple(sorted((base / SEED_PACK).glob("*.yaml")))
    # Only the names listed: "../seed/x" must not read a file from elsewhere as a pack.
    available = available_packs(base)
    if name not in available:
        raise ValueError(f"unknown pack {shown(name)}; available: {', '.join(available)}")
    return (base / "amendments" / f"{name}.yaml",)


def _rule_id_at(raw: Any, loc: tuple[int | str, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(raw, dict):
        try:
            rule = raw["rules"][loc[1]]
        except (IndexError, KeyError, TypeError):
            return None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        # Not yet validated: a hostile file's "id" may be anything, of any length.
        if rule_id is None:
            return f"#{loc[1] + 1}"
        text = redact(rule_id if isinstance(rule_id, str) else repr(rule_id))
        return text if len(text) <= 40 else text[:40] + "…"
    return None


# Rule files are small (the shipped ones nest at most 10 levels and hold about a
# thousand values); these bounds refuse a hostile file before anything walks it. The
# depth bounds every recursion downstream (validation, checks, compiling, explaining)
# and the count a YAML alias bomb, whose aliases share nodes that a walk would visit
# once per path: 9 levels of ten aliases are a billion values, in a file of 1 KB.
MAX_DEPTH = 40
MAX_VALUES = 100_000


_UNION_TAGS = frozenset({"compare", "presence", "outcome", "any", "date", "bool", "int", "str"})


def _field_path(loc: tuple[int | str, ...]) -> str:
    # pydantic names the union member it tried after the user's own keys; stop there.
    parts: list[str] = []
    for part in loc[2:] if loc[:1] == ("rules",) else loc:
        text = str(part)
        if text in _UNION_TAGS or text[:1].isupper() or "[" in text:
            break
        parts.append(text)
    return ".".join(parts) or "(file)"


class _Depth:
    """Collections nested at most MAX_DEPTH deep, checked while composing, before the parser
    reads further: PyYAML composes recursively (a RecursionError past ~1,000 levels) and its
    scanner slows quadratically with the depth of flow collections (10 KB of "[" took 4 s)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep
            node: yaml.Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        finally:
            self._depth -= 1


class _Loader(_Depth, yaml.SafeLoader):
    """YAML with only true/false as booleans, so outcomes like no and on stay text, and
    with collections nested at most MAX_DEPTH deep."""


class _TooDeep(yaml.YAMLError):
    """A YAML file nests collections deeper than MAX_DEPTH."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LOADER: type = _Loader
if yaml.__with_libyaml__:
    from yaml.composer import Composer
    from yaml._yaml import CParser

    class _FastLoader(_Depth, Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """The same loader with libyaml's scanner and parser (a sixth of the time: every
        worker process loads the rules); composing stays in Python, with its depth check."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            Composer.__init__(self)

    _LOADER = _FastLoader


def read_yaml(path: Path) -> Any:
    """A YAML file read safely, with only true/false as booleans (YAML 1.2 style)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


def _check_size(raw: Any, path: Path) -> None:
    """Raise RuleFileError if ``raw`` nests deeper than MAX_DEPTH or, with every alias
    expanded, holds more than MAX_VALUES values. Linear in the distinct nodes."""
    counted: dict[int, int] = {}  # id of a list or dict -> values in it, aliases expanded

    def count(node: Any, depth: int) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        if depth > MAX_DEPTH:
            # An alias inside the node it names (&a [*a]) nests forever: caught here too.
            raise RuleFileError(path, f"nested more than {MAX_DEPTH} levels deep (or a YAML alias refers to itself)")
        known = counted.get(id(node))
        if known is None:
            children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            known = counted[id(node)] = 1 + sum(count(child, depth + 1) for child in children)
        if known > MAX_VALUES:
            raise RuleFileError(path, f"holds more than {MAX_VALUES:,} values once its YAML aliases are expanded")
        return known

    count(raw, 0)


def read_rule_file(path: Path) -> RuleFile:
    """Read and validate one rule file; a malformed one raises :class:`RuleFileError`."""
    try:
        raw = read_yaml(path)
    except _TooDeep:
        raise RuleFileError(path, f"nested more than {MAX_DEPTH} levels deep") from None
    except yaml.YAMLError as error:
        raise RuleFileError(path, f"not valid YAML: {error}") from None
    except UnicodeDecodeError as error:
        raise RuleFileError(path, f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    _check_size(raw, path)
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        raise RuleFileError(
            path,
            f"{first['msg']} (got {shown(first.get('input'))})"
            + (f"; {error.error_count() - 1} more problem(s)" if error.error_count() > 1 else ""),
            rule_id=_rule_id_at(raw, loc),
            field=_field_path(loc),
        ) from None
