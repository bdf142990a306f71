"""Outcome data (deadlines, validity periods) computed from the flat fact.

Rule files describe a datum as an expression; this module evaluates it after the
engine has decided which rule applies. Unknown inputs propagate as None, and
``min``/``max`` skip them, so "never past the loss date" needs no special case for a
member who has no loss date.

An expression is compiled once per parameter epoch into a closure over its constants
(:func:`compile_expr`), because a membership evaluates the same few expressions
hundreds of thousands of times; :func:`evaluate_expr` is that closure applied once.
"""

from __future__ import annotations

import functools

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from .calendar import DaysOff, civil_period_end, end_of_month_after, parse_days_off, within_days_deadline
from ..facts.record import Value, datum_key, encode, fact_key
from ..facts.privacy import shown
from .conditions import Fact, Params
from .schema import (
    DayAfter,
    DayBefore,
    DaysBefore,
    Expr,
    FactRef,
    MaxOf,
    MinOf,
    MonthEnd,
    OnOrAfter,
    OutcomeDataRef,
    ParamRef,
    PeriodEnd,
    WithinDays,
    WorkingDay,
)

__all__ = ["Compiled", "compile_expr", "date_step", "days_off_of", "evaluate_expr", "length_of"]

Compiled = Callable[[Mapping[str, Value]], "date | str | None"]
_DAY = timedelta(days=1)


def _as_value(value: Value | None) -> date | str | None:
    # Texts stay texts, day numbers become dates; a flag is no datum.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return date.fromordinal(value)
    return None


def length_of(value: int | ParamRef, params: Params) -> int:
    """A length (years, months, days) an expression takes: a number, or the parameter it names."""
    count = params[value.param] if isinstance(value, ParamRef) else value
    assert isinstance(count, int)
    return count


def _dated(inner: Compiled, then: Callable[[date], date]) -> Compiled:
    def run(fact: Mapping[str, Value]) -> date | None:
        day = inner(fact)
        return then(day) if isinstance(day, date) else None

    return run


def compile_expr(expr: Expr, params: Params) -> Compiled:
    """``expr`` as a function of the flat fact, its parameters fixed to ``params``."""
    if isinstance(expr, ParamRef):
        constant = _as_value(encode(params[expr.param]))
        return lambda fact: constant
    if isinstance(expr, (FactRef, OutcomeDataRef)):
        key = fact_key(expr.fact) if isinstance(expr, FactRef) else datum_key(expr.outcome, expr.data)

        def read(fact: Mapping[str, Value]) -> date | str | None:
            # _as_value, inlined: this runs for every datum of every member of a batch.
            value = fact.get(key)
            if type(value) is int:
                return date.fromordinal(value)
            return value if type(value) is str else None

        return read
    if isinstance(expr, (MinOf, MaxOf)):
        items = tuple(compile_expr(e, params) for e in (expr.min if isinstance(expr, MinOf) else expr.max))
        pick = min if isinstance(expr, MinOf) else max

        def extreme(fact: Mapping[str, Value]) -> date | None:
            known = [v for v in (item(fact) for item in items) if isinstance(v, date)]
            return pick(known) if known else None

        return extreme
    step = date_step(expr, params)
    if step is not None:
        inner, then = step
        return _dated(compile_expr(inner, params), then)
    if isinstance(expr, OnOrAfter):
        day_of, bound_of = compile_expr(expr.on_or_after.date, params), compile_expr(expr.on_or_after.from_, params)

        def kept(fact: Mapping[str, Value]) -> date | None:
            day, bound = day_of(fact), bound_of(fact)
            return day if isinstance(day, date) and isinstance(bound, date) and day >= bound else None

        return kept
    literal = expr
    assert isinstance(literal, (date, str)), f"an expression of no known kind: {type(literal).__name__}"
    return lambda fact: literal


def date_step(expr: Expr, params: Params) -> tuple[Expr, Callable[[date], date]] | None:
    """For an expression that moves one date (a day before, a period's end, a working day …):
    the expression of that date and the move; None for any other expression."""
    if isinstance(expr, DayBefore):
        return expr.day_before, lambda day: day - _DAY
    if isinstance(expr, DayAfter):
        return expr.day_after, lambda day: day + _DAY
    if isinstance(expr, PeriodEnd):
        spec = expr.period_end
        years, months = length_of(spec.years, params), length_of(spec.months, params)
        return spec.start, lambda day: civil_period_end(day, years=years, months=months)
    if isinstance(expr, WithinDays):
        days = length_of(expr.within_days.days, params)
        return expr.within_days.start, lambda day: within_days_deadline(day, days)
    if isinstance(expr, WorkingDay):
        days_off = days_off_of(expr, params)
        # Remembered per day (a pure function of it): a deadline of every member of a batch falls on a few thousand days.
        return expr.working_day.date, functools.lru_cache(maxsize=1 << 14)(days_off.next_working_day)
    if isinstance(expr, DaysBefore):
        back = timedelta(days=length_of(expr.days_before.days, params))
        return expr.days_before.start, lambda day: day - back
    if isinstance(expr, MonthEnd):
        months = length_of(expr.month_end.months, params)
        return expr.month_end.start, lambda day: end_of_month_after(day, months)
    return None


def days_off_of(expr: WorkingDay, params: Params) -> DaysOff:
    """The days off ``expr`` moves past, from its parameter (ValueError naming it if malformed)."""
    name = expr.working_day.days_off.param
    value = params[name]
    try:
        if not isinstance(value, str):
            raise ValueError(f"days off: expected a text such as 'saturday sunday', got {shown(value)}")  # noqa: TRY004, TRY301
        return parse_days_off(value)
    except ValueError as error:
        raise ValueError(f"parameter {name}: {error}") from None


def evaluate_expr(expr: Expr, fact: Fact, params: Params) -> date | str | None:
    """The value of an outcome datum: a date, a text, or None when an input is unknown."""
    return compile_expr(expr, params)(fact)
