"""Timelines for a whole membership: the change points of many members, the engine's work shared.

:func:`~hokensho_rules.evaluation.change_points.traces` evaluates one member fully
(Verdicts, a fresh record, every stratum sent to the engine) on each change point.
:class:`TimelineEvaluator` finds exactly the same change points, in the same order,
and decides each of them the lean way:

- the member's record is built once, and once per stretch between two of its recorded
  events (``facts/known.py``: the record only changes on those days); each point copies
  it with that day's date;
- per stratum, the engine decides each distinct abstraction key (``abstraction.py``)
  once, for every member and day of the run: members whose records give the same keys
  share the engine's work;
- outcome data are pure functions of the flat keys they read: each is computed once
  per distinct set of those values, for the whole run;
- from one point to the next of the same stretch and epoch, a stratum is taken over
  without computing its key when every earlier stratum gave the same answers and
  non-moving data and none of its comparisons of the date flips in between
  (``thresholds.py``); only data computed from the date are computed again;
- only what a timeline table holds is kept: per question, intervals of the same
  outcome and deciding rule.

``tests/test_timelines.py`` checks the result against ``Rulebook.timeline`` for every
member of generated memberships, both rulebooks and random windows.
"""

from __future__ import annotations

import bisect
import heapq
import weakref
from collections.abc import Hashable, Mapping
from datetime import date
from typing import NamedTuple

from ..facts.errors import DecisionError
from ..facts.known import forget_later
from ..facts.member import Member
from ..facts.record import Value, answer_key, datum_key, to_record
from ..law.conditions import Params, all_conditions, referenced_keys
from ..law.schema import Rule
from .abstraction import KeyFunction, abstraction_key
from .change_points import DATE_FACT, analysis_of, traces
from .evaluator import Evaluator, Stratum
from .timeline_entries import Added, Datum, Entry, EntryData
from .thresholds import (
    DATE_KEYS, EVENT_KEYS, Thresholds, around_ordinal, date_signature, date_thresholds, flips, pair_days, reads_of,
    steady,
)

__all__ = ["Run", "TimelineEvaluator", "timeline_evaluator"]


class _Combined(Exception):
    """A stratum's answer is several rules' data agreed or combined (``resolve.agreed_data``)."""


class Run(NamedTuple):
    """One interval of a question for a member: days ``start``..``end`` (day numbers, inclusive)."""

    question: str
    start: int
    end: int
    outcome: str
    rule_id: str


# What a stratum gave on a day: its entry and what it added (None: not asked, its document absent).
_Given = tuple[Entry, Added] | None
# A point decided: its day, epoch, stretch of the member's record, each stratum's _Given, its
# final fact, the sorted day numbers of the facts and data some condition compares the date with,
# and its answers.
_Point = tuple[int, "_Program", int, list[_Given], dict[str, Value], list[int], "_Answers"]
# A point's answers: per stratum asked, its entry's (question, outcome, rule id) triples.
_Answers = tuple[tuple[tuple[str, str, str], ...], ...]
# NamedTuple's own __new__ is a Python function; the tuple's is not (same object either way).
_new_run = tuple.__new__


class _Program:
    """One epoch's compiled strata with their key functions and caches of entries."""

    __slots__ = ("cache", "data", "everywhere", "keys", "moves", "params", "reads", "strata", "thresholds")

    def __init__(self, book: Evaluator, params: Params):
        self.params = params
        self.strata: tuple[Stratum, ...] = book.program(params)
        self.keys: tuple[KeyFunction, ...] = tuple(abstraction_key(s.rules, params) for s in self.strata)
        self.cache: tuple[dict[Hashable, Entry], ...] = tuple({} for _ in self.strata)
        self.data: dict[str, tuple[Datum, ...]] = {}  # rule id → its data in this epoch
        # Per stratum: the days its comparisons of the date with constants flip, and the
        # facts and data it compares the date with.
        self.thresholds: tuple[Thresholds, ...] = tuple(
            date_thresholds(s.rules, params) for s in self.strata
        )
        # Per stratum: every flat key its conditions read (facts, earlier answers and data).
        self.reads: tuple[frozenset[str], ...] = tuple(
            frozenset(key for r in s.rules for c in all_conditions(r) for _, key in referenced_keys(c)) for s in self.strata
        )
        self.everywhere = date_thresholds(tuple(r for s in self.strata for r in s.rules), params)
        # Per stratum: (the entry on an earlier day, the date's comparisons on a later one) → the
        # entry then, for a record the same but for the date (no key computed).
        self.moves: tuple[dict[tuple[Entry, tuple[object, ...]], Entry], ...] = tuple({} for _ in self.strata)


