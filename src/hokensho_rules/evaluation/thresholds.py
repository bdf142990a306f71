"""When a comparison with the evaluation date can flip: what lets a timeline reuse a stratum.

Between two change points only the date moves. A stratum's conditions compare the date
with constants (a law's dates, parameters in force) and with facts and outcome data
(``date < member.loss_on``); its abstraction key stays the same between two days unless
one of those comparisons flips in between. These helpers find those days, and the flat
keys an outcome datum's expression reads (its value depends on nothing else).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import date

from ..facts.known import EVENTS
from ..facts.record import Value, datum_key, fact_key
from ..law.conditions import Params, all_conditions, operand_value
from ..law.schema import AnyOf, Compare, Condition, FactRef, OutcomeDataRef, Rule
from .change_points import DATE_FACT, nodes

__all__ = ["EVENT_KEYS", "around_ordinal", "date_thresholds", "flips", "reads_of", "steady"]

_MAX = date.max.toordinal()
# The record keys of the member's recorded events: its record changes on each of their days.
EVENT_KEYS = tuple(f"{part}__{name}" for part, names in EVENTS.items() for name in names)


def date_thresholds(rules: Iterable[Rule], params: Params) -> tuple[list[int], tuple[str, ...]]:
    """The days on which a comparison of the date with a constant in ``rules`` flips
    (each constant and the day after it, sorted), and the flat keys (facts, outcome data)
    some condition compares the date with."""
    days: set[int] = set()
    pairs: set[str] = set()

    def visit(condition: Condition) -> None:
        if isinstance(condition, AnyOf):
            for inner in condition.any:
                visit(inner)
        elif isinstance(condition, Compare):
            left, operand = fact_key(condition.fact), condition.operand
            if isinstance(operand, (FactRef, OutcomeDataRef)):
                right = fact_key(operand.fact) if isinstance(operand, FactRef) else datum_key(operand.outcome, operand.data)
                pairs.update(other for one, other in ((left, right), (right, left)) if one == DATE_FACT)
            elif left == DATE_FACT:
                constant = operand_value(operand, {}, params)
                if type(constant) is int:
                    days.update(around_ordinal(constant))

    for rule in rules:
        for condition in all_conditions(rule):
            visit(condition)
    return sorted(days), tuple(sorted(pairs - {DATE_FACT}))


def steady(days: list[int], pair_days: list[int], before: int, day: int) -> bool:
    """Whether no comparison of the date flips between ``before`` and the later ``day``: no
    constant's flip day, and no compared value ``v`` (flips on v or v + 1), in before+1..day."""
    return bisect.bisect_right(days, before) == bisect.bisect_right(days, day) and \
        bisect.bisect_left(pair_days, before) == bisect.bisect_right(pair_days, day)


def flips(thresholds: tuple[list[int], tuple[str, ...]], before: int, day: int, fact: Mapping[str, Value]) -> bool:
    """Whether some comparison of the date (with a constant, or a value of ``fact``) differs
    between ``before`` and the later ``day``."""
    days, pairs = thresholds
    if bisect.bisect_right(days, before) != bisect.bisect_right(days, day):
        return True
    for key in pairs:
        value = fact.get(key)
        # ``date < v`` flips on v, ``date <= v`` on v + 1: either in before+1..day.
        if type(value) is int and before <= value <= day:
            return True
    return False


def reads_of(expr: object) -> tuple[str, ...]:
    """The flat keys an outcome datum's expression reads (facts and earlier data), sorted."""
    keys = {
        fact_key(node.fact) if isinstance(node, FactRef) else datum_key(node.outcome, node.data)
        for node in nodes(expr)
        if isinstance(node, (FactRef, OutcomeDataRef))
    }
    return tuple(sorted(keys))


def around_ordinal(day: int) -> tuple[int, ...]:
    """A threshold's day number and the next (``change_points.around`` on day numbers)."""
    return (day, day + 1) if day < _MAX else (day,)
