"""Finding and reading rule files: packs are folders or files under ``rules/``."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import RuleFileError
from ..privacy import redact, shown
from .schema import RuleFile

__all__ = ["SEED_PACK", "available_packs", "pack_files", "read_rule_file", "read_yaml", "rules_dir"]

SEED_PACK = "seed"


@functools.cache
def rules_dir() -> Path:
    """The ``rules/`` folder: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "rules", here.parents[1] / "rules"):
        if (candidate / SEED_PACK).is_dir():
            return candidate
    raise FileNotFoundError(f"no rules/{SEED_PACK} folder next to {here}")


def available_packs(root: Path | None = None) -> tuple[str, ...]:
    """The seed pack, then every amendment pack (one file each) in name order."""
    amendments = (root or rules_dir()) / "amendments"
    later = sorted(p.stem for p in amendments.glob("*.yaml")) if amendments.is_dir() else []
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


class _Loader(yaml.SafeLoader):
    """YAML with only true/false as booleans, so outcomes like no and on stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path) -> Any:
    """A YAML file read safely, with only true/false as booleans (YAML 1.2 style)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def read_rule_file(path: Path) -> RuleFile:
    """Read and validate one rule file; a malformed one raises :class:`RuleFileError`."""
    try:
        raw = read_yaml(path)
    except yaml.YAMLError as error:
        raise RuleFileError(path, f"not valid YAML: {error}") from None
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
