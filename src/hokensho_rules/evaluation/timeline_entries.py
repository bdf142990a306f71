"""What a timeline's stratum decided for one case, and the outcome data it adds, computed lean.

An :class:`Entry` is what the engine's fired rules for one abstraction key come to: per
question the deciding rule (or the fired rules, on a conflict or gap) and its data.
Outcome data are pure functions of the flat keys their expressions read, so the
non-moving ones are memoised per entry by those values (:class:`Added`), and every datum
by its own (:class:`Datum`, shared by every entry, member and day): those computed from
the date (moving) are looked up each day, with the date among the values they read. On any error, every answer and datum is
computed again in the order of ``Rulebook.evaluate`` so that the same error is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from ..facts.record import Value, encode
from ..law.expressions import Compiled
from ..law.schema import Rule
from .evaluator import Evaluator
from .thresholds import around_ordinal

__all__ = ["Added", "Datum", "Entry", "EntryData"]

# Values kept per datum; past it the memo starts again (memory stays bounded on any population).
_MEMO_SIZE = 100_000


class Datum(NamedTuple):
    """One datum of a deciding rule in one epoch."""

    name: str
    compiled: Compiled
    key: str  # the flat key later strata read it under
    moving: bool  # computed from the evaluation date: names no change point
    reads: tuple[str, ...]  # the flat keys its expression reads: its value depends on nothing else
    # (values of ``reads``) → its value (encoded) or None: shared by every entry, member and day.
    memo: dict[tuple[Value | None, ...], Value | None]


class Entry:
    """What a stratum decides for one abstraction key: per question its deciding rule (or
    the fired rules, on a conflict or gap), and, per set of values its data read, the data.

    Data are pure functions of the flat keys their expressions read (facts and earlier
    data), so they are computed once per distinct set of those values, shared by every
    member and day of the run.
    """

    __slots__ = ("answers", "failed", "memo", "moving", "plans", "reads")

    def __init__(self, plans: tuple[tuple[str, str, tuple[Rule, ...], Rule | None, tuple[Datum, ...]], ...],
                 reads: tuple[str, ...]):
        # (question, its answer's key, the fired rules, the deciding rule or None, its data)
        self.plans = plans
        self.failed = any(rule is None for _, _, _, rule, _ in plans)
        self.answers = tuple((q, rule.outcome, rule.id) for q, _, _, rule, _ in plans if rule is not None)
        self.reads = reads  # every key the non-moving data read that the stratum does not write itself
        # The data computed from the date (so differing from day to day), in order: computed every time.
        self.moving = tuple((q, rule, datum) for q, _, _, rule, data in plans if rule is not None
                            for datum in data if datum.moving)
        # (values of ``reads``) → what the stratum adds (see ``Added``).
        self.memo: dict[tuple[Value | None, ...], Added] = {}


class Added(NamedTuple):
    """What a stratum adds to the fact: its answers and data; the dates its data name."""

    values: tuple[tuple[str, Value], ...]  # every flat key and value added (answers, non-moving data)
    derived: tuple[int, ...]  # day numbers the non-moving date data name, and the day after each
    fixed: tuple[tuple[str, Value], ...]  # the non-moving data alone: all later conditions can see


class EntryData:
    """Computing an entry's answers and data into a flat fact (a base of ``TimelineEvaluator``)."""

    book: Evaluator

    def _stratum_data(self, entry: Entry, fact: dict[str, Value], member_id: str, day: int) -> Added:
        """The answers and non-moving data ``entry`` adds to ``fact`` (added), question by
        question as ``Rulebook.evaluate`` does, and the day numbers those data name.

        On any error, every datum is computed again in the order of ``Rulebook.evaluate``
        (:meth:`_in_order`), so that the error raised is the one it raises."""
        if entry.failed:
            self._in_order(entry, fact, member_id, day)
        added: list[tuple[str, Value]] = []
        fixed: list[tuple[str, Value]] = []
        derived: list[int] = []
        try:
            for question, answer_at, _, rule, data in entry.plans:
                assert rule is not None
                values: list[tuple[str, Value]] = [(answer_at, rule.outcome)]
                for datum in data:
                    if datum.moving:
                        continue
                    # Every datum from the fact as it is before this answer's data are added.
                    value = self._memoised(datum, fact, member_id, question, rule, day)
                    if value is None:
                        continue
                    values.append((datum.key, value))
                    fixed.append((datum.key, value))
                    if type(value) is int:
                        derived.extend(around_ordinal(value))
                fact.update(values)
                added.extend(values)
        except ValueError:
            self._in_order(entry, fact, member_id, day)
            raise
        return Added(tuple(added), tuple(derived), tuple(fixed))

    def _moving_data(self, entry: Entry, fact: dict[str, Value], member_id: str, day: int) -> None:
        """Compute into ``fact`` the data of ``entry`` computed from the date (its other data are there)."""
        try:
            for question, rule, datum in entry.moving:
                value = self._memoised(datum, fact, member_id, question, rule, day)
                if value is None:
                    fact.pop(datum.key, None)  # a value of the day before must not stay
                else:
                    fact[datum.key] = value
        except ValueError:
            self._in_order(entry, fact, member_id, day)
            raise

    def _in_order(self, entry: Entry, fact: dict[str, Value], member_id: str, day: int) -> None:
        """Every answer and datum of ``entry`` into ``fact`` in the order of ``Rulebook.evaluate``,
        raising its first error (a conflict, a gap, a datum beyond the calendar)."""
        for question, answer_at, fired, rule, data in entry.plans:
            if rule is None:
                # Conflict or gap: resolved again, so that the error names this member and day.
                self.book.resolution(question, list(fired), member_id, date.fromordinal(day))
                raise AssertionError(f"{question}: rules {[r.id for r in fired]} resolved after failing")
            values: list[tuple[str, Value]] = [(answer_at, rule.outcome)]
            for datum in data:
                value = self._computed(datum, fact, member_id, question, rule, day)
                if value is not None:
                    values.append((datum.key, value))
            fact.update(values)

    def _memoised(self, datum: Datum, fact: Mapping[str, Value], member_id: str, question: str, rule: Rule, day: int
                  ) -> Value | None:
        """The datum's value on ``fact``: from its memo, or computed (and kept) if these values are new."""
        read = tuple([fact.get(k) for k in datum.reads])
        memo = datum.memo
        if read in memo:
            return memo[read]
        value = self._computed(datum, fact, member_id, question, rule, day)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[read] = value
        return value

    @staticmethod
    def _computed(datum: Datum, fact: Mapping[str, Value], member_id: str, question: str, rule: Rule, day: int) -> Value | None:
        try:
            value = datum.compiled(fact)
        except (ValueError, OverflowError) as error:
            # A date beyond the calendar (a 5-year period from 9998): say where, as Rulebook.evaluate does.
            raise ValueError(
                f"member {member_id}, question {question}, on {date.fromordinal(day).isoformat()}: "
                f"rule {rule.id}'s data: {error}"
            ) from None
        return None if value is None else encode(value)
