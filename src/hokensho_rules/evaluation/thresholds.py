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
from ..facts.record import FACT_TYPES, Value, datum_key, fact_key
from ..law.conditions import Params, all_conditions, operand_value
from ..law.schema import AnyOf, Compare, Condition, FactRef, OutcomeDataRef, Rule
from .change_points import DATE_FACT, nodes

__all__ = [
    "DATE_KEYS", "EVENT_KEYS", "Thresholds", "around_ordinal", "date_signature", "date_thresholds", "flips", "pair_days", "reads_of", "steady",
]

_MAX = date.max.toordinal()
# The record keys of the member's recorded events: its record changes on each of their days.
EVENT_KEYS = tuple(f"{part}__{name}" for part, names in EVENTS.items() for name in names)
# The record keys holding the member's dates (every date field of a Member and its documents).
DATE_KEYS = tuple(fact_key(name) for name, kind in FACT_TYPES.items() if kind.kind == "date" and name != DATE_FACT)


# On which day, relative to v, ``date OP v`` changes truth: ``date < v`` and ``date >= v`` on v,
# ``date <= v`` and ``date > v`` on v + 1, ``date == v`` and ``date != v`` on both.
_DATE_FIRST = {"lt": (0,), "gte": (0,), "lte": (1,), "gt": (1,), "eq": (0, 1), "ne": (0, 1)}
# The same for ``v OP date`` (``v < date`` is ``date > v``, …).
_DATE_SECOND = {"lt": (1,), "gte": (1,), "lte": (0,), "gt": (0,), "eq": (0, 1), "ne": (0, 1)}

Thresholds = tuple[list[int], tuple[tuple[str, tuple[int, ...]], ...]]
"""The days a comparison of the date with a constant flips (sorted), and per flat key the
date is compared with, the offsets from its value of the days such a comparison flips."""


def date_thresholds(rules: Iterable[Rule], params: Params) -> Thresholds:
    """When the comparisons of the date in ``rules`` (under ``params``) change truth: the
    days for comparisons with constants, and the flat keys (facts, outcome data) it is
    compared with, each with the offsets of its flip days from the key's value."""
    days: set[int] = set()
    pairs: dict[str, set[int]] = {}

    def visit(condition: Condition) -> None:
        if isinstance(condition, AnyOf):
            for inner in condition.any:
                visit(inner)
        elif isinstance(condition, Compare):
            left, operand, operator = fact_key(condition.fact), condition.operand, condition.operator
            if isinstance(operand, (FactRef, OutcomeDataRef)):
                right = fact_key(operand.fact) if isinstance(operand, FactRef) else datum_key(operand.outcome, operand.data)
                if left == DATE_FACT and right != DATE_FACT:
                    pairs.setdefault(right, set()).update(_DATE_FIRST[operator])
                elif right == DATE_FACT and left != DATE_FACT:
                    pairs.setdefault(left, set()).update(_DATE_SECOND[operator])
            elif left == DATE_FACT:
                constant = operand_value(operand, {}, params)
                if type(constant) is int:
                    days.update(constant + offset for offset in _DATE_FIRST[operator])

    for rule in rules:
        for condition in all_conditions(rule):
            visit(condition)
    return sorted(days), tuple((key, tuple(sorted(pairs[key]))) for key in sorted(pairs))


def pair_days(thresholds: Thresholds, fact: Mapping[str, Value]) -> list[int]:
    """The days (sorted) some comparison of the date with a value of ``fact`` flips."""
    return sorted(v + offset for key, offsets in thresholds[1] if type(v := fact.get(key)) is int for offset in offsets)


def steady(days: list[int], compared: list[int], before: int, day: int) -> bool:
    """Whether no comparison of the date flips between ``before`` and the later ``day``: no
    flip day of a constant (``days``) or of a compared value (``compared``) in before+1..day."""
    return bisect.bisect_right(days, before) == bisect.bisect_right(days, day) and \
        bisect.bisect_right(compared, before) == bisect.bisect_right(compared, day)


def flips(thresholds: Thresholds, before: int, day: int, fact: Mapping[str, Value]) -> bool:
    """Whether some comparison of the date (with a constant, or a value of ``fact``) differs
    between ``before`` and the later ``day``."""
    days, pairs = thresholds
    if bisect.bisect_right(days, before) != bisect.bisect_right(days, day):
        return True
    for key, offsets in pairs:
        value = fact.get(key)
        if type(value) is int:
            for offset in offsets:
                if before < value + offset <= day:
                    return True
    return False


def date_signature(thresholds: Thresholds, day: int, fact: Mapping[str, Value]) -> tuple[object, ...]:
    """What the comparisons of the date in one stratum see on ``day``: its place among the
    constants' flip days, and for each compared fact or datum the sign of ``day`` minus it
    (None when absent). With the record otherwise the same, equal signatures mean equal
    truth of every comparison of the date."""
    days, pairs = thresholds
    signs: list[object] = [bisect.bisect_right(days, day)]
    for key, _ in pairs:
        value = fact.get(key)
        signs.append((day > value) - (day < value) if type(value) is int else None)
    return tuple(signs)


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
