"""What a stratum's conditions can see of a flat fact: the key of the abstraction cache.

Within one stratum every condition compares a fact with a constant (a literal or a
parameter compiled in for the epoch), with another fact or outcome datum, tests
presence, or reads an earlier outcome (``law/conditions.py``). So two facts
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
from typing import Any, NamedTuple

from ..facts.record import Value, datum_key, fact_key, answer_key
from ..law.conditions import Params, all_conditions, operand_value
from ..law.schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    OutcomeDataRef,
    OutcomeIs,
    Presence,
    Setting,
    Rule,
)

__all__ = ["KeyFunction", "KeySpec", "abstraction_key", "flag_compared", "key_function", "key_spec"]

KeyFunction = Callable[[Mapping[str, Value]], Hashable]


class KeySpec(NamedTuple):
    """What a stratum's key reads: per flat key its number constants and other constants, and the compared pairs."""

    columns: tuple[tuple[str, tuple[int, ...], frozenset[Hashable]], ...]
    pairs: tuple[tuple[str, str], ...]


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

    def constant(self, name: str, value: Value) -> None:
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
                self.constant(answer_key(condition.outcome), value)
        elif isinstance(condition, Presence):
            self.key(fact_key(condition.fact))
        elif isinstance(condition, Setting):
            self.key(fact_key("date"))  # compiled as a test that the date is there
        else:
            assert isinstance(condition, Compare)
            left = fact_key(condition.fact)
            self.key(left)
            operand = condition.operand
            if isinstance(operand, (FactRef, OutcomeDataRef)):
                right = fact_key(operand.fact) if isinstance(operand, FactRef) else datum_key(operand.outcome, operand.data)
                self.key(right)
                self.pairs.add((left, right))
            else:
                constant = operand_value(operand, {}, params)
                assert constant is not None
                self.constant(left, constant)


def _flag(value: bool) -> _Mark:
    return _TRUE if value else _FALSE


def flag_compared(others: frozenset[Hashable], value: bool) -> bool:
    """Whether a key's conditions compare its flag with ``value`` (else the flag reads as "another value")."""
    return _flag(value) in others


def key_spec(rules: Iterable[Rule], params: Params) -> KeySpec:
    """What the key of a stratum made of ``rules`` under ``params`` (the epoch's values) reads."""
    reads = _Reads()
    for rule in rules:
        for condition in all_conditions(rule):
            reads.condition(condition, params)
    # Sorted, so that the key's layout is deterministic for a given rulebook.
    columns = tuple(
        (name, tuple(sorted(reads.numbers[name])), frozenset(reads.others[name])) for name in sorted(reads.numbers)
    )
    return KeySpec(columns, tuple(sorted(reads.pairs)))


def abstraction_key(rules: Iterable[Rule], params: Params) -> KeyFunction:
    """The key function of a stratum made of ``rules`` under ``params`` (the epoch's values).

    Two flat facts with equal keys satisfy the same conditions of these rules, so the
    engine fires the same rules for both.
    """
    return key_function(key_spec(rules, params))


def key_function(spec: KeySpec) -> KeyFunction:
    """The key function of ``spec``, written out column by column and compiled.

    It is computed for every stratum of every member: unrolled, it costs about half
    of a loop over the columns. Only names are put in the source; every key and
    constant is passed in the namespace, never spliced into the text.
    """
    namespace: dict[str, Any] = {
        "position": bisect.bisect_left, "OTHER": _OTHER, "TRUE": _TRUE, "FALSE": _FALSE, "PRESENT": _PRESENT,
    }
    columns, pairs = spec
    lines = ["def key(fact):", "    get = fact.get"]
    names = []
    for i, (name, numbers, others) in enumerate(columns):
        namespace[f"K{i}"], namespace[f"N{i}"], namespace[f"E{i}"] = name, numbers, others
        namespace[f"D{i}"] = _OTHER if others else _PRESENT
        flag = f"((TRUE if v else FALSE) if (TRUE if v else FALSE) in E{i} else OTHER)"
        # Position among the constants, doubled, plus one when the value equals the
        # constant there: that decides <, <=, =, >=, > against every constant.
        number = (f"(2 * (at := position(N{i}, v)) + (at < {len(numbers)} and N{i}[at] == v))" if numbers else "0")
        lines += [
            f"    v = get(K{i})",
            (f"    c{i} = None if v is None else {number} if type(v) is int else {flag} if type(v) is bool "
             f"else (v if v in E{i} else D{i})"),
        ]
        names.append(f"c{i}")
    for j, (left, right) in enumerate(pairs):
        namespace[f"L{j}"], namespace[f"R{j}"] = left, right
        lines += [
            f"    a, b = get(L{j}), get(R{j})",
            (f"    p{j} = None if a is None or b is None else ((a > b) - (a < b)) if type(a) is int and type(b) is int "
             "else (TRUE if a == b and type(a) is type(b) else FALSE)"),
        ]
        names.append(f"p{j}")
    lines.append(f"    return ({', '.join(names)}{',' if len(names) == 1 else ''})")
    exec(compile("\n".join(lines), "<abstraction key>", "exec"), namespace)  # noqa: S102
    key: KeyFunction = namespace["key"]
    return key
