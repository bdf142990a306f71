"""Rules to durable-rules rulesets: one ruleset per stratum, one JSON pattern per rule.

Parameters are compiled in as constants for the epoch being evaluated (the values in
force on the evaluation date), so a rulebook has one compiled program per epoch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..facts.record import datum_key, fact_key, answer_key
from ..law.conditions import Params, all_conditions, operand_value, setting_holds
from ..law.schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    OutcomeDataRef,
    OutcomeIs,
    Rule,
    Setting,
)

__all__ = ["MAX_BRANCHES", "branch_count", "compile_stratum", "rule_name"]

# durable-rules keeps the children of a network node in a 512-slot open-addressing
# table, and its lookup (rete.c, findAlpha) probes forever once all slots are taken:
# create_ruleset never returns. Every child lies on a distinct alternative (branch) of
# some rule, so a ruleset of at most this many branches can never fill one table.
MAX_BRANCHES = 512

_OPERATORS = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}

Json = dict[str, Any]


def rule_name(index: int) -> str:
    """The name of the ``index``-th rule of a stratum inside its ruleset."""
    return f"r{index}"


def _exists(key: str) -> Json:
    return {"$ex": {key: 1}}


def _all(terms: list[Json]) -> Json:
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _compare(condition: Compare, params: Params) -> list[Json]:
    left = fact_key(condition.fact)
    operand = condition.operand
    # durable-rules treats a comparison whose right-hand field is missing as true, and
    # `$neq` on a missing field too: guard every side with `$ex`, so that a comparison
    # with an unknown value is false, as in the Python evaluator.
    terms = [_exists(left)]
    if isinstance(operand, (FactRef, OutcomeDataRef)):
        right = (
            fact_key(operand.fact)
            if isinstance(operand, FactRef)
            else datum_key(operand.outcome, operand.data)
        )
        terms.append(_exists(right))
        value: Any = {"$m": right}
    else:
        value = operand_value(operand, {}, params)
    op = condition.operator
    terms.append({left: value} if op == "eq" else {_OPERATORS[op]: {left: value}})
    return terms


def _terms(condition: Condition, params: Params) -> list[Json]:
    if isinstance(condition, Compare):
        return _compare(condition, params)
    if isinstance(condition, AnyOf):
        return [{"$or": [_all(_terms(c, params)) for c in condition.any]}]
    if isinstance(condition, OutcomeIs):
        key = answer_key(condition.outcome)
        options = [{key: value} for value in condition.is_]
        return [options[0] if len(options) == 1 else {"$or": options}]
    if isinstance(condition, Setting):
        # Fixed for these parameter values: the evaluation date is always there.
        return [{"$ex" if setting_holds(condition, params) else "$nex": {fact_key("date"): 1}}]
    key = fact_key(condition.fact)
    return [{"$ex" if condition.present else "$nex": {key: 1}}]


def _branches(condition: Condition) -> int:
    if isinstance(condition, AnyOf):
        return sum(_branches(c) for c in condition.any)
    if isinstance(condition, OutcomeIs):
        return len(condition.is_)  # one `$or` option per outcome
    return 1


def branch_count(rules: Sequence[Rule]) -> int:
    """How many alternatives the rules compile to: the engine expands every `$or` into
    branches of its network, and a rule's branches multiply across its conditions."""
    return sum(math.prod(_branches(c) for c in all_conditions(rule)) for rule in rules)


def compile_rule(rule: Rule, params: Params) -> Json:
    """One rule as a durable-rules pattern; it starts with the positive `type` test."""
    terms: list[Json] = [{"type": "member"}]
    for condition in all_conditions(rule):
        terms.extend(_terms(condition, params))
    return {"all": [{"m": {"$and": terms}}]}


def compile_stratum(rules: Sequence[Rule], params: Params) -> Json:
    """The ruleset of one stratum: rule ``i`` is named :func:`rule_name` (i)."""
    return {rule_name(i): compile_rule(rule, params) for i, rule in enumerate(rules)}
