"""Outcome data computed for many rows at once (law/vectors.py) are, row for row, what the
scalar expression (law/expressions.py) gives for that row alone.

Every data expression of every shipped rule, under the parameters in force on days
across the transition, is given generated columns: days anywhere in the calendar
(its first and last days and beyond them included), texts, flags and absent values.
A row where the scalar raises is marked bad; every other row has the scalar's value.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.facts.record import datum_key, fact_key
from hokensho_rules.facts.table import objects
from hokensho_rules.law.expressions import compile_expr
from hokensho_rules.law.schema import FactRef, OutcomeDataRef
from hokensho_rules.law.terms import sub_exprs
from hokensho_rules.law.vectors import compile_vector

BOOK = hr.Rulebook.load()
DAYS = [date(2024, 12, 1), date(2025, 12, 2), date(2026, 8, 1), date(2030, 1, 1)]
EXPRESSIONS = sorted({(rule.id, datum) for rule in BOOK.law.rules.values() for datum in rule.data})
LAST = date.max.toordinal()


def reads(expr: object) -> list[str]:
    if isinstance(expr, FactRef):
        return [fact_key(expr.fact)]
    if isinstance(expr, OutcomeDataRef):
        return [datum_key(expr.outcome, expr.data)]
    return [key for _, inner in sub_exprs(expr) for key in reads(inner)]  # type: ignore[arg-type]


values = st.one_of(
    st.none(), st.booleans(), st.sampled_from(["", "text", "2025-12-02"]),
    st.integers(date(2015, 1, 1).toordinal(), date(2035, 12, 31).toordinal()),
    st.sampled_from([1, 2, 31, 366, LAST, LAST - 1, LAST - 40, 0, -1, LAST + 1, 10**30, -(10**30)]),
    # First days of months near the calendar's end: a period from one can end on its last day.
    st.sampled_from([date(year, month, 1).toordinal() for year in range(9989, 10000) for month in (1, 6, 12)]),
)


@pytest.mark.parametrize(("rule_id", "datum"), EXPRESSIONS, ids=[f"{r}.{d}" for r, d in EXPRESSIONS])
@given(on=st.sampled_from(DAYS), data=st.data())
@settings(max_examples=30, deadline=None)
def test_every_row_is_what_the_scalar_expression_gives(rule_id: str, datum: str, on: date, data: st.DataObject) -> None:
    expr = BOOK.law.rules[rule_id].data[datum]
    params = BOOK.law.params_on(on)
    keys = sorted(set(reads(expr)))
    n = data.draw(st.integers(1, 12), label="rows")
    # A few days shared by every column, so that dates are often equal, or a day apart, across columns.
    pool = data.draw(st.lists(st.integers(date(2020, 1, 1).toordinal(), date(2030, 1, 1).toordinal()), min_size=1,
                              max_size=3), label="shared days")
    # And the days the parameters name (a bound such as the day the paper card was abolished).
    pool += sorted(v.toordinal() for v in params.values() if isinstance(v, date))
    shared = st.sampled_from(pool).flatmap(lambda d: st.sampled_from([d - 1, d, d + 1]))
    cells = st.one_of(values, shared, shared)
    columns = {key: objects(data.draw(st.lists(cells, min_size=n, max_size=n), label=key)) for key in keys}
    found = compile_vector(expr, params)(columns.__getitem__, n)
    got = found.values()
    scalar = compile_expr(expr, params)
    for row in range(n):
        fact = {key: columns[key][row] for key in keys if columns[key][row] is not None}
        try:
            value = scalar(fact)
        except (ValueError, OverflowError):
            assert found.bad[row], (row, fact)
            continue
        assert not found.bad[row], (row, fact)
        assert got[row] == (value.toordinal() if isinstance(value, date) else value), (row, fact)
