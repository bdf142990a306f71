"""Outcome data computed for many rows at once, with numpy: what ``expressions.py`` computes for one.

A chunk of a membership asks the same datum of thousands of members whose dates
differ. :func:`compile_vector` turns an expression into a function of the columns it
reads (one value per row, as the flat facts hold them) that gives every row's value as
:func:`~hokensho_rules.law.expressions.compile_expr` would for that row alone:

- a value is a date (a day number), a text, or none, per row;
- a move of one date is numpy arithmetic where it is that (a day before or after, a
  number of days, a period's end by 民法 第143条, a month's end); a working day is the
  scalar move itself (``expressions.date_step``, which remembers its days), applied
  once per distinct day;
- ``min``/``max`` skip what is not a date, ``on_or_after`` keeps a date on or after its
  bound, as the scalar does;
- a row where the scalar would raise (a day beyond the calendar) is marked ``bad``;
  its caller decides that row alone, which reports the error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from ..facts.record import datum_key, encode, fact_key
from .conditions import Params
from .expressions import date_step, length_of
from .schema import (DayAfter, DayBefore, DaysBefore, Expr, FactRef, MaxOf, MinOf, MonthEnd, OnOrAfter, OutcomeDataRef,
                     ParamRef, PeriodEnd, WithinDays)

__all__ = ["Column", "Vector", "Vectorized", "compile_vector"]

NONE, DATE, TEXT = 0, 1, 2
_LAST_DAY = date.max.toordinal()
_EPOCH = date(1970, 1, 1).toordinal()  # numpy's datetime64 counts days from here

Column = Callable[[str], Any]
"""The values of one flat key for the rows being computed (an array of objects, None where absent)."""


class Vector(NamedTuple):
    """Per row: its kind (NONE, DATE or TEXT), its day number (where a date), its text (where a
    text; None when no row holds one), and whether computing it would raise (``bad``)."""

    kind: Any
    days: Any
    texts: Any
    bad: Any

    def values(self) -> Any:
        """Each row's value as the flat facts hold a datum: a day number, a text, or None."""
        out = np.full(len(self.kind), None, dtype=object)
        dated = self.kind == DATE
        out[dated] = self.days[dated].astype(object)
        if self.texts is not None:
            texted = self.kind == TEXT
            out[texted] = self.texts[texted]
        return out


Vectorized = Callable[[Column, int], Vector]


def _constant(value: object) -> Vectorized:
    def constant(column: Column, n: int) -> Vector:
        bad = np.zeros(n, dtype=bool)
        if isinstance(value, date):
            return Vector(np.full(n, DATE, dtype=np.int8), np.full(n, value.toordinal(), dtype=np.int64), None, bad)
        if isinstance(value, str):
            return Vector(np.full(n, TEXT, dtype=np.int8), np.zeros(n, dtype=np.int64), np.full(n, value, dtype=object), bad)
        return Vector(np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int64), None, bad)

    return constant


def _read(key: str) -> Vectorized:
    def read(column: Column, n: int) -> Vector:
        values = column(key)
        types = np.fromiter(map(type, values), dtype=object, count=n)
        dated = types == int  # a flag (bool) is no datum, as the scalar read has it
        texted = types == str
        days = np.zeros(n, dtype=np.int64)
        try:
            days[dated] = values[dated].astype(np.int64)
        except OverflowError:  # a number no int64 holds: beyond the calendar, as one far below is
            days[dated] = [v if 0 <= v <= _LAST_DAY else 0 for v in values[dated].tolist()]
        # date.fromordinal raises beyond the calendar: the scalar read fails there.
        bad = dated & ((days < 1) | (days > _LAST_DAY))
        kind = np.where(dated, DATE, np.where(texted, TEXT, NONE)).astype(np.int8)
        return Vector(kind, days, values if texted.any() else None, bad)

    return read


def _extreme(items: tuple[Vectorized, ...], smallest: bool) -> Vectorized:
    def extreme(column: Column, n: int) -> Vector:
        found = [item(column, n) for item in items]
        dated = np.stack([v.kind == DATE for v in found])
        sentinel = np.iinfo(np.int64).max if smallest else np.iinfo(np.int64).min
        days = np.where(dated, np.stack([v.days for v in found]), sentinel)
        picked = days.min(axis=0) if smallest else days.max(axis=0)
        known = dated.any(axis=0)
        bad = np.logical_or.reduce([v.bad for v in found])
        return Vector(np.where(known, DATE, NONE).astype(np.int8), np.where(known, picked, 0), None, bad)

    return extreme


Move = Callable[[Any], tuple[Any, Any]]
"""Day numbers to the days they move to, and where the move raises."""


def _day_by_day(then: Callable[[date], date]) -> Move:
    """The scalar move, once per distinct day (a working day's move remembers its days itself)."""
    def move(day: int) -> int | None:
        try:
            return then(date.fromordinal(day)).toordinal()
        except Exception:  # noqa: BLE001 - the row is decided alone, which reports the error
            return None

    def moved(days: Any) -> tuple[Any, Any]:
        distinct, at = np.unique(days, return_inverse=True)
        results = [move(d) for d in distinct.tolist()]
        failed = np.array([r is None for r in results], dtype=bool)
        to = np.array([0 if r is None else r for r in results], dtype=np.int64)
        return to[at.reshape(-1)], failed[at.reshape(-1)]

    return moved


