"""What one evaluation produced, as plain data: a verdict per question and the record.

A trace is what every result is built from (a Decision, a timeline's intervals, an
action list's rows) and what every explanation reads: it needs nothing back from the
evaluator that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..facts.record import Value
from ..law.schema import Rule

__all__ = ["Trace", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one question: its outcome, the data it carries, and why.

    ``rule`` decided it; ``concurring`` rules stood too and agreed; ``overridden`` are
    the fired rules a standing rule set aside (see ``evaluation.resolve``).
    """

    question: str
    outcome: str
    data: Mapping[str, date | str]
    rule: Rule
    concurring: tuple[Rule, ...] = ()
    overridden: tuple[Rule, ...] = ()

    @property
    def rule_id(self) -> str:
        """Id of the deciding rule, e.g. ``"PC-3"``."""
        return self.rule.id

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (dates as ISO strings)."""
        return {
            "question": self.question,
            "outcome": self.outcome,
            "data": {k: v.isoformat() if isinstance(v, date) else v for k, v in self.data.items()},
            "rule_id": self.rule.id,
            "implements": list(self.rule.implements),
            "citation": {"source": self.rule.citation.source, "sections": list(self.rule.citation.sections)},
            "concurring": [r.id for r in self.concurring],
            "overridden": [r.id for r in self.overridden],
        }


@dataclass(frozen=True, slots=True)
class Trace:
    """One member on one date: each question's verdict (in the rulebook's order) and the
    record the engine saw, with the answers of earlier strata added to it."""

    member_id: str
    on: date
    verdicts: Mapping[str, Verdict]
    record: Mapping[str, Value]
