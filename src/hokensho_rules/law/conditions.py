"""Conditions evaluated in Python, on the same flat fact the engine sees.

The engine decides; this module only explains (which condition failed, which facts a
rule matched). The tests check on generated members that it agrees with the engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from ..facts.record import Value, datum_key, encode, fact_key, answer_key
from .schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    InForce,
    OutcomeDataRef,
    OutcomeIs,
    ParamRef,
    Presence,
    Rule,
    Setting,
)

__all__ = [
    "all_conditions",
    "first_failing",
    "holds",
    "in_force_conditions",
    "operand_value",
    "referenced_keys",
    "setting_holds",
]

Params = Mapping[str, date | int | str]
Fact = Mapping[str, Value]


def in_force_conditions(in_force: InForce) -> tuple[Compare, ...]:
    """A rule's period in force as conditions on the evaluation date."""
    bounds = (("from_", "gte"), ("after", "gt"), ("until", "lte"), ("before", "lt"))
    return tuple(
        Compare.model_validate({"fact": "date", operator: value})
        for name, operator in bounds
        if (value := getattr(in_force, name)) is not None
    )


def all_conditions(rule: Rule) -> tuple[Condition, ...]:
    """Every condition of a rule, its period in force first."""
    return in_force_conditions(rule.in_force) + rule.when


def operand_value(operand: object, fact: Fact, params: Params) -> Value | None:
    """The encoded value an operand stands for, or None when it is unknown."""
    if isinstance(operand, ParamRef):
        return encode(params[operand.param])
    if isinstance(operand, FactRef):
        return fact.get(fact_key(operand.fact))
    if isinstance(operand, OutcomeDataRef):
        return fact.get(datum_key(operand.outcome, operand.data))
    assert isinstance(operand, (date, bool, int, str))
    return encode(operand)


def setting_holds(condition: Setting, params: Params) -> bool:
    """Whether an insurer's setting has one of the values asked for (no fact is read)."""
    return params[condition.setting] in condition.is_


def _compare(left: Value, operator: str, right: Value) -> bool:
    if operator == "eq":
        return left == right
    if operator == "ne":
        return left != right
    # The loader only lets dates and numbers reach an ordering operator.
    assert isinstance(left, int) and isinstance(right, int)
    if operator == "lt":
        return left < right
    if operator == "lte":
        return left <= right
    if operator == "gt":
        return left > right
    return left >= right


def holds(condition: Condition, fact: Fact, params: Params) -> bool:
    """Whether a condition holds; a comparison with an unknown side is false."""
    if isinstance(condition, Compare):
        left = fact.get(fact_key(condition.fact))
        right = operand_value(condition.operand, fact, params)
        return left is not None and right is not None and _compare(left, condition.operator, right)
    if isinstance(condition, Presence):
        return (fact_key(condition.fact) in fact) == condition.present
    if isinstance(condition, OutcomeIs):
        return fact.get(answer_key(condition.outcome)) in condition.is_
    if isinstance(condition, Setting):
        return setting_holds(condition, params)
    assert isinstance(condition, AnyOf)
    return any(holds(c, fact, params) for c in condition.any)


def first_failing(rule: Rule, fact: Fact, params: Params) -> Condition | None:
    """The first condition of ``rule`` that does not hold, or None if the rule applies."""
    return next((c for c in all_conditions(rule) if not holds(c, fact, params)), None)


def referenced_keys(condition: Condition) -> Iterator[tuple[str, str]]:
    """(name, flat key) of every fact and outcome a condition reads, in order."""
    if isinstance(condition, (Compare, Presence)):
        yield condition.fact, fact_key(condition.fact)
        if isinstance(condition, Compare):
            ref = condition.operand
            if isinstance(ref, FactRef):
                yield ref.fact, fact_key(ref.fact)
            elif isinstance(ref, OutcomeDataRef):
                yield f"{ref.outcome}.{ref.data}", datum_key(ref.outcome, ref.data)
    elif isinstance(condition, OutcomeIs):
        yield condition.outcome, answer_key(condition.outcome)
    elif isinstance(condition, AnyOf):
        for inner in condition.any:
            yield from referenced_keys(inner)
