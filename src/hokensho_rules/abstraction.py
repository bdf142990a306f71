"""What a stratum's conditions can see of a flat fact: the key of the abstraction cache.

Within one stratum every condition compares a fact with a constant (a literal or a
parameter compiled in for the epoch), with another fact or outcome datum, tests
presence, or reads an earlier outcome (``rulebook/conditions.py``). So two facts
that agree on

- each date's (or number's) position among the constants it is compared with,
- each string's or flag's value where it is compared for equality (else "another value"),
- the sign of each fact-to-fact comparison, and
- which keys are present,

satisfy exactly the same conditions, and the engine fires the same rules for both.
:func:`abstraction_key` builds that key; the engine then decides each distinct key
once, while outcome data (deadlines, validity) are still computed per member from the
member's own fact. ``tests/test_batch_cache.py`` checks cached against uncached
evaluation on generated members and dates.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from .flat import Scalar, data_key, fact_key, outcome_key
from .rulebook.conditions import Params, all_conditions, operand_value
from .rulebook.schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    OutcomeDataRef,
    OutcomeIs,
    Presence,
    Rule,
)

__all__ = ["KeyFunction", "abstraction_key"]

KeyFunction = Callable[[Mapping[str, Scalar]], Hashable]


class _Mark:
    """A sentinel in a key; distinct from every value (True == 1 in Python, marks are not)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_OTHER = _Mark("other")  # a string or flag equal to none of the constants it is compared with
_TRUE = _Mark("true")
_FALSE = _Mark("false")
_PRESENT = _Mark("present")  # a value whose content no condition reads, only that it is there


class _Reads:
    """Per flat key: the number constants and the other constants it is compared with."""

    def __init__(self) -> None:
        self.numbers: dict[str, set[int]] = {}
        self.others: dict[str, set[Hashable]] = {}
        self.pairs: set[tuple[str, str]] = set()

    def key(self, name: str) -> None:
        self.numbers.setdefault(name, set())
        self.others.setdefault(name, set())

    def constant(self, name: str, value: Scalar) -> None:
        self.key(name)
        if type(value) is int:
            self.numbers[name].add(value)
        else:
            self.others[name].add(_flag(value) if type(value) is bool else value)

    def condition(self, condition: Condition, params: Params) -> None:
        if isinstance(condition, AnyOf):
            for inner in condition.any:
                self.condition(inner, params)
        elif isinstance(condition, OutcomeIs):
            for value in condition.is_:
                self.constant(outcome_key(condition.outcome), value)
        elif isinstance(condition, Presence):
            self.key(fact_key(condition.fact))
        else:
            assert isinstance(condition, Compare)
            left = fact_key(condition.fact)
            self.key(left)
            operand = condition.operand
            if isinstance(operand, (FactRef, OutcomeDataRef)):
                right = fact_key(operand.fact) if isinstance(operand, FactRef) else data_key(operand.outcome, operand.data)
                self.key(right)
                self.pairs.add((left, right))
            else:
                constant = operand_value(operand, {}, params)
                assert constant is not None
                self.constant(left, constant)


def _flag(value: bool) -> _Mark:
    return _TRUE if value else _FALSE


def abstraction_key(rules: Iterable[Rule], params: Params) -> KeyFunction:
    """The key function of a stratum made of ``rules`` under ``params`` (the epoch's values).

    Two flat facts with equal keys satisfy the same conditions of these rules, so the
    engine fires the same rules for both.
    """
    reads = _Reads()
    for rule in rules:
        for condition in all_conditions(rule):
            reads.condition(condition, params)
    # Sorted, so that the key's layout is deterministic for a given rulebook.
    columns = tuple(
        (name, tuple(sorted(reads.numbers[name])), frozenset(reads.others[name])) for name in sorted(reads.numbers)
    )
    pairs = tuple(sorted(reads.pairs))

    def key(fact: Mapping[str, Scalar]) -> Hashable:
        parts: list[Any] = []
        append = parts.append
        get = fact.get
        position = bisect.bisect_left
        for name, numbers, others in columns:
            value = get(name)
            if value is None:
                append(None)
            elif type(value) is int:
                # Position among the constants, doubled, plus one when the value equals the
                # constant there: that decides <, <=, =, >=, > against every constant.
                at = position(numbers, value)
                append(2 * at + (at < len(numbers) and numbers[at] == value))
            elif type(value) is bool:
                flag = _flag(value)
                append(flag if flag in others else _OTHER)
            else:
                append(value if value in others else (_OTHER if others else _PRESENT))
        for left, right in pairs:
            a, b = get(left), get(right)
            if a is None or b is None:
                append(None)
            elif type(a) is int and type(b) is int:
                append((a > b) - (a < b))
            else:
                append(_TRUE if a == b and type(a) is type(b) else _FALSE)
        return tuple(parts)

    return key