def _within_calendar(days: Any) -> tuple[Any, Any]:
    bad = (days < 1) | (days > _LAST_DAY)
    return np.where(bad, 0, days), bad


def _months(days: Any) -> tuple[Any, Any]:
    """Each day's month (numpy months since 1970-01) and day of the month (from 1)."""
    as_dates = (days - _EPOCH).astype("datetime64[D]")
    month = as_dates.astype("datetime64[M]")
    return month, (as_dates - month.astype("datetime64[D]")).astype(np.int64) + 1


def _first_days(month: Any) -> tuple[Any, Any]:
    """The day number of each month's first day, and the month's length."""
    first = month.astype("datetime64[D]")
    length = ((month + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first.astype(np.int64) + _EPOCH, length


def _last_year(month: Any) -> Any:
    """Where a month lies beyond the calendar's last year (relativedelta raises there)."""
    return month.astype(np.int64) // 12 + 1970 > date.max.year


def _shift(by: int) -> Move:
    return lambda days: _within_calendar(days + by)


def _period_end(years: int, months: int) -> Move:
    # 民法 第143条, as calendar.civil_period_end: the day before the corresponding day of the
    # final month, or that month's last day when it has no corresponding day.
    def moved(days: Any) -> tuple[Any, Any]:
        month, day = _months(days)
        final = month + np.timedelta64(12 * years + months, "M")
        first, length = _first_days(final)
        end, bad = _within_calendar(np.where(day > length, first + length - 1, first + day - 2))
        return end, bad | _last_year(final)

    return moved


def _month_end(months: int) -> Move:
    def moved(days: Any) -> tuple[Any, Any]:
        final = _months(days)[0] + np.timedelta64(months, "M")
        first, length = _first_days(final)
        end, bad = _within_calendar(first + length - 1)
        return end, bad | _last_year(final)

    return moved


def _array_move(expr: Expr, params: Params) -> Move | None:
    """The move of ``expr`` as numpy arithmetic, where it is that; None for a move done day by day
    (a working day) or one whose lengths make the scalar raise (it then raises for every row)."""
    if isinstance(expr, (DayBefore, DayAfter)):
        return _shift(-1 if isinstance(expr, DayBefore) else 1)
    if isinstance(expr, DaysBefore):
        return _shift(-length_of(expr.days_before.days, params))
    if isinstance(expr, WithinDays):
        days = length_of(expr.within_days.days, params)
        return _shift(days) if days >= 1 else None
    if isinstance(expr, PeriodEnd):
        years, months = length_of(expr.period_end.years, params), length_of(expr.period_end.months, params)
        return _period_end(years, months) if years >= 0 and months >= 0 and years + months > 0 else None
    if isinstance(expr, MonthEnd):
        months = length_of(expr.month_end.months, params)
        return _month_end(months) if months >= 0 else None
    return None


def _moved(inner: Vectorized, move: Move) -> Vectorized:
    def moved(column: Column, n: int) -> Vector:
        given = inner(column, n)
        dated = (given.kind == DATE) & ~given.bad
        days = np.zeros(n, dtype=np.int64)
        bad = given.bad.copy()
        if dated.any():
            days[dated], bad[dated] = move(given.days[dated])
        return Vector(np.where(dated, DATE, NONE).astype(np.int8), days, None, bad)

    return moved


def _on_or_after(day_of: Vectorized, bound_of: Vectorized) -> Vectorized:
    def kept(column: Column, n: int) -> Vector:
        day, bound = day_of(column, n), bound_of(column, n)
        keep = (day.kind == DATE) & (bound.kind == DATE) & (day.days >= bound.days)
        return Vector(np.where(keep, DATE, NONE).astype(np.int8), np.where(keep, day.days, 0), None, day.bad | bound.bad)

    return kept


def compile_vector(expr: Expr, params: Params) -> Vectorized:
    """``expr`` as a function of the columns it reads, for ``n`` rows at once (see the module's docstring)."""
    if isinstance(expr, ParamRef):
        value = encode(params[expr.param])
        # As expressions._as_value: a day number is a date, a text a text, anything else none.
        if isinstance(value, int) and not isinstance(value, bool):
            return _constant(date.fromordinal(value))
        return _constant(value if isinstance(value, str) else None)
    if isinstance(expr, (FactRef, OutcomeDataRef)):
        return _read(fact_key(expr.fact) if isinstance(expr, FactRef) else datum_key(expr.outcome, expr.data))
    if isinstance(expr, (MinOf, MaxOf)):
        items = tuple(compile_vector(e, params) for e in (expr.min if isinstance(expr, MinOf) else expr.max))
        return _extreme(items, isinstance(expr, MinOf))
    step = date_step(expr, params)
    if step is not None:
        inner, then = step
        return _moved(compile_vector(inner, params), _array_move(expr, params) or _day_by_day(then))
    if isinstance(expr, OnOrAfter):
        return _on_or_after(compile_vector(expr.on_or_after.date, params),
                            compile_vector(expr.on_or_after.from_, params))
    return _constant(expr)
