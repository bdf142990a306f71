"""The insurer's action list: what someone must do, for whom, by when, and why.

Which outcomes call for an action is data: a question's outcome in ``rules/`` may
declare an ``action`` (its title and the outcome datum holding its deadline). This
module only collects those verdicts into rows, so a new action needs no Python.

One need, one row (ruling X-16): an action that another question's action closes too
(``closed_by``, e.g. a coverage gap closed by issuing the certificate) marks that row
as a gap instead of adding a row of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from .decisions import Decision, Rows, Verdict
from ..law.needs import needs
from ..law.schema import Text

__all__ = ["Action", "ActionList", "actions_of"]


@dataclass(frozen=True, slots=True)
class Action:
    """One row of the action list: a verdict whose outcome calls for an action."""

    member_id: str
    on: date
    title: Text
    due: date | None
    verdict: Verdict
    gap: Verdict | None = None

    @property
    def need(self) -> str:
        """The question whose outcome calls for this action: one row per member and need."""
        return self.verdict.question

    @property
    def overdue(self) -> bool:
        """Whether the deadline had passed on the date of the list."""
        return self.due is not None and self.due < self.on

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data: what a program consumes."""
        verdict = self.verdict.to_dict()
        return {
            "member_id": self.member_id,
            "action": self.title.en,
            "action_ja": self.title.ja,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "question": verdict["question"],
            "outcome": verdict["outcome"],
            "rule_id": verdict["rule_id"],
            "citation": verdict["citation"],
            "data": verdict["data"],
            "coverage_gap": self.gap is not None,
        }


def actions_of(decision: Decision) -> list[Action]:
    """The actions one member's decision calls for, one per need, in question order."""
    verdicts = decision.verdicts
    answers = ((v.question, v.outcome, v.data) for v in verdicts.values())
    return [
        Action(
            decision.member_id, decision.on, action.title, due if isinstance(due, date) else None,
            verdicts[question], verdicts[gap] if gap is not None else None,
        )
        for question, action, due, gap in needs(decision.law.questions, answers)
    ]


def _order(action: Action) -> tuple[bool, date, str]:
    # Most urgent first; rows without a deadline last; then by member for a stable list.
    return (action.due is None, action.due or date.max, action.member_id)


@dataclass(frozen=True)
class ActionList(Rows[Action]):
    """Every action a membership calls for on one date, most urgent first."""

    on: date
    rows: tuple[Action, ...]

    @classmethod
    def collect(cls, decisions: Iterable[Decision], on: date) -> Self:
        """The action list of the given decisions (all made on ``on``)."""
        rows = [action for decision in decisions for action in actions_of(decision)]
        return cls(on, tuple(sorted(rows, key=_order)))

    def __repr__(self) -> str:
        return f"ActionList(on={self.on.isoformat()}, rows={len(self.rows)})"
