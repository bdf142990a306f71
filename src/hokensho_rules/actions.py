"""The insurer's action list: what someone must do, for whom, by when, and why.

Which outcomes call for an action is data: a question's outcome in ``rules/`` may
declare an ``action`` (its title and the outcome datum holding its deadline). This
module only collects those verdicts into rows, so a new action needs no Python.

One need, one row (ruling X-16): an action that another question's action closes too
(``closed_by``, e.g. a coverage gap closed by issuing the certificate) marks that row
as a gap instead of adding a row of its own.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .decisions import Decision, Lang, Rows, Verdict, check_lang, show_date
from .privacy import shown
from .rulebook.schema import Action as ActionSpec
from .rulebook.schema import Question, Text

__all__ = ["Action", "ActionList", "actions_of", "needs"]


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


Need = tuple[str, ActionSpec, object, "str | None"]


def needs(questions: Mapping[str, Question], answers: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[Need]:
    """One need per row, in question order: (question, its action, the due datum's value,
    the question of a coverage gap it also closes, or None).

    ``answers`` are (question, outcome, data). An action another question's action
    closes too (``closed_by``) marks that row instead of adding one (ruling X-16).
    """
    rows: dict[str, list[Any]] = {}
    closing: list[tuple[str, str, ActionSpec, object]] = []
    for question, outcome, data in answers:
        action = questions[question].outcomes[outcome].action
        if action is None:
            continue
        due = data.get(action.due) if action.due else None
        if action.closed_by is None:
            rows[question] = [question, action, due, None]
        else:
            closing.append((action.closed_by, question, action, due))
    for closer, question, action, due in closing:
        if closer in rows:
            rows[closer][3] = question
        else:
            rows[question] = [question, action, due, None]
    return [(q, action, due, gap) for q, action, due, gap in rows.values()]


def actions_of(decision: Decision) -> list[Action]:
    """The actions one member's decision calls for, one per need, in question order."""
    verdicts = decision.verdicts
    answers = ((v.question, v.outcome, v.data) for v in verdicts.values())
    return [
        Action(
            decision.member_id, decision.on, action.title, due if isinstance(due, date) else None,
            verdicts[question], verdicts[gap] if gap is not None else None,
        )
        for question, action, due, gap in needs(decision.rulebook.questions, answers)
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
    def collect(cls, decisions: Iterable[Decision], on: date) -> ActionList:
        """The action list of the given decisions (all made on ``on``)."""
        rows = [action for decision in decisions for action in actions_of(decision)]
        return cls(on, tuple(sorted(rows, key=_order)))

    def counts(self, lang: Lang = "en") -> dict[str, int]:
        """How many rows each action has."""
        return dict(Counter(getattr(row.title, lang) for row in self.rows))

    def render(self, lang: Lang = "ja", *, limit: int | None = None) -> str:
        """A clerk's list: one line per row, with deadline, member, action and rule."""
        check_lang(lang)
        # bool is an int, and a negative limit would slice from the end.
        if limit is not None and type(limit) is not int:
            raise TypeError(f"limit must be None or a whole number of rows, got {shown(limit)}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or at least 0, got {limit}")
        listed = self.rows if limit is None else self.rows[:limit]
        lines = [_heading(self, lang)]
        lines += [_line(row, lang) for row in listed]
        if len(listed) < len(self.rows):
            rest = len(self.rows) - len(listed)
            lines.append(f"… 他 {rest} 件" if lang == "ja" else f"… and {rest} more")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ActionList(on={self.on.isoformat()}, rows={len(self.rows)})"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("due", "member", "action", "rule"))
        body = "".join(
            "<tr>"
            f"<td>{row.due.isoformat() if row.due else ''}{' ⚠' if row.overdue else ''}</td>"
            f"<td>{html.escape(row.member_id)}</td><td>{html.escape(row.title.en)}</td>"
            f"<td>{html.escape(row.verdict.rule_id)}</td></tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _heading(actions: ActionList, lang: Lang) -> str:
    if lang == "ja":
        return f"{show_date(actions.on, lang)} 時点の対応一覧（{len(actions)} 件）"
    return f"Actions as of {show_date(actions.on, lang)} ({len(actions)} rows)"


def _line(row: Action, lang: Lang) -> str:
    if row.due is None:
        due = "期限なし" if lang == "ja" else "no deadline"
    else:
        late = ("（期限超過）" if lang == "ja" else " (overdue)") if row.overdue else ""
        due = show_date(row.due, lang) + late
    gap = ("（受診手段の空白）" if lang == "ja" else " (coverage gap)") if row.gap is not None else ""
    return f"{due} | {row.member_id} | {getattr(row.title, lang)}{gap} | {row.verdict.rule_id}"

