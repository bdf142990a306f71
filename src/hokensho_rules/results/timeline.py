"""Timelines: how each answer for a member changes over a period, and why.

Built from the member's traces on the days some answer can change (see
``evaluation.change_points``), each question's answers merged into intervals over which
the outcome and the deciding rule stay the same.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

from ..evaluation import change_points
from ..evaluation.evaluator import Evaluator
from ..evaluation.trace import Trace, Verdict
from ..facts.member import Member
from ..facts.privacy import shown
from ..law.packs import Law

__all__ = ["Change", "Interval", "Timeline", "build_timeline"]

_DAY = timedelta(days=1)
T = TypeVar("T", bound="Timeline")


@dataclass(frozen=True, slots=True)
class Interval:
    """Days over which one question keeps the same outcome, decided by the same rule.

    ``end`` is inclusive; the last interval of a timeline ends on the timeline's end,
    though its answer may continue after it. ``verdict`` is the verdict on ``start``:
    data computed from the evaluation date (e.g. a validity if issued that day) are
    those of ``start``.
    """

    start: date
    end: date
    verdict: Verdict

    @property
    def question(self) -> str:
        """The question's id, e.g. ``"paper_card.usable"``."""
        return self.verdict.question

    @property
    def outcome(self) -> str:
        """The outcome on every day of the interval."""
        return self.verdict.outcome

    @property
    def rule_id(self) -> str:
        """The rule that decides the outcome on every day of the interval."""
        return self.verdict.rule_id

    @property
    def days(self) -> int:
        """Number of days in the interval."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        """The interval as JSON-ready data (dates as ISO strings)."""
        return {
            "question": self.question,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "outcome": self.outcome,
            "rule_id": self.rule_id,
            "data": self.verdict.to_dict()["data"],
        }


@dataclass(frozen=True, slots=True)
class Change:
    """On ``on``, a question's outcome or deciding rule changed from ``before`` to ``after``."""

    on: date
    question: str
    before: Verdict
    after: Verdict

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return {
            "on": self.on.isoformat(),
            "question": self.question,
            "from": {"outcome": self.before.outcome, "rule_id": self.before.rule_id},
            "to": {"outcome": self.after.outcome, "rule_id": self.after.rule_id},
        }


@dataclass(frozen=True)
class Timeline(Mapping[str, tuple[Interval, ...]]):
    """Every question's answers for one member from ``start`` to ``end`` (both inclusive).

    Index it by question id to get that question's intervals, in date order, which
    cover the whole period. Build one with :meth:`Rulebook.timeline
    <hokensho_rules.Rulebook.timeline>`.
    """

    member_id: str
    start: date
    end: date
    intervals: Mapping[str, tuple[Interval, ...]]
    points: tuple[date, ...] = field(repr=False)
    law: Law = field(repr=False)

    def __getitem__(self, question: str) -> tuple[Interval, ...]:
        try:
            return self.intervals[question]
        except KeyError:
            raise KeyError(f"no question {shown(question)}; questions: {', '.join(self.intervals)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.intervals)

    def __len__(self) -> int:
        return len(self.intervals)

    def at(self, day: date) -> dict[str, Interval]:
        """Question id → the interval holding ``day``, which must lie within the timeline."""
        if type(day) is not date:
            raise TypeError(f"day must be a datetime.date, got {shown(day)}")
        if not self.start <= day <= self.end:
            raise ValueError(f"day {day.isoformat()} is outside the timeline {self.start}..{self.end}")
        found = {}
        for question, runs in self.intervals.items():
            index = bisect.bisect_right([run.start for run in runs], day) - 1
            found[question] = runs[index]
        return found

    def changes(self) -> tuple[Change, ...]:
        """Every change after ``start``, by date, then in the rulebook's order of questions."""
        found = [
            Change(later.start, question, earlier.verdict, later.verdict)
            for question, runs in self.intervals.items()
            for earlier, later in itertools.pairwise(runs)
        ]
        order = {question: i for i, question in enumerate(self.intervals)}
        return tuple(sorted(found, key=lambda c: (c.on, order[c.question])))

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data: intervals per question and the changes."""
        return {
            "member_id": self.member_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "intervals": {q: [run.to_dict() for run in runs] for q, runs in self.intervals.items()},
            "changes": [change.to_dict() for change in self.changes()],
        }

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat JSON-ready row per interval, for a table or a CSV file."""
        return [
            {
                "member_id": self.member_id,
                "question": question,
                "start": run.start.isoformat(),
                "end": run.end.isoformat(),
                "days": run.days,
                "outcome": run.outcome,
                "rule_id": run.rule_id,
            }
            for question, runs in self.intervals.items()
            for run in runs
        ]

    def __repr__(self) -> str:
        return (
            f"Timeline(member={self.member_id!r}, {self.start.isoformat()}..{self.end.isoformat()}: "
            f"{len(self.changes())} changes in {len(self.intervals)} questions)"
        )


def _runs(question: str, points: list[date], traces: Mapping[date, Trace], end: date) -> tuple[Interval, ...]:
    """Consecutive points merged while the outcome and the deciding rule stay the same."""
    runs: list[Interval] = []
    for i, day in enumerate(points):
        last = points[i + 1] - _DAY if i + 1 < len(points) else end
        verdict = traces[day].verdicts[question]
        previous = runs[-1] if runs else None
        if previous is not None and (previous.outcome, previous.rule_id) == (verdict.outcome, verdict.rule_id):
            runs[-1] = replace(previous, end=last)
        else:
            runs.append(Interval(day, last, verdict))
    return tuple(runs)


def build_timeline(
    evaluator: Evaluator, member: Member, start: date, end: date, *, cls: type[T] = Timeline  # type: ignore[assignment]
) -> T:
    """The timeline of ``member`` from ``start`` to ``end``; see :meth:`Rulebook.timeline
    <hokensho_rules.Rulebook.timeline>`. ``cls`` is the Timeline class to build."""
    traces = change_points.traces(evaluator, member, start, end)
    points = sorted(traces)
    # A timeline has no institution's counter: the questions that need one are not asked.
    asked = traces[points[0]].verdicts
    intervals = {q: _runs(q, points, traces, end) for q in evaluator.law.questions if q in asked}
    return cls(member.id, start, end, MappingProxyType(intervals), tuple(points), evaluator.law)
