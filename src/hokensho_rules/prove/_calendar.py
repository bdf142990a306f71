"""The Civil-Code calendar as linear integer arithmetic, for the solver.

Dates are day numbers (``date.toordinal``). A day number is split into year, month
and day of the proleptic Gregorian calendar by constraints (divisions and remainders
by constants only, so the theory stays linear), which makes the period and month-end
expressions of :mod:`hokensho_rules.law.calendar` exact, not approximated: the solver
sees the same last day ``civil_period_end`` and ``end_of_month_after`` compute.
"""

from __future__ import annotations

from typing import Any

import z3

# z3 ships no type information: its expressions are Any here.
Z = Any

_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def _table(m: Z, values: tuple[int, ...]) -> Z:
    """``values[m - 1]`` for a month ``m`` in 1..12, as nested if-then-else."""
    expr: Z = z3.IntVal(values[-1])
    for month in range(len(values) - 1, 0, -1):
        expr = z3.If(m == month, values[month - 1], expr)
    return expr


def is_leap(y: Z) -> Z:
    """Gregorian leap year."""
    return z3.Or(z3.And(y % 4 == 0, y % 100 != 0), y % 400 == 0)


def days_in_month(y: Z, m: Z) -> Z:
    """Number of days of month ``m`` of year ``y``."""
    plain = _table(m, (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31))
    return z3.If(z3.And(m == 2, is_leap(y)), 29, plain)


def ordinal(y: Z, m: Z, d: Z) -> Z:
    """``date(y, m, d).toordinal()`` for y >= 1 (divisions of non-negative numbers by constants)."""
    before = y - 1
    days_before_year = 365 * before + before / 4 - before / 100 + before / 400
    leap_day = z3.If(z3.And(m > 2, is_leap(y)), 1, 0)
    return days_before_year + _table(m, _DAYS_BEFORE_MONTH) + leap_day + d


class Calendar:
    """Splits day numbers into calendar dates, once per distinct day-number expression.

    The constraints it makes are definitions (every day number in range has exactly
    one calendar date), collected in :attr:`axioms` for the caller to assert.
    """

    def __init__(self) -> None:
        self.axioms: list[Z] = []
        self._split: dict[int, tuple[Z, Z, Z]] = {}
        self._working_day = z3.Function("working_day", z3.IntSort(), z3.IntSort())

    def split(self, day: Z, known: Z) -> tuple[Z, Z, Z]:
        """Year, month and day of ``day`` (constrained only where ``known`` holds)."""
        key = day.get_id()
        found = self._split.get(key)
        if found is None:
            n = len(self._split)
            y, m, d = z3.Ints(f"cal{n}_y cal{n}_m cal{n}_d")
            # The last two bounds follow from the others (the days before year y are
            # within 2 days of 365.2425 * (y - 1)); stated, they let the solver find the
            # year of a known day number at once instead of searching for it.
            self.axioms.append(
                z3.Implies(
                    known,
                    z3.And(
                        y >= 1, m >= 1, m <= 12, d >= 1, d <= days_in_month(y, m), ordinal(y, m, d) == day,
                        400 * (day - 1) > 146097 * (y - 1) - 800,
                        400 * (day - 1) < 146097 * (y - 1) + 146400,
                    ),
                )
            )
            found = (y, m, d)
            self._split[key] = found
        return found

    def period_end(self, start: Z, known: Z, *, years: int, months: int) -> Z:
        """The last day of a period of ``years`` + ``months`` beginning on ``start`` (民法 第143条).

        As :func:`hokensho_rules.law.calendar.civil_period_end`: the day before the
        corresponding day of the final month, or that month's last day if it has none.
        """
        y, m, d = self.split(start, known)
        months_on = m - 1 + months
        y2 = y + years + months_on / 12
        m2 = months_on % 12 + 1
        last = days_in_month(y2, m2)
        return z3.If(d > last, ordinal(y2, m2, last), ordinal(y2, m2, d) - 1)

    def month_end(self, start: Z, known: Z, *, months: int) -> Z:
        """The last day of the ``months``-th month after the month of ``start``."""
        y, m, _ = self.split(start, known)
        months_on = m - 1 + months
        y2 = y + months_on / 12
        m2 = months_on % 12 + 1
        return ordinal(y2, m2, days_in_month(y2, m2))

    def working_day(self, day: Z, known: Z, *, most: int) -> Z:
        """The first working day on or after ``day``, at most ``most`` days later.

        Which days are off (holidays) is not arithmetic: the solver sees an unknown
        function within those bounds, so a proof holds for every calendar of days off.
        """
        moved = self._working_day(day)
        self.axioms.append(z3.Implies(known, z3.And(moved >= day, moved <= day + most)))
        return moved

    def working_day_is(self, day: int, moved: int) -> Z:
        """The first working day on or after day number ``day`` is ``moved`` (to pin one calendar)."""
        return self._working_day(z3.IntVal(day)) == moved