class TimelineEvaluator(EntryData):
    """Timelines of many members under one rulebook, sharing the engine's decisions.

    One per Rulebook (:func:`timeline_evaluator`); its caches grow with the number of
    distinct cases (abstraction keys per stratum and epoch), not with the members.
    ``engine_calls`` and ``cache_hits`` count strata decided by the engine and from the cache.
    """

    def __init__(self, book: Evaluator, *, cache_size: int = 50_000):
        if not isinstance(book, Evaluator):
            raise TypeError(f"book must be a hokensho_rules.Rulebook, got {type(book).__name__}")
        self.book = book
        self.cache_size = cache_size
        self.engine_calls = 0
        self.cache_hits = 0
        self._programs: dict[tuple[object, ...], _Program] = {}
        self._epochs: dict[int, _Program] = {}  # day number → its program
        self._order = tuple(book.law.questions)
        analysis = analysis_of(book.law)
        self._moving = analysis.moving
        self.reused = 0  # strata whose entry was reused from the point before (no key computed)
        self.moved = 0  # strata whose entry was found from the point before's and the date (no key computed)

    def _program_on(self, day: int) -> _Program:
        found = self._epochs.get(day)
        if found is None:
            params = self.book.law.params_on(date.fromordinal(day))
            key = tuple(params.values())
            found = self._programs.get(key)
            if found is None:
                found = self._programs[key] = _Program(self.book, params)
            self._epochs[day] = found
        return found

    def runs(self, member: Member, start: date, end: date) -> list[Run]:
        """Every question's intervals for ``member`` over ``start``..``end``, in the rulebook's
        order of questions, then by date: the intervals of ``Rulebook.timeline``.

        Raises as ``Rulebook.timeline`` does: a DecisionError (conflict, gap) naming the
        member and the first day (in the order change points are evaluated) it happens on,
        a ValueError for a datum beyond the calendar or rules a timeline cannot follow.
        """
        try:
            return self._runs(member, start, end)
        except _Combined:
            # A day whose answer combines several rules' data: every day as Rulebook.timeline decides it.
            decided = {day.toordinal(): (tuple((q, v.outcome, v.rule_id) for q, v in trace.verdicts.items()),)
                       for day, trace in traces(self.book, member, start, end).items()}
            return self._merged(decided, end.toordinal())

    def _runs(self, member: Member, start: date, end: date) -> list[Run]:
        analysis = analysis_of(self.book.law)
        if analysis.unsupported is not None:
            raise ValueError(analysis.unsupported)
        first, last = start.toordinal(), end.toordinal()
        base = to_record(member, date.max)
        # Every date among the member's facts (``change_points.dates_in``), read from its record.
        candidates = {d for k in DATE_KEYS if type(v := base.get(k)) is int for d in around_ordinal(v)}
        candidates |= analysis.named_days
        pending = [first, *(d for d in candidates if first <= d <= last and d != first)]
        heapq.heapify(pending)
        queued = set(pending)
        events = sorted(v for k in EVENT_KEYS if type(v := base.get(k)) is int)
        # The record of each stretch between two of the member's events: the same on every day of it.
        stretches: dict[int, dict[str, Value]] = {}
        decided: dict[int, _Answers] = {}
        before: _Point | None = None
        while pending:
            day = heapq.heappop(pending)
            program = self._program_on(day)
            stretch = bisect.bisect_right(events, day)
            # The strata of the last point decided (same epoch) can be reused where only the date differs.
            previous = before if before is not None and before[0] < day and before[1] is program else None
            derived: list[int]
            if previous is not None and previous[2] == stretch \
                    and steady(program.everywhere[0], previous[5], previous[0], day):
                given, fact = self._calm(member.id, previous, day)
                answers, compared, derived = previous[6], previous[5], []
            else:
                record = stretches.get(stretch)
                if record is None:
                    record = stretches[stretch] = dict(base)
                    forget_later(record, day)
                changed: frozenset[str] = frozenset()
                if previous is not None and previous[2] != stretch:
                    # An event happened in between: the facts it changed (the rest of the record is the same).
                    was = stretches[previous[2]]
                    changed = frozenset(k for k in was.keys() | record.keys() if was.get(k) != record.get(k))
                fact = dict(record)
                fact[DATE_FACT] = day
                answers, derived, given, fact, compared = self._decide(member.id, fact, day, program, previous, changed)
            decided[day] = answers
            before = (day, program, stretch, given, fact, compared, answers)
            for found in derived:
                if first <= found <= last and found not in queued:
                    queued.add(found)
                    heapq.heappush(pending, found)
        return self._merged(decided, last)

    def _merged(self, decided: Mapping[int, _Answers], last: int) -> list[Run]:
        """Per question, consecutive points merged while the outcome and the deciding rule stay the same."""
        points = sorted(decided)
        previous = decided[points[0]]
        # question → ((question, outcome, rule id), the day its current interval began)
        current = {triple[0]: (triple, points[0]) for part in previous for triple in part}
        closed: dict[str, list[Run]] = {q: [] for q in current}
        for day in points[1:]:
            answers = decided[day]
            if answers is previous or answers == previous:
                continue
            alike = len(answers) == len(previous)
            for index, part in enumerate(answers):
                if alike and (part is previous[index] or part == previous[index]):
                    continue  # the same stratum's answers: nothing changed there
                for triple in part:
                    question = triple[0]
                    held = current.get(question)
                    if held is None:
                        continue
                    was = held[0]
                    if was is not triple and (was[1] != triple[1] or was[2] != triple[2]):
                        closed[question].append(_new_run(Run, (question, held[1], day - 1, was[1], was[2])))
                        current[question] = (triple, day)
            previous = answers
        runs: list[Run] = []
        for question in self._order:
            if question in current:
                (_, outcome, rule_id), begun = current[question]
                runs += closed[question]
                runs.append(_new_run(Run, (question, begun, last, outcome, rule_id)))
        return runs

    def _decide(
        self, member_id: str, fact: dict[str, Value], day: int, program: _Program,
        previous: _Point | None, changed: frozenset[str] = frozenset(),
    ) -> tuple[_Answers, list[int], list[_Given], dict[str, Value], list[int]]:
        """((question, outcome, rule id) of every question answered, the day numbers its
        non-moving date data name, what each stratum gave, ``fact`` with every answer and datum added, the sorted values
        of the facts and data compared with the date) on ``day``.

        ``previous`` is an earlier point of the same epoch; ``changed`` the flat keys of the
        record that differ from it (events in between), beside the date. A stratum's entry
        is reused from it when none of the keys its conditions read changed, every earlier
        stratum gave the same answers and non-moving data, and no comparison of the date in
        this stratum flips in between: its abstraction key is then the same (conditions
        never compare with moving data), so the engine would fire the same rules.
        """
        answers: list[tuple[tuple[str, str, str], ...]] = []
        derived: list[int] = []
        given: list[_Given] = []
        same = previous is not None
        for index, (stratum, key_of, cache) in enumerate(zip(program.strata, program.keys, program.cache, strict=True)):
            if stratum.requires is not None and stratum.requires not in fact:
                given.append(None)
                continue
            old = previous[3][index] if previous is not None else None
            alike = same and old is not None and (not changed or changed.isdisjoint(program.reads[index]))
            if alike and old is not None and previous is not None \
                    and not flips(program.thresholds[index], previous[0], day, fact):
                entry = old[0]
                self.reused += 1
                if not changed or changed.isdisjoint(entry.reads):
                    # Same entry, same inputs to its non-moving data (facts, earlier non-moving data): same data.
                    added = old[1]
                    fact.update(added.values)
                else:
                    added = self._added(entry, tuple([fact.get(k) for k in entry.reads]), fact, member_id, day)
                if entry.moving:
                    self._moving_data(entry, fact, member_id, day)
                same = old[1].fixed == added.fixed
                given.append((entry, added))
                answers.append(entry.answers)
                derived.extend(added.derived)
                continue
            moved: tuple[Entry, tuple[object, ...]] | None = None
            found = None
            if alike and old is not None:
                # Only comparisons of the date differ from ``previous``: the abstraction key here
                # is that of the old entry with the date's comparisons of this day.
                moved = (old[0], date_signature(program.thresholds[index], day, fact))
                found = program.moves[index].get(moved)
            if found is None:
                key = key_of(fact)
                found = cache.get(key)
                if found is None:
                    self.engine_calls += 1
                    found = self._entry(program, stratum.fired(fact), member_id, date.fromordinal(day))
                    if len(cache) >= self.cache_size:
                        del cache[next(iter(cache))]
                    cache[key] = found
                else:
                    self.cache_hits += 1
                if moved is not None:
                    moves = program.moves[index]
                    if len(moves) >= self.cache_size:
                        moves.clear()
                    moves[moved] = found
            else:
                self.moved += 1
            entry = found
            if alike and old is not None and entry is old[0] and (not changed or changed.isdisjoint(entry.reads)):
                added = old[1]  # the same entry on the same inputs to its non-moving data
                fact.update(added.values)
            else:
                read = tuple([fact.get(k) for k in entry.reads])
                added = self._added(entry, read, fact, member_id, day)
            if entry.moving:
                self._moving_data(entry, fact, member_id, day)
            # Later strata see this one through its answers and non-moving data only.
            same = same and old is not None and (old[0] is entry or old[0].answers == entry.answers) \
                and old[1].fixed == added.fixed
            given.append((entry, added))
            answers.append(entry.answers)
            derived.extend(added.derived)
        return tuple(answers), derived, given, fact, pair_days(program.everywhere, fact)

    def _added(self, entry: Entry, read: tuple[Value | None, ...], fact: dict[str, Value], member_id: str, day: int
               ) -> Added:
        """What ``entry`` adds to ``fact`` (added) when its non-moving data read ``read``: from its memo, or computed."""
        added = entry.memo.get(read)
        if added is None:
            added = self._stratum_data(entry, fact, member_id, day)
            if len(entry.memo) >= self.cache_size:
                entry.memo.clear()
            entry.memo[read] = added
        else:
            fact.update(added.values)
        return added

    def _calm(self, member_id: str, previous: _Point, day: int) -> tuple[list[_Given], dict[str, Value]]:
        """What each stratum gives on ``day``, and the final fact, when no comparison of the
        date in any stratum flips since ``previous`` (same epoch and stretch): every stratum
        gives what it gave then (same keys, same inputs to its non-moving data), but for
        the data computed from the date, computed again stratum by stratum."""
        # The point before's final fact is its own (a copy of its stretch's record) and is not
        # read again once this point is decided: it becomes this point's, in place.
        fact = previous[4]
        fact[DATE_FACT] = day
        given = previous[3]
        self.reused += len(given)
        for old in given:
            if old is not None and old[0].moving:
                # The keys these data read are facts and earlier strata's data, already those of ``day``.
                self._moving_data(old[0], fact, member_id, day)
        return given, fact

    def _data(self, program: _Program, question: str, rule: Rule) -> tuple[Datum, ...]:
        found = program.data.get(rule.id)
        if found is None:
            found = program.data[rule.id] = tuple(
                Datum(name, function, datum_key(question, name), (rule.id, name) in self._moving,
                      reads_of(rule.data[name]), {})
                for name, function in self.book.data_of(rule, program.params)
            )
        return found

    def _entry(self, program: _Program, fired: Mapping[str, list[Rule]], member_id: str, on: date) -> Entry:
        plans = []
        reads: set[str] = set()
        written: set[str] = set()
        for question, rules in fired.items():
            try:
                resolution = self.book.resolution(question, rules, member_id, on)
            except DecisionError:
                deciding: Rule | None = None
            else:
                if len(resolution.grounds) > 1 and any(r.data for r in resolution.grounds):
                    raise _Combined  # the deciding rule and data depend on the data's values
                deciding = resolution.deciding
            data = self._data(program, question, deciding) if deciding is not None else ()
            if deciding is not None:
                reads.update(k for datum in data if not datum.moving for k in datum.reads if k not in written)
                written.update(datum.key for datum in data)
            plans.append((question, answer_key(question), tuple(rules), deciding, data))
        return Entry(tuple(plans), tuple(sorted(reads)))


_EVALUATORS: weakref.WeakKeyDictionary[Evaluator, TimelineEvaluator] = weakref.WeakKeyDictionary()


def timeline_evaluator(book: Evaluator) -> TimelineEvaluator:
    """The TimelineEvaluator of ``book`` (one per Rulebook, kept while the book lives)."""
    found = _EVALUATORS.get(book)
    if found is None:
        found = _EVALUATORS[book] = TimelineEvaluator(book)
    return found
