"""From the rules that fired for one question to its single answer.

A rule listed in another fired rule's ``overrides`` is set aside (it is the general
rule, the other its exception); a ``fallback`` rule stands only when nothing else
does. What is left must agree: two answers are a conflict, none is a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..errors import ConflictError, GapError
from .schema import Rule

__all__ = ["Resolution", "resolve"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The deciding rule of a question, the rules that agreed and those it set aside."""

    deciding: Rule
    concurring: tuple[Rule, ...]
    overridden: tuple[Rule, ...]


def resolve(question: str, fired: Sequence[Rule], *, member_id: str, on: date) -> Resolution:
    """Resolve ``fired`` (in rulebook order) to one answer, or raise Conflict/GapError."""
    overridden_ids = {target for rule in fired for target in rule.overrides}
    standing = [r for r in fired if r.id not in overridden_ids]
    if any(not r.fallback for r in standing):
        standing = [r for r in standing if not r.fallback]
    if not standing:
        raise GapError(
            member_id, question, on, tuple(r.id for r in fired),
            "no rule gives an answer" + (f" (fired but overridden: {', '.join(r.id for r in fired)})" if fired else ""),
        )
    outcomes = {r.outcome for r in standing}
    if len(outcomes) > 1:
        raise ConflictError(
            member_id, question, on, tuple(r.id for r in standing),
            "rules give different answers and none overrides the others: "
            + "; ".join(f"{r.id} says {r.outcome!r}" for r in standing),
        )
    return Resolution(
        deciding=standing[0],
        concurring=tuple(standing[1:]),
        overridden=tuple(r for r in fired if r.id in overridden_ids),
    )
