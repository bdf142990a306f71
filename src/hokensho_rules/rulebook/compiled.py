"""Outcome-data expressions compiled to Python closures, once per parameter epoch.

``expressions.evaluate_expr`` walks an expression for every member; a batch evaluates
the same few expressions hundreds of thousands of times, so here each is turned once
into a closure over its constants (parameter values, counts, flat keys). Same
semantics, value for value (unknown inputs propagate as None; ``min``/``max`` skip
them; overflow raises as there): ``tests/test_batch_cache.py`` checks batch answers,
data included, against ``Rulebook.evaluate`` on generated members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from ..calendar import civil_period_end, end_of_month_after, within_days_deadline
from ..flat import Scalar, data_key, encode, fact_key
from .conditions import Params
from .schema import (
    DayAfter,
    DayBefore,
    Expr,
    FactRef,
    MaxOf,
    MinOf,
    MonthEnd,
    OutcomeDataRef,
    ParamRef,
    PeriodEnd,
    WithinDays,
)

__all__ = ["Compiled", "compile_expr"]

Compiled = Callable[[Mapping[str, Scalar]], "date | str | None"]
_DAY = timedelta(days=1)


def _as_value(value: Scalar | None) -> date | str | None:
    # As expressions._as_date after operand_value: texts stay texts, day numbers become dates.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return date.fromordinal(value)
    return None


def _count(value: int | ParamRef, params: Params) -> int:
    count = params[value.param] if isinstance(value, ParamRef) else value
    assert isinstance(count, int)
    return count


def _dated(inner: Compiled, then: Callable[[date], date]) -> Compiled:
    def run(fact: Mapping[str, Scalar]) -> date | None:
        day = inner(fact)
        return then(day) if isinstance(day, date) else None
    return run


def compile_expr(expr: Expr, params: Params) -> Compiled:
    """``expr`` as a function of the flat fact, its parameters fixed to ``params``."""
    if isinstance(expr, ParamRef):
        constant = _as_value(encode(params[expr.param]))
        return lambda fact: constant
    if isinstance(expr, (FactRef, OutcomeDataRef)):
        key = fact_key(expr.fact) if isinstance(expr, FactRef) else data_key(expr.outcome, expr.data)
        return lambda fact: _as_value(fact.get(key))
    if isinstance(expr, (MinOf, MaxOf)):
        items = tuple(compile_expr(e, params) for e in (expr.min if isinstance(expr, MinOf) else expr.max))
        pick = min if isinstance(expr, MinOf) else max

        def extreme(fact: Mapping[str, Scalar]) -> date | None:
            known = [v for v in (item(fact) for item in items) if isinstance(v, date)]
            return pick(known) if known else None
        return extreme
    if isinstance(expr, DayBefore):
        return _dated(compile_expr(expr.day_before, params), lambda day: day - _DAY)
    if isinstance(expr, DayAfter):
        return _dated(compile_expr(expr.day_after, params), lambda day: day + _DAY)
    if isinstance(expr, PeriodEnd):
        spec = expr.period_end
        years, months = _count(spec.years, params), _count(spec.months, params)
        return _dated(compile_expr(spec.start, params), lambda day: civil_period_end(day, years=years, months=months))
    if isinstance(expr, WithinDays):
        days = _count(expr.within_days.days, params)
        return _dated(compile_expr(expr.within_days.start, params), lambda day: within_days_deadline(day, days))
    if isinstance(expr, MonthEnd):
        months = _count(expr.month_end.months, params)
        return _dated(compile_expr(expr.month_end.start, params), lambda day: end_of_month_after(day, months))
    literal = expr
    return lambda fact: literal
