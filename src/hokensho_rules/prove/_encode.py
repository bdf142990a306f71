"""A rulebook as one solver formula: facts, rules firing, rules standing, answers.

Mirrors, construct by construct, what ``Rulebook.evaluate`` does on the flat fact:
``conditions.holds`` for conditions (a comparison with an unknown side is false),
``expressions.evaluate_expr`` for outcome data (unknown inputs propagate, ``min`` and
``max`` skip them), ``resolve``'s default logic for which fired rules stand
(:func:`standing`), and ``agreed_data`` for the data later questions read (the
deciding rule's, which every standing rule must give alike, or the earliest/latest
where the question combines them). Parameters take the value in force on the
evaluation date.

This module is longer than 400 lines: it mirrors every kind of term of the rule language
(conditions, settings, each date expression), and splitting the mirror would scatter
what must change together when the language grows.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import z3

from ..facts.record import FACT_TYPES
from ..rulebook.book import Rulebook
from ..law.conditions import all_conditions
from ..law.expressions import days_off_of
from ..law.schema import (
    AnyOf,
    Compare,
    Condition,
    DayAfter,
    DayBefore,
    DaysBefore,
    Expr,
    FactRef,
    MaxOf,
    MinOf,
    MonthEnd,
    OnOrAfter,
    OutcomeDataRef,
    OutcomeIs,
    ParamRef,
    PeriodEnd,
    Presence,
    Setting,
    Rule,
    WithinDays,
    WorkingDay,
    expr_counts,
    sub_exprs,
)
from ._calendar import Calendar, Z
from ._domain import DOMAIN
from ._facts import FactVars, TextCodes
from ._model import DATE_FACT

__all__ = ["Encoding", "ProofError", "Val", "standing"]


class ProofError(ValueError):
    """A rule uses the vocabulary in a way the prover cannot encode faithfully."""


@dataclass(frozen=True)
class Val:
    """A value as the flat fact holds it: a kind, a solver term and whether it is known."""

    kind: str  # date (a day number) | text (a code) | bool
    value: Z
    known: Z


_TRUE = z3.BoolVal(True)
_FALSE = z3.BoolVal(False)
_NOTHING = Val("date", z3.IntVal(0), _FALSE)


def _strings(rulebook: Rulebook) -> Iterator[str]:
    """Every text the rulebook names: choices, literals, text parameters."""
    for fact_type in FACT_TYPES.values():
        yield from fact_type.choices
    for parameter in rulebook.parameters.values():
        yield from (v.value for v in parameter.values if isinstance(v.value, str))
    nodes: list[object] = [c for r in rulebook.rules.values() for c in all_conditions(r)]
    nodes += [e for r in rulebook.rules.values() for e in r.data.values()]
    nodes += [c for _, c in DOMAIN]
    while nodes:
        node = nodes.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, AnyOf):
            nodes.extend(node.any)
        elif isinstance(node, Compare):
            nodes.append(node.operand)
        elif isinstance(node, Setting):
            nodes.extend(node.is_)
        elif isinstance(node, (MinOf, MaxOf, DayBefore, DayAfter, PeriodEnd, WithinDays, WorkingDay, DaysBefore, OnOrAfter, MonthEnd)):
            nodes.extend(inner for _, inner in sub_exprs(node))


def _margin(rulebook: Rulebook) -> int:
    """A bound on how many days outcome data can move a date, summed over every expression.

    Facts are kept this far inside the calendar, so that no datum the rules compute
    falls outside it (``Rulebook.evaluate`` raises ``ValueError`` there, an error of
    input beyond the calendar, not a conflict or a gap).
    """
    total = 1
    todo: list[Expr] = [e for r in rulebook.rules.values() for e in r.data.values()]
    while todo:
        expr = todo.pop()
        todo.extend(inner for _, inner in sub_exprs(expr))
        if isinstance(expr, (DayBefore, DayAfter)):
            total += 1
        if isinstance(expr, WorkingDay):
            total += _longest_move(expr, rulebook)
        # Days per unit: a year is at most 366 days and a month 31 (a month end: one more month).
        per_unit = 366 if isinstance(expr, PeriodEnd) else 31 if isinstance(expr, MonthEnd) else 1
        for i, (_, count) in enumerate(expr_counts(expr)):
            unit = 31 if isinstance(expr, PeriodEnd) and i == 1 else per_unit
            values = [count] if isinstance(count, int) else [v.value for v in rulebook.parameters[count.param].values]
            total += unit * (1 + max(abs(v) for v in values if isinstance(v, int)))
    return total


def _longest_move(expr: WorkingDay, rulebook: Rulebook) -> int:
    """How many days a working-day deadline can move, over every value its parameter takes."""
    name = expr.working_day.days_off.param
    return max(days_off_of(expr, {name: dated.value}).longest_run() for dated in rulebook.parameters[name].values)


def standing(rules: Sequence[Rule], fired: Mapping[str, Z]) -> tuple[dict[str, Z], dict[str, Z]]:
    """Which of one question's ``rules`` stand, given a formula per rule for "it fired".

    ``resolve``'s default logic, over formulas instead of a list of fired rules.
    Returns two formulas per rule id:

    - ``up``: it stands as :func:`~hokensho_rules.evaluation.resolve.standing_rules`
      says, before fallbacks are set aside: it fired and none of its exceptions (the
      rules whose ``overrides``, as widened by refinements, name it) is up;
    - ``stands``: it stands as ``resolve`` says: ``up``, and for a ``fallback`` rule,
      no rule that is not a fallback is up.

    The recursion ends because the loader rejects exceptions in a circle
    (``checks.check_exceptions``). tests/test_prove_encoding.py checks both against
    ``standing_rules`` and ``resolve`` on every set of fired rules.
    """
    exceptions = {r.id: [e.id for e in rules if r.id in e.overrides] for r in rules}

    @functools.cache
    def is_up(rule_id: str) -> Z:
        return z3.And(fired[rule_id], z3.Not(z3.Or([is_up(e) for e in exceptions[rule_id]])))

    up = {r.id: is_up(r.id) for r in rules}
    others = z3.Or([up[r.id] for r in rules if not r.fallback])
    return up, {r.id: z3.And(up[r.id], z3.Not(others)) if r.fallback else up[r.id] for r in rules}


class Encoding:
    """The formulas of one rulebook.

    ``fired[r]``/``standing[r]`` are Bool constants per rule (``standing`` as
    ``resolve`` reads it: see :func:`standing`); ``answer[q][o]`` holds when outcome
    ``o`` of question ``q`` has a standing rule; ``asked[q]`` when ``q``
    is asked at all (a question needing a situation is asked only with one).
    :meth:`constraints` are the definitions of all of these plus the domain.
    """

    def __init__(self, rulebook: Rulebook):
        self.book = rulebook
        self.texts = TextCodes(_strings(rulebook))
        margin = _margin(rulebook)
        self.lo, self.hi = date.min.toordinal() + margin, date.max.toordinal() - margin
        self.facts = FactVars(self.texts, self.lo, self.hi)
        self.calendar = Calendar()
        self.day: Z = self.facts.value[DATE_FACT]
        self.definitions: list[Z] = []
        self.fired: dict[str, Z] = {}
        self.standing: dict[str, Z] = {}
        self.ground: dict[str, Z] = {}
        self.answer: dict[str, dict[str, Z]] = {}
        self.asked: dict[str, Z] = {}
        self._data: dict[tuple[str, str], Val] = {}
        self.domain = [self.condition(c) for _, c in DOMAIN]
        for group in rulebook.strata:
            for question in group:
                self._question(question)

    def constraints(self) -> list[Z]:
        """Everything asserted once per rulebook: the domain and the definitions."""
        return [*self.facts.constraints, *self.domain, *self.definitions, *self.calendar.axioms]

    def rules_of(self, question: str) -> list[Rule]:
        """The rules of a question in rulebook order (the order ``resolve`` sees them)."""
        return [r for r in self.book.rules.values() if r.question == question]

    def ok(self, question: str) -> Z:
        """The question, if asked, has exactly one outcome with a standing rule."""
        answers = list(self.answer[question].values())
        return z3.Implies(self.asked[question], z3.PbEq([(a, 1) for a in answers], 1))

    def failure(self, question: str) -> Z:
        """The question is asked and has no outcome, or several, with a standing rule, or two
        standing rules of one outcome give a datum differently (``agreed_data``: a conflict too)."""
        return z3.And(self.asked[question], z3.Or(z3.Not(self.ok(question)), *self._disagreements(question)))

    def _disagreements(self, question: str) -> list[Z]:
        """Per pair of rules of one outcome and datum not combined: both are grounds and give it differently."""
        combine = self.book.law.concurring[question]
        terms = []
        for first, second in itertools.combinations(self.rules_of(question), 2):
            if first.outcome != second.outcome:
                continue
            for key in dict.fromkeys((*first.data, *second.data)):
                if combine.get(key) is not None or first.data.get(key) == second.data.get(key):
                    continue
                one, other = (self.expr(r.data[key]) if key in r.data else _NOTHING for r in (first, second))
                same = z3.And(one.known == other.known, z3.Implies(one.known, one.value == other.value))
                terms.append(z3.And(self.ground[first.id], self.ground[second.id], z3.Not(same)))
        return terms

    # --- questions and rules -------------------------------------------------------

    def _question(self, question: str) -> None:
        requires = self.book.questions[question].requires
        self.asked[question] = self.facts.known[requires] if requires is not None else _TRUE
        rules = self.rules_of(question)
        for rule in rules:
            fired = z3.Bool(f"fired {rule.id}")
            self.definitions.append(fired == z3.And([self.condition(c) for c in all_conditions(rule)]))
            self.fired[rule.id] = fired
        _, stands = standing(rules, self.fired)
        for rule in rules:
            self.standing[rule.id] = z3.Bool(f"stands {rule.id}")
            self.definitions.append(self.standing[rule.id] == stands[rule.id])
        # The grounds (``Resolution.grounds``): standing rules none of whose exceptions fired, or
        # every standing rule when each has one.
        opposed = {r.id: z3.Or([self.fired[e.id] for e in rules if r.id in e.overrides]) for r in rules}
        unopposed = {r.id: z3.And(self.standing[r.id], z3.Not(opposed[r.id])) for r in rules}
        anyone = z3.Or(list(unopposed.values()))
        for rule in rules:
            self.ground[rule.id] = z3.Bool(f"ground {rule.id}")
            self.definitions.append(self.ground[rule.id] == z3.Or(unopposed[rule.id], z3.And(self.standing[rule.id], z3.Not(anyone))))
        outcomes = self.book.questions[question].outcomes
        self.answer[question] = {}
        for outcome in outcomes:
            answered = z3.Bool(f"answer {question} = {outcome}")
            givers = [self.standing[r.id] for r in rules if r.outcome == outcome]
            self.definitions.append(answered == z3.And(self.asked[question], z3.Or(givers)))
            self.answer[question][outcome] = answered

    def datum(self, question: str, key: str) -> Val:
        """A datum of a question's answer: that of the first ground (which every ground gives
        alike), or the earliest (latest) any ground gives where the question so combines it."""
        found = self._data.get((question, key))
        if found is not None:
            return found
        chain = [(self.ground[r.id], self.expr(r.data[key]) if key in r.data else _NOTHING) for r in self.rules_of(question)]
        kinds = {v.kind for _, v in chain if not z3.is_false(v.known)}
        if len(kinds) > 1:
            raise ProofError(f"{question}.{key} is a date for some rules and a text for others")
        kind = kinds.pop() if kinds else "date"
        name_value, name_known = z3.Int(f"datum {question}.{key}"), z3.Bool(f"has datum {question}.{key}")
        combine = self.book.law.concurring[question].get(key)
        if combine is not None:
            # The least (greatest) value a standing rule gives, stated as bounds: no nested choice.
            # Known when every ground gives it (a reason without a date leaves the answer without one).
            gives = [(z3.And(ground, val.known), val.value) for ground, val in chain if not z3.is_false(val.known)]
            self.definitions += [
                name_known == z3.And(z3.Or([g for g, _ in gives]), *(z3.Implies(ground, val.known) for ground, val in chain)),
                z3.Implies(name_known, z3.Or([z3.And(g, name_value == v) for g, v in gives])),
                z3.Implies(z3.Not(name_known), name_value == 0),
                *(z3.Implies(z3.And(g, name_known), name_value <= v if combine == "earliest" else name_value >= v)
                  for g, v in gives),
            ]
        else:
            value, known = z3.IntVal(0), _FALSE
            for stands, val in reversed(chain):
                value = z3.If(stands, val.value, value)
                known = z3.If(stands, val.known, known)
            self.definitions += [name_value == value, name_known == known]
        found = Val(kind, name_value, name_known)
        self._data[(question, key)] = found
        return found

    # --- conditions ------------------------------------------------------------------

    def fact(self, name: str) -> Val:
        """A fact as the flat fact holds it."""
        slot = self.facts.slots[name]
        known = self.facts.known[name]
        if slot.kind == "presence":
            return Val("bool", _TRUE, known)  # a held document is ``True`` in the flat fact
        return Val(slot.kind, self.facts.value[name], known)

    def param(self, name: str) -> Val:
        """A parameter's value in force on the evaluation date."""
        values = self.book.parameters[name].values
        kinds = {"text" if isinstance(v.value, str) else "date" for v in values}
        if len(kinds) > 1:
            raise ProofError(f"parameter {name} changes kind between its dated values")
        encoded = [self._literal(v.value).value for v in values]
        value = encoded[0]
        for dated, term in zip(values[1:], encoded[1:], strict=True):
            assert dated.since is not None
            value = z3.If(self.day >= dated.since.toordinal(), term, value)
        return Val(kinds.pop(), value, _TRUE)

    def _literal(self, value: date | bool | int | str) -> Val:
        if isinstance(value, bool):
            return Val("bool", z3.BoolVal(value), _TRUE)
        if isinstance(value, date):
            return Val("date", z3.IntVal(value.toordinal()), _TRUE)
        if isinstance(value, int):
            return Val("date", z3.IntVal(value), _TRUE)  # a number compares as a day number does
        return Val("text", z3.IntVal(self.texts.code(value)), _TRUE)

    def operand(self, operand: object) -> Val:
        """The value a comparison's right-hand side stands for."""
        if isinstance(operand, ParamRef):
            return self.param(operand.param)
        if isinstance(operand, FactRef):
            return self.fact(operand.fact)
        if isinstance(operand, OutcomeDataRef):
            return self.datum(operand.outcome, operand.data)
        assert isinstance(operand, (date, bool, int, str))
        return self._literal(operand)

    def condition(self, condition: Condition) -> Z:
        """Whether a condition holds (as ``conditions.holds``)."""
        if isinstance(condition, AnyOf):
            return z3.Or([self.condition(c) for c in condition.any])
        if isinstance(condition, OutcomeIs):
            return z3.Or([self.answer[condition.outcome][o] for o in condition.is_])
        if isinstance(condition, Setting):
            setting = self.param(condition.setting)
            return z3.Or([setting.value == self._literal(value).value for value in condition.is_])
        if isinstance(condition, Presence):
            known = self.facts.known[condition.fact]
            return known if condition.present else z3.Not(known)
        left, right = self.fact(condition.fact), self.operand(condition.operand)
        both = z3.And(left.known, right.known)
        op = condition.operator
        if op in ("eq", "ne"):
            same = left.value == right.value if left.kind == right.kind else _FALSE
            return z3.And(both, same if op == "eq" else z3.Not(same))
        if left.kind != "date" or right.kind != "date":
            raise ProofError(f"{condition.fact} {op} compares a {left.kind} with a {right.kind}")
        relation = {"lt": left.value < right.value, "lte": left.value <= right.value,
                    "gt": left.value > right.value, "gte": left.value >= right.value}[op]
        return z3.And(both, relation)

    # --- outcome data ----------------------------------------------------------------

    def _cases(self, count: int | ParamRef) -> list[tuple[Z, int]]:
        """A count (years, months, days) as (holds on the evaluation date, value) cases."""
        if isinstance(count, int):
            return [(_TRUE, count)]
        values = self.book.parameters[count.param].values
        cases: list[tuple[Z, int]] = []
        for i, dated in enumerate(values):
            start = _TRUE if dated.since is None else self.day >= dated.since.toordinal()
            later = values[i + 1].since if i + 1 < len(values) else None
            until = _TRUE if later is None else self.day < later.toordinal()
            assert isinstance(dated.value, int)
            cases.append((z3.And(start, until), dated.value))
        return cases

    @staticmethod
    def _select(cases: list[tuple[Z, Z]]) -> Z:
        value = cases[-1][1]
        for holds, term in reversed(cases[:-1]):
            value = z3.If(holds, term, value)
        return value

    def expr(self, expr: Expr) -> Val:
        """An outcome datum's value (as ``expressions.evaluate_expr``)."""
        if isinstance(expr, (ParamRef, FactRef, OutcomeDataRef)):
            val = self.operand(expr)
            # evaluate_expr keeps texts and day numbers; a flag is no datum.
            return _NOTHING if val.kind == "bool" else val
        if isinstance(expr, (MinOf, MaxOf)):
            items = [v for v in (self.expr(e) for e in (expr.min if isinstance(expr, MinOf) else expr.max)) if v.kind == "date"]
            value, known = z3.IntVal(0), _FALSE
            for item in items:
                better = item.value < value if isinstance(expr, MinOf) else item.value > value
                value = z3.If(item.known, z3.If(z3.And(known, z3.Not(better)), value, item.value), value)
                known = z3.Or(known, item.known)
            return Val("date", value, known)
        if isinstance(expr, (DayBefore, DayAfter)):
            inner = self.expr(expr.day_before if isinstance(expr, DayBefore) else expr.day_after)
            if inner.kind != "date":
                return _NOTHING
            return Val("date", inner.value + (-1 if isinstance(expr, DayBefore) else 1), inner.known)
        if isinstance(expr, PeriodEnd):
            spec = expr.period_end
            start = self.expr(spec.start)
            if start.kind != "date":
                return _NOTHING
            cases = []
            for (y_holds, years), (m_holds, months) in itertools.product(self._cases(spec.years), self._cases(spec.months)):
                if years < 0 or months < 0 or years == months == 0:
                    raise ProofError(f"a period of {years} years and {months} months has no last day")
                end = self.calendar.period_end(start.value, start.known, years=years, months=months)
                cases.append((z3.And(y_holds, m_holds), end))
            return Val("date", self._select(cases), start.known)
        if isinstance(expr, WithinDays):
            start = self.expr(expr.within_days.start)
            if start.kind != "date":
                return _NOTHING
            cases = []
            for holds, days in self._cases(expr.within_days.days):
                if days < 1:
                    raise ProofError(f"a deadline within {days} days has no last day")
                cases.append((holds, start.value + days))
            return Val("date", self._select(cases), start.known)
        if isinstance(expr, WorkingDay):
            last = self.expr(expr.working_day.date)
            if last.kind != "date":
                return _NOTHING
            most = _longest_move(expr, self.book)
            return Val("date", self.calendar.working_day(last.value, last.known, most=most), last.known)
        if isinstance(expr, DaysBefore):
            end = self.expr(expr.days_before.start)
            if end.kind != "date":
                return _NOTHING
            return Val("date", self._select([(holds, end.value - days) for holds, days in self._cases(expr.days_before.days)]), end.known)
        if isinstance(expr, OnOrAfter):
            day, bound = self.expr(expr.on_or_after.date), self.expr(expr.on_or_after.from_)
            if day.kind != "date" or bound.kind != "date":
                return _NOTHING
            return Val("date", day.value, z3.And(day.known, bound.known, day.value >= bound.value))
        if isinstance(expr, MonthEnd):
            start = self.expr(expr.month_end.start)
            if start.kind != "date":
                return _NOTHING
            cases = []
            for holds, months in self._cases(expr.month_end.months):
                if months < 0:
                    raise ProofError(f"{months} months after a month is no month")
                cases.append((holds, self.calendar.month_end(start.value, start.known, months=months)))
            return Val("date", self._select(cases), start.known)
        return self._literal(expr)

