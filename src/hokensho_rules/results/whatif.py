"""What-if: where two rulebooks (e.g. the seed alone and the rules in force) disagree.

Both sides are timelines, so the comparison is exact over the whole period and costs
one evaluation per change point, not one per day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from .decisions import Rows
from ..evaluation.evaluator import Evaluator
from ..evaluation.trace import Verdict
from ..facts.member import Member, membership
from ..facts.privacy import shown
from ..law.packs import Law
from .timeline import Interval, Timeline, build_timeline

C = TypeVar("C", bound="Comparison")

__all__ = ["Comparison", "Difference", "compare", "differences"]


@dataclass(frozen=True, slots=True)
class Difference:
    """Over ``start``..``end`` (inclusive) the two rulebooks answer ``question`` differently."""

    member_id: str
    question: str
    start: date
    end: date
    left: Verdict
    right: Verdict

    @property
    def data(self) -> dict[str, tuple[object, object]]:
        """Each datum the two answers give differently: datum → (left value, right value)."""
        keys = list(dict.fromkeys((*self.left.data, *self.right.data)))
        return {k: (self.left.data.get(k), self.right.data.get(k)) for k in keys if self.left.data.get(k) != self.right.data.get(k)}

    def to_dict(self) -> dict[str, Any]:
        """The difference as JSON-ready data."""
        def side(verdict: Verdict) -> dict[str, Any]:
            return {"outcome": verdict.outcome, "rule_id": verdict.rule_id, "data": verdict.to_dict()["data"]}

        return {
            "member_id": self.member_id,
            "question": self.question,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "left": side(self.left),
            "right": side(self.right),
            "data_differ": sorted(self.data),
        }


def _key(verdict: Verdict) -> tuple[str, str, tuple[tuple[str, object], ...]]:
    # Two answers differ by outcome, by deciding rule, or by their data (a deadline).
    return verdict.outcome, verdict.rule_id, tuple(sorted(verdict.data.items()))


def _runs(left: Sequence[Interval], right: Sequence[Interval]) -> Iterator[tuple[date, date, Verdict, Verdict]]:
    """The pieces of the period on which neither side changes."""
    starts = sorted({run.start for run in (*left, *right)})
    ends = [later - timedelta(days=1) for later in starts[1:]] + [left[-1].end]
    i = j = 0
    for start, end in zip(starts, ends, strict=True):
        while left[i].end < start:
            i += 1
        while right[j].end < start:
            j += 1
        yield start, end, left[i].verdict, right[j].verdict


def differences(left: Timeline, right: Timeline) -> list[Difference]:
    """Where two timelines of one member disagree, merged over consecutive days.

    Only the questions both rulebooks ask are compared; a pack's own question has no
    counterpart to differ from.
    """
    found: list[Difference] = []
    for question in (q for q in left if q in right):
        for start, end, a, b in _runs(left[question], right[question]):
            if _key(a) == _key(b):
                continue
            last = found[-1] if found else None
            if (
                last is not None and last.question == question and last.end + timedelta(days=1) == start
                and _key(last.left) == _key(a) and _key(last.right) == _key(b)
            ):
                found[-1] = Difference(last.member_id, question, last.start, end, last.left, last.right)
            else:
                found.append(Difference(left.member_id, question, start, end, a, b))
    return found


@dataclass(frozen=True)
class Comparison(Rows[Difference]):
    """Every difference between two rulebooks for a membership over a period."""

    left: Law
    right: Law
    start: date
    end: date
    rows: tuple[Difference, ...]

    def __repr__(self) -> str:
        return f"Comparison({'+'.join(self.left.packs)} vs {'+'.join(self.right.packs)}, {len(self.rows)} differences)"


def compare(
    left: Evaluator, right: Evaluator, members: Member | Iterable[Member], start: date, end: date,
    *, cls: type[C] = Comparison,  # type: ignore[assignment]
) -> C:
    """Which answers differ between ``left`` and ``right``, for whom, on which dates, and
    because of which rules (each side's deciding rule) or data.

    ``members`` is one Member or an iterable of them; anything else is a TypeError, and
    a member id given twice a ValueError. ``start`` and ``end`` are dates, start first.
    """
    for name, book in (("left", left), ("right", right)):
        if not isinstance(book, Evaluator):
            raise TypeError(f"{name} must be a hokensho_rules.Rulebook, got {type(book).__name__}")
    # Checked here too, so that a bad period is an error even with no member to compare.
    for name, day in (("start", start), ("end", end)):
        if type(day) is not date:
            raise TypeError(f"{name} must be a datetime.date, got {shown(day)}")
    if start > end:
        raise ValueError(f"start must be on or before end, got start={start.isoformat()}, end={end.isoformat()}")
    people = [members] if isinstance(members, Member) else membership(members)
    rows = [
        d for m in people
        for d in differences(build_timeline(left, m, start, end), build_timeline(right, m, start, end))
    ]
    return cls(left.law, right.law, start, end, tuple(rows))
