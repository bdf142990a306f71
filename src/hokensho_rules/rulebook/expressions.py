"""Outcome data (deadlines, validity periods) computed from the flat fact.

Rule files describe a datum as an expression; this module evaluates it after the
engine has decided which rule applies. Unknown inputs propagate as None, and
``min``/``max`` skip them, so "never past the loss date" needs no special case for a
member who has no loss date.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..calendar import civil_period_end, end_of_month_after, within_days_deadline
from ..flat import Scalar
from .conditions import Fact, Params, operand_value
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
)

__all__ = ["evaluate_expr"]


def _as_date(value: Scalar | None) -> date | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return date.fromordinal(value)
    return None


def _count(value: int | ParamRef, params: Params) -> int:
    count = params[value.param] if isinstance(value, ParamRef) else value
    assert isinstance(count, int)
    return count


def evaluate_expr(expr: Expr, fact: Fact, params: Params) -> date | str | None:
    """The value of an outcome datum: a date, a text, or None when an input is unknown."""
    if isinstance(expr, (ParamRef, FactRef, OutcomeDataRef)):
        value = operand_value(expr, fact, params)
        return value if isinstance(value, str) else _as_date(value)
    if isinstance(expr, (MinOf, MaxOf)):
        items = expr.min if isinstance(expr, MinOf) else expr.max
        known = [v for v in (evaluate_expr(e, fact, params) for e in items) if isinstance(v, date)]
        if not known:
            return None
        return min(known) if isinstance(expr, MinOf) else max(known)
    if isinstance(expr, (DayBefore, DayAfter)):
        inner, shift = (expr.day_before, -1) if isinstance(expr, DayBefore) else (expr.day_after, 1)
        day = evaluate_expr(inner, fact, params)
        return day + timedelta(days=shift) if isinstance(day, date) else None
    if isinstance(expr, PeriodEnd):
        spec = expr.period_end
        start = evaluate_expr(spec.start, fact, params)
        if not isinstance(start, date):
            return None
        return civil_period_end(
            start, years=_count(spec.years, params), months=_count(spec.months, params)
        )
    if isinstance(expr, WithinDays):
        event = evaluate_expr(expr.within_days.start, fact, params)
        if not isinstance(event, date):
            return None
        return within_days_deadline(event, _count(expr.within_days.days, params))
    if isinstance(expr, DaysBefore):
        end = evaluate_expr(expr.days_before.start, fact, params)
        if not isinstance(end, date):
            return None
        return end - timedelta(days=_count(expr.days_before.days, params))
    if isinstance(expr, OnOrAfter):
        day = evaluate_expr(expr.on_or_after.date, fact, params)
        bound = evaluate_expr(expr.on_or_after.from_, fact, params)
        return day if isinstance(day, date) and isinstance(bound, date) and day >= bound else None
    if isinstance(expr, MonthEnd):
        start = evaluate_expr(expr.month_end.start, fact, params)
        if not isinstance(start, date):
            return None
        return end_of_month_after(start, _count(expr.month_end.months, params))
    return expr
