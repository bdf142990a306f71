"""Outcome data computed for many rows at once, with numpy: what ``expressions.py`` computes for one.

A chunk of a membership asks the same datum of thousands of members whose dates
differ. :func:`compile_vector` turns an expression into a function of the columns it
reads (one value per row, as the flat facts hold them) that gives every row's value as
:func:`~hokensho_rules.law.expressions.compile_expr` would for that row alone:

- a value is a date (a day number), a text, or none, per row;
- a move of one date (a day before, a period's end, a working day …) is the scalar
  move itself (``expressions.date_step``), applied once per distinct day and
  remembered, so both can never disagree;
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
from .expressions import date_step
from .schema import Expr, FactRef, MaxOf, MinOf, OnOrAfter, OutcomeDataRef, ParamRef

__all__ = ["Column", "Vector", "Vectorized", "compile_vector"]

NONE, DATE, TEXT = 0, 1, 2
_LAST_DAY = date.max.toordinal()
# Days remembered per move (a pure function of the day): forgotten all at once past it.
_DAYS_KEPT = 1 << 14

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
        # date.fromordinal raises beyond the calendar: the scalar read fails there.
        inside = [1 <= v <= _LAST_DAY for v in values[dated].tolist()]
        bad = np.zeros(n, dtype=bool)
        bad[dated] = ~np.array(inside, dtype=bool)
        days = np.zeros(n, dtype=np.int64)
        days[dated & ~bad] = values[dated & ~bad].astype(np.int64)
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


def _moved(inner: Vectorized, then: Callable[[date], date]) -> Vectorized:
    remembered: dict[int, int | None] = {}  # day → moved day, or None where the move raises

    def move(day: int) -> int | None:
        try:
            return then(date.fromordinal(day)).toordinal()
        except Exception:  # noqa: BLE001 - the row is decided alone, which reports the error
            return None

    def moved(column: Column, n: int) -> Vector:
        given = inner(column, n)
        dated = (given.kind == DATE) & ~given.bad
        distinct = np.unique(given.days[dated])
        if len(remembered) + len(distinct) > _DAYS_KEPT:
            remembered.clear()
        results = [remembered[d] if d in remembered else remembered.setdefault(d, move(d)) for d in distinct.tolist()]
        failed = np.array([r is None for r in results], dtype=bool)
        to = np.array([0 if r is None else r for r in results], dtype=np.int64)
        at = np.searchsorted(distinct, given.days[dated])
        days = np.zeros(n, dtype=np.int64)
        days[dated] = to[at]
        bad = given.bad.copy()
        bad[dated] |= failed[at]
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
        return _moved(compile_vector(inner, params), then)
    if isinstance(expr, OnOrAfter):
        return _on_or_after(compile_vector(expr.on_or_after.date, params),
                            compile_vector(expr.on_or_after.from_, params))
    return _constant(expr)
