"""Timelines of a whole membership as one table: member, question, from, until, outcome, rule.

Built by :func:`collect` (``Rulebook.timelines``) with the batched evaluation of
``evaluation/timelines.py``. One row per interval over which a member's answer to a
question keeps the same outcome and deciding rule, exactly the intervals of
``Rulebook.timeline`` for that member, in the input's order of members, then the
rulebook's order of questions, then by date. A member whose timeline cannot be
computed (conflicting rules or a gap on some day, a datum beyond the calendar) is one
:class:`~hokensho_rules.RowError` in :attr:`Timelines.errors`, not a failed call.

As Arrow (:meth:`Timelines.to_arrow`, the ``files`` extra): dates are ``date32``, the
question, outcome and rule columns dictionary-encoded (categories in pandas).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from ..evaluation.change_points import analysis_of, check_window
from ..evaluation.rows import RowError
from ..evaluation.timelines import Run, timeline_evaluator
from ..evaluation.evaluator import Evaluator
from ..facts.errors import DecisionError
from ..facts.member import Member
from ..facts.privacy import shown
from ..law.packs import Law

__all__ = ["COLUMNS", "Timelines", "collect", "collect_chunks"]

T = TypeVar("T", bound="Timelines")

COLUMNS = ("member_id", "question", "start", "end", "days", "outcome", "rule_id")
"""The table's columns (those of ``Timeline.to_rows``): ``end`` is inclusive, ``days`` counts both ends."""


@dataclass(frozen=True)
class Timelines:
    """Every question's intervals for every member of a membership from ``start`` to ``end``.

    ``members`` are the ids whose timelines are in the table, in input order;
    ``errors`` the members whose timeline could not be computed (``row`` counts the
    input's members from 1). ``len()`` is the number of interval rows.
    """

    start: date
    end: date
    members: tuple[str, ...]
    # One (member id, its runs) per member, in input order.
    runs: tuple[tuple[str, tuple[Run, ...]], ...] = field(repr=False)
    errors: tuple[RowError, ...]
    law: Law = field(repr=False, compare=False)

    def __len__(self) -> int:
        return sum(len(runs) for _, runs in self.runs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_rows())

    def rows_of(self, member_id: str) -> list[dict[str, Any]]:
        """The rows of one member (``Rulebook.timeline(member, …).to_rows()``); KeyError if not in the table."""
        for found, runs in self.runs:
            if found == member_id:
                return [_row(found, run) for run in runs]
        raise KeyError(f"no member {shown(member_id)} in these timelines ({len(self.members)} members)")

    def to_rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per interval (dates as ISO strings), the keys of :data:`COLUMNS`."""
        return [_row(member_id, run) for member_id, runs in self.runs for run in runs]

    def columns(self) -> dict[str, list[Any]]:
        """The table as columns: dates as ``datetime.date``, the rest as in :meth:`to_rows`."""
        out: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        ordinal = date.fromordinal
        for member_id, runs in self.runs:
            out["member_id"] += [member_id] * len(runs)
            for run in runs:
                out["question"].append(run.question)
                out["start"].append(ordinal(run.start))
                out["end"].append(ordinal(run.end))
                out["days"].append(run.end - run.start + 1)
                out["outcome"].append(run.outcome)
                out["rule_id"].append(run.rule_id)
        return out

    def to_arrow(self) -> Any:
        """The table as a ``pyarrow.Table`` (needs the ``files`` extra): dates as ``date32``,
        ``days`` as ``int32``, question, outcome and rule as dictionary columns."""
        import pyarrow as pa  # noqa: PLC0415 - optional extra

        columns = self.columns()
        return pa.table(
            {
                "member_id": pa.array(columns["member_id"], pa.string()),
                "question": pa.array(columns["question"], pa.string()).dictionary_encode(),
                "start": pa.array(columns["start"], pa.date32()),
                "end": pa.array(columns["end"], pa.date32()),
                "days": pa.array(columns["days"], pa.int32()),
                "outcome": pa.array(columns["outcome"], pa.string()).dictionary_encode(),
                "rule_id": pa.array(columns["rule_id"], pa.string()).dictionary_encode(),
            }
        )

    def to_pandas(self) -> Any:
        """The table as a ``pandas.DataFrame`` (needs the ``pandas`` extra): dates as
        ``datetime.date`` objects, question, outcome and rule as categories."""
        return self.to_arrow().to_pandas()

    def __repr__(self) -> str:
        return (
            f"Timelines({self.start.isoformat()}..{self.end.isoformat()}: {len(self.members)} members, "
            f"{len(self)} intervals, {len(self.errors)} errors)"
        )


def _row(member_id: str, run: Run) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "question": run.question,
        "start": date.fromordinal(run.start).isoformat(),
        "end": date.fromordinal(run.end).isoformat(),
        "days": run.end - run.start + 1,
        "outcome": run.outcome,
        "rule_id": run.rule_id,
    }


def _checked_window(start: date, end: date) -> None:
    for name, value in (("start", start), ("end", end)):
        if type(value) is not date:
            raise TypeError(f"{name} must be a datetime.date, got {shown(value)}")
    if start > end:
        raise ValueError(f"start must be on or before end, got start={start.isoformat()}, end={end.isoformat()}")


def collect_chunks(
    book: Evaluator, members: Iterable[Member], start: date, end: date, *, chunk: int = 2_000, cls: type[T] = Timelines  # type: ignore[assignment]
) -> Iterator[T]:
    """The timelines of ``members`` in chunks of ``chunk`` members (streamed: a file of any
    size is read, computed and written with bounded memory). Member rows count from 1
    across chunks. A member id given twice is a ValueError; anything not a Member a TypeError.
    """
    _checked_window(start, end)
    if isinstance(members, (Member, str, bytes)):
        raise TypeError(f"members must be an iterable of hokensho_rules.Member, got one {type(members).__name__}")
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    if (unsupported := analysis_of(book.law).unsupported) is not None:
        raise ValueError(unsupported)  # the rules, not a member: no timeline at all
    evaluator = timeline_evaluator(book)
    seen: set[str] = set()
    ids: list[str] = []
    runs: list[tuple[str, tuple[Run, ...]]] = []
    errors: list[RowError] = []
    for row, member in enumerate(members, start=1):
        check_window(member, start, end)  # a TypeError naming what was given instead of a Member
        if member.id in seen:
            raise ValueError(f"member id {member.id!r} appears more than once")
        seen.add(member.id)
        try:
            found = tuple(evaluator.runs(member, start, end))
        except (DecisionError, ValueError) as error:
            errors.append(RowError(row, member.id, str(error), type(error).__name__))
        else:
            ids.append(member.id)
            runs.append((member.id, found))
        if len(ids) + len(errors) >= chunk:
            yield cls(start, end, tuple(ids), tuple(runs), tuple(errors), book.law)
            ids, runs, errors = [], [], []
    if ids or errors or not seen:
        yield cls(start, end, tuple(ids), tuple(runs), tuple(errors), book.law)


def collect(
    book: Evaluator, members: Iterable[Member], start: date, end: date, *, cls: type[T] = Timelines  # type: ignore[assignment]
) -> T:
    """The timelines of every member of ``members`` from ``start`` to ``end``, as one table;
    see :meth:`Rulebook.timelines <hokensho_rules.Rulebook.timelines>`."""
    parts = list(collect_chunks(book, members, start, end, chunk=1 << 62, cls=cls))
    if len(parts) == 1:
        return parts[0]
    return cls(
        start, end, tuple(m for p in parts for m in p.members), tuple(r for p in parts for r in p.runs),
        tuple(e for p in parts for e in p.errors), book.law,
    )
