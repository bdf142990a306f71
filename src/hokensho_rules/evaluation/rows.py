"""The rows a membership's evaluation yields: a decided member (:class:`MemberResult`,
its :class:`Answer` per question and :class:`ActionRow` per action) or an input row
that could not be decided (:class:`RowError`). Plain, immutable, cheap to pickle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from ..facts.privacy import spreadsheet_safe

__all__ = ["ActionRow", "Answer", "MemberResult", "RowError"]


class Answer(NamedTuple):
    """One question's answer: its outcome, the deciding rule's id, and the outcome's data."""

    outcome: str
    rule_id: str
    data: Mapping[str, date | str]


class ActionRow(NamedTuple):
    """One row of the action list: what must be done for a member, by when, and which rule says so."""

    member_id: str
    on: date
    action: str
    action_ja: str
    due: date | None
    question: str
    outcome: str
    rule_id: str
    coverage_gap: bool = False

    @property
    def overdue(self) -> bool:
        """Whether the deadline had passed on the date of the evaluation."""
        return self.due is not None and self.due < self.on

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data (the keys of :meth:`Action.to_dict <hokensho_rules.Action.to_dict>`)."""
        return {
            "member_id": self.member_id,
            "action": self.action,
            "action_ja": self.action_ja,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "question": self.question,
            "outcome": self.outcome,
            "rule_id": self.rule_id,
            "coverage_gap": self.coverage_gap,
        }


_PackedAnswers = tuple[tuple[str, str, str, tuple[tuple[str, "int | str"], ...]], ...]
_PackedActions = tuple[tuple[str, str, "int | None", str, str, str, bool], ...]


class MemberResult:
    """One input row that was decided: every question's answer and the actions they call for.

    ``row`` counts input records from 1. ``decision`` is the full Decision (with its
    explanations) only when it was asked for. Immutable; equal when row, member, date,
    answers and actions are.
    """

    __slots__ = ("_actions", "_answers", "_packed", "decision", "member_id", "on", "row")
    ok = True

    def __init__(
        self, row: int, member_id: str, on: date, answers: Mapping[str, Answer] | None,
        actions: tuple[ActionRow, ...] | None, decision: Any = None,
    ):
        self.row = row
        self.member_id = member_id
        self.on = on
        self._answers = answers
        self._actions = actions
        self.decision = decision
        self._packed: tuple[_PackedAnswers, _PackedActions] | None = None

    @property
    def answers(self) -> Mapping[str, Answer]:
        """Question id → Answer, in the rulebook's order of questions."""
        if self._answers is None:
            assert self._packed is not None
            self._answers = _unpack_answers(self._packed[0])
        return self._answers

    @property
    def actions(self) -> tuple[ActionRow, ...]:
        """The action rows the answers call for, in question order."""
        if self._actions is None:
            assert self._packed is not None
            on, member_id = self.on, self.member_id
            self._actions = tuple(
                ActionRow(member_id, on, title, title_ja, date.fromordinal(due) if due is not None else None, q, o, r, gap)
                for title, title_ja, due, q, o, r, gap in self._packed[1]
            )
        return self._actions

    def outcomes(self) -> dict[str, str]:
        """Question id → outcome."""
        return {q: a.outcome for q, a in self.answers.items()}

    def packed_answers(self) -> _PackedAnswers:
        """The answers as flat tuples ``(question, outcome, rule id, ((datum, value), …))``,
        dates as day numbers (``date.toordinal``): for writers of many rows, which need no objects."""
        if self._packed is not None:
            return self._packed[0]
        return _pack_answers(self.answers)

    def _key(self) -> tuple[Any, ...]:
        return (self.row, self.member_id, self.on, dict(self.answers), self.actions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemberResult) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MemberResult(row={self.row}, member_id={self.member_id!r}, on={self.on.isoformat()}, " \
               f"answers={len(self.answers)}, actions={len(self.actions)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Results cross process boundaries by the hundred thousand: they travel as flat
        # tuples (strings shared within a pickle, dates as day numbers) and become
        # objects again only when read (answers, actions).
        if self._packed is not None and self._answers is None:
            answers, actions = self._packed
        else:
            answers = _pack_answers(self.answers)
            actions = tuple((a.action, a.action_ja, a.due.toordinal() if a.due else None, a.question, a.outcome,
                             a.rule_id, a.coverage_gap) for a in self.actions)
        return (_rebuild_result, (self.row, self.member_id, self.on.toordinal(), answers, actions, self.decision))


def _pack_answers(answers: Mapping[str, Answer]) -> _PackedAnswers:
    return tuple(
        (q, a.outcome, a.rule_id, tuple((k, v.toordinal() if isinstance(v, date) else v) for k, v in a.data.items()))
        for q, a in answers.items()
    )


def _rebuild_result(
    row: int, member_id: str, on: int, answers: _PackedAnswers, actions: _PackedActions, decision: Any,
) -> MemberResult:
    result = MemberResult(row, member_id, date.fromordinal(on), None, None, decision)
    result._packed = (answers, actions)
    return result


@dataclass(frozen=True, slots=True)
class RowError:
    """One input row that could not be decided, and why.

    ``column`` (as the file's header writes it) and ``value`` name the bad cell when one
    cell was the problem; ``value`` is shortened, and ``None`` for the ``id`` column and
    for any value that may be a My Number. ``problem`` is in English, ``problem_ja`` in
    Japanese (when the problem has a Japanese wording). ``kind`` is the error's class
    name (``ValidationError``, ``ConflictError``, ``DuplicateId``, …).
    """

    row: int
    member_id: str | None
    problem: str
    kind: str
    column: str | None = None
    value: str | None = None
    problem_ja: str | None = None

    ok = False

    def __str__(self) -> str:
        return self.message("en")

    def message(self, lang: str = "en") -> str:
        """The error as one line, in English (``en``) or Japanese (``ja``), naming the row, column and value."""
        # The value as a spreadsheet would not run it, should the line be pasted into one.
        value = repr(spreadsheet_safe(self.value)) if self.value is not None else None
        if lang == "ja" and self.problem_ja:
            where = f"{self.row}行目" + (f"（加入者 {self.member_id}）" if self.member_id else "")
            cell = f"、列「{self.column}」" if self.column else ""
            shown = f"、値 {value}" if value is not None else ""
            return f"{where}{cell}{shown}: {self.problem_ja}"
        where = f"row {self.row}" + (f" (member {self.member_id})" if self.member_id else "")
        cell = f", column {self.column}" if self.column else ""
        shown = f", value {value}" if value is not None else ""
        return f"{where}{cell}{shown}: {self.problem}"


def _unpack_answers(packed: _PackedAnswers) -> dict[str, Answer]:
    return {
        q: _new_answer(Answer, (outcome, rule_id, {k: date.fromordinal(v) if isinstance(v, int) else v for k, v in data}))
        for q, outcome, rule_id, data in packed
    }


# NamedTuple's own __new__ is a Python function; the tuple's is not (same object either way).
_new_answer = tuple.__new__
