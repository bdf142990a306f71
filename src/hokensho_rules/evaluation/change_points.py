"""Change points: the days on which some answer of a member can change.

An outcome can only change on a day some comparison with the evaluation date flips.
Every such comparison is against a date the law names, a date among the member's
facts, or a datum an earlier question computed from them. So instead of evaluating
every day, a timeline evaluates the member on those change points only and holds each
answer constant in between. The tests check this against day-by-day evaluation on
generated members.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel

from ..facts.member import Member
from ..facts.privacy import shown
from ..law.packs import Law
from ..law.schema import FactRef, OutcomeDataRef, Rule
from .evaluator import Evaluator
from .trace import Trace

__all__ = ["analysis_of", "around", "change_points", "check_window", "dates_in", "nodes", "rulebook_dates", "traces"]


# The fact that holds the evaluation date: the one input that moves from day to day.
DATE_FACT = "date"
_DAY = timedelta(days=1)


# --- change points --------------------------------------------------------------------


def nodes(value: object) -> Iterator[object]:
    """``value`` and everything inside it: sub-models, items and field values, depth first."""
    yield value
    children: list[object]
    if isinstance(value, BaseModel):
        children = [getattr(value, name) for name in type(value).model_fields]
    elif isinstance(value, (tuple, list)):
        children = list(value)
    elif isinstance(value, dict):
        children = list(value.values())
    else:
        return
    for child in children:
        yield from nodes(child)


def dates_in(value: object) -> set[date]:
    """Every date inside ``value`` (a Member, its documents, rules, parameters)."""
    return {node for node in nodes(value) if isinstance(node, date)}


def around(day: date) -> set[date]:
    """A threshold and the day after it: ``< d``/``>= d`` flip on d, ``<= d``/``> d`` on d + 1."""
    return {day, day + _DAY} if day < date.max else {day}


def _moving_data(rules: Mapping[str, Rule]) -> frozenset[tuple[str, str]]:
    """(rule id, datum) of every datum computed from the evaluation date.

    Such a datum (e.g. the validity a certificate would have if issued today) takes a
    new value every day, so its value names no change point. A datum is moving if its
    expression reads the date fact, or a moving datum of another question.
    """
    moving: set[tuple[str, str]] = set()
    grew = True
    while grew:
        questions = {(rules[rule_id].question, datum) for rule_id, datum in moving}
        before = len(moving)
        for rule in rules.values():
            moving.update((rule.id, datum) for datum, expr in rule.data.items() if _reads(expr, questions))
        grew = len(moving) > before
    return frozenset(moving)


def _reads(expr: object, moving_questions: set[tuple[str, str]]) -> bool:
    return any(
        (isinstance(node, FactRef) and node.fact == DATE_FACT)
        or (isinstance(node, OutcomeDataRef) and (node.outcome, node.data) in moving_questions)
        for node in nodes(expr)
    )


def _unsupported(rules: Mapping[str, Rule], moving: frozenset[tuple[str, str]]) -> str | None:
    """Why no timeline can be computed with these rules, or None.

    A condition against a datum that moves daily could flip on any day: no finite set
    of change points would be exact, so timelines are refused rather than wrong.
    """
    questions = {(rules[rule_id].question, datum) for rule_id, datum in moving}
    for rule in rules.values():
        for node in nodes(rule.when):
            if isinstance(node, OutcomeDataRef) and (node.outcome, node.data) in questions:
                return (
                    f"rule {rule.id} compares with {node.outcome}.{node.data}, which is computed from the "
                    "evaluation date: a timeline cannot find the days that comparison changes"
                )
    return None


@dataclass(frozen=True)
class _Analysis:
    """What a timeline needs from a law, computed once per law."""

    named: frozenset[date]
    named_days: frozenset[int]  # the day numbers of every named date and the day after it
    moving: frozenset[tuple[str, str]]
    unsupported: str | None


_ANALYSES: weakref.WeakKeyDictionary[Law, _Analysis] = weakref.WeakKeyDictionary()


def analysis_of(law: Law) -> _Analysis:
    """The dates ``law`` names, its data that move with the date, and why no timeline can be
    computed under it (None if one can); computed once per law."""
    found = _ANALYSES.get(law)
    if found is None:
        # A rule's in_force may name a parameter: every value and ``since`` date of every
        # parameter is included, so the name resolves whichever value is in force.
        named = dates_in(tuple(law.parameters.values())) | dates_in(tuple(law.rules.values()))
        moving = _moving_data(law.rules)
        days = frozenset(d.toordinal() for found in named for d in around(found))
        found = _Analysis(frozenset(named), days, moving, _unsupported(law.rules, moving))
        _ANALYSES[law] = found
    return found


def rulebook_dates(evaluator: Evaluator) -> frozenset[date]:
    """Every date the law names: parameter values and ``since`` dates, dates written in rules."""
    return analysis_of(evaluator.law).named


def _derived_dates(trace: Trace, moving: frozenset[tuple[str, str]]) -> set[date]:
    """Dates among the trace's outcome data (validity ends…) that later conditions may compare with."""
    found: set[date] = set()
    for verdict in trace.verdicts.values():
        for datum, value in verdict.data.items():
            if isinstance(value, date) and (verdict.rule_id, datum) not in moving:
                found |= around(value)
    return found


def check_window(member: Member, start: date, end: date) -> None:
    """Raise TypeError/ValueError unless ``member`` is a Member and ``start``..``end`` a window of dates."""
    if not isinstance(member, Member):
        raise TypeError(f"member must be a hokensho_rules.Member, got {type(member).__name__}")
    for name, value in (("start", start), ("end", end)):
        # datetime is a date subclass, but its time of day means nothing to the rules.
        if type(value) is not date:
            raise TypeError(f"{name} must be a datetime.date, got {shown(value)}")
    if start > end:
        raise ValueError(f"start must be on or before end, got start={start.isoformat()}, end={end.isoformat()}")


def traces(evaluator: Evaluator, member: Member, start: date, end: date) -> dict[date, Trace]:
    """The member's trace on every change point in [start, end].

    Outcome data can name new change points, and the trace on those can name more,
    so evaluation continues until no new point appears. Points are evaluated earliest
    first (a point found later is taken in its turn), so an error names the same day in
    every run and in ``evaluation.timelines``.
    """
    check_window(member, start, end)
    analysis = analysis_of(evaluator.law)
    if analysis.unsupported is not None:
        raise ValueError(analysis.unsupported)
    candidates = set().union(*(around(d) for d in dates_in(member) | analysis.named))
    pending = sorted({start} | {d for d in candidates if start <= d <= end})
    queued = set(pending)
    decided: dict[date, Trace] = {}
    while pending:
        day = heapq.heappop(pending)
        trace = decided[day] = evaluator.trace(member, day)
        for found in sorted(_derived_dates(trace, analysis.moving)):
            if start <= found <= end and found not in queued:
                queued.add(found)
                heapq.heappush(pending, found)
    return decided


def change_points(evaluator: Evaluator, member: Member, start: date, end: date) -> tuple[date, ...]:
    """The sorted days in [start, end] on which some outcome of ``member`` may change.

    ``start`` is always one. Between two consecutive points every answer stays the same.
    """
    return tuple(sorted(traces(evaluator, member, start, end)))
