"""Static checks of a rulebook, made once on load, and its strata.

A rulebook that passes them references only known facts, parameters, questions,
outcomes and rules, compares values of matching types, and has no cycle between
questions, so evaluation cannot fail for a reason visible in the rule files.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from ..facts.errors import RuleFileError
from ..facts.record import FACT_TYPES, FactType
from .conditions import in_force_conditions
from .schema import (
    AnyOf,
    Citation,
    Compare,
    Condition,
    Expr,
    FactRef,
    Label,
    OutcomeDataRef,
    OutcomeIs,
    Parameter,
    ParamRef,
    Presence,
    Setting,
    Question,
    Rule,
    Source,
    expr_counts,
    sub_exprs,
)

__all__ = ["check_exceptions", "check_rules", "questions_read_by", "strata"]

# A title quotes a legal date as {parameter}: filled with the value in force when shown.
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class _Checker:
    def __init__(
        self,
        *,
        sources: Mapping[str, Source],
        parameters: Mapping[str, Parameter],
        questions: Mapping[str, Question],
        fact_labels: Mapping[str, Label],
        rules: Mapping[str, Rule],
        origin: Mapping[str, Path],
    ):
        self.sources = sources
        self.parameters = parameters
        self.questions = questions
        self.fact_labels = fact_labels
        self.rules = rules
        self.origin = origin
        self.index_ids = {key for source in sources.values() if source.index for key in source.sections}
        self.data_keys = {
            q: {k for r in rules.values() if r.question == q for k in r.data} for q in questions
        }

    def fail(self, rule: Rule, field: str, message: str) -> RuleFileError:
        return RuleFileError(self.origin[rule.id], message, rule_id=rule.id, field=field)

    def rule(self, rule: Rule) -> None:
        question = self.questions.get(rule.question)
        if question is None:
            raise self.fail(rule, "question", f"unknown question {rule.question!r}")
        if rule.outcome not in question.outcomes:
            raise self.fail(
                rule, "outcome", f"{rule.outcome!r} is not an outcome of {rule.question}: "
                f"{', '.join(question.outcomes)}"
            )
        for lang, title in (("ja", rule.title.ja), ("en", rule.title.en)):
            unknown = [name for name in _PLACEHOLDER.findall(title) if name not in self.parameters]
            if unknown:
                raise self.fail(rule, f"title.{lang}", f"quotes {', '.join(unknown)}, not parameters")
        cited = self.citation_problem(rule.citation)
        if cited:
            raise self.fail(rule, *cited)
        problem = self.implements_problem(rule.implements)
        if problem:
            raise self.fail(rule, "implements", problem)
        for bound in in_force_conditions(rule.in_force):
            self.condition(rule, "in_force", bound)
        for i, condition in enumerate(rule.when):
            self.condition(rule, f"when[{i}]", condition)
        declared = question.data
        for key, expr in rule.data.items():
            if key not in declared:
                raise self.fail(rule, f"data.{key}", f"{rule.question} declares no datum {key!r} (with its labels)")
            self.expr(rule, f"data.{key}", expr)
            self.datum_values(rule, f"data.{key}", expr, declared[key])
        for other in rule.overrides:
            target = self.rules.get(other)
            if target is None or target.question != rule.question:
                raise self.fail(rule, "overrides", f"{other!r} is not a rule of {rule.question}")
        for other in rule.refines:
            target = self.rules.get(other)
            if target is None or target.question != rule.question or target.outcome != rule.outcome:
                raise self.fail(rule, "refines", f"{other!r} is not a rule of {rule.question} answering {rule.outcome!r}")

    def citation_problem(self, citation: Citation) -> tuple[str, str] | None:
        """(field, why) when ``citation`` cannot be followed to a source and its sections, or None."""
        source = self.sources.get(citation.source)
        if source is None:
            return "citation.source", f"unknown source {citation.source!r}"
        if not citation.sections:
            return "citation.sections", f"cites {citation.source!r} without a section"
        unknown = [s for s, key in zip(citation.sections, citation.section_keys(), strict=True) if source.sections and key not in source.sections]
        if unknown:
            return "citation.sections", f"{citation.source!r} has no section {', '.join(map(repr, unknown))}"
        return None

    def implements_problem(self, ids: tuple[str, ...]) -> str | None:
        """Why ``ids`` are not all ids of the rule index, or None."""
        unknown = [i for i in ids if i not in self.index_ids]
        return f"not ids of the rule index: {', '.join(unknown)}" if unknown else None

    def fact(self, rule: Rule, field: str, name: str) -> str:
        kind = FACT_TYPES.get(name)
        if kind is None:
            raise self.fail(rule, field, f"unknown fact {name!r}")
        label = self.fact_labels.get(name)
        if label is None:
            raise self.fail(rule, field, f"fact {name!r} has no label under 'facts'")
        unlabelled = set(kind.choices) - set(label.values)
        if unlabelled:
            raise self.fail(rule, field, f"fact {name!r} has no label for its values {', '.join(sorted(unlabelled))}")
        return kind.kind

    def outcome_ref(self, rule: Rule, field: str, question: str, datum: str | None = None) -> None:
        if question not in self.questions:
            raise self.fail(rule, field, f"unknown question {question!r}")
        if question == rule.question:
            raise self.fail(rule, field, f"a rule of {question} cannot read its own outcome")
        if datum is not None and datum not in self.data_keys[question]:
            raise self.fail(rule, field, f"no rule of {question} gives datum {datum!r}")

    def param(self, rule: Rule, field: str, name: str) -> date | int | str:
        parameter = self.parameters.get(name)
        if parameter is None:
            raise self.fail(rule, field, f"unknown parameter {name!r}")
        return parameter.values[0].value

    def condition(self, rule: Rule, field: str, condition: Condition) -> None:
        if isinstance(condition, AnyOf):
            for i, inner in enumerate(condition.any):
                self.condition(rule, f"{field}.any[{i}]", inner)
        elif isinstance(condition, OutcomeIs):
            self.outcome_ref(rule, field, condition.outcome)
            unknown = set(condition.is_) - set(self.questions[condition.outcome].outcomes)
            if unknown:
                raise self.fail(rule, f"{field}.is", f"not outcomes of {condition.outcome}: {sorted(unknown)}")
        elif isinstance(condition, Presence):
            self.fact(rule, f"{field}.fact", condition.fact)
        elif isinstance(condition, Setting):
            self.param(rule, f"{field}.setting", condition.setting)
            choices = self.parameters[condition.setting].choices
            if not choices:
                raise self.fail(rule, f"{field}.setting", f"parameter {condition.setting!r} is no text setting with choices")
            unknown = set(condition.is_) - set(choices)
            if unknown:
                raise self.fail(rule, f"{field}.is", f"not choices of {condition.setting}: {sorted(unknown)}")
        else:
            self.comparison(rule, field, condition)

    def comparison(self, rule: Rule, field: str, condition: Compare) -> None:
        kind = self.fact(rule, f"{field}.fact", condition.fact)
        operand, where = condition.operand, f"{field}.{condition.operator}"
        if kind == "presence":
            raise self.fail(rule, where, f"{condition.fact!r} is a document: test it with 'present'")
        if kind != "date" and condition.operator not in ("eq", "ne"):
            raise self.fail(rule, where, f"{condition.fact!r} is a {kind}: only eq and ne apply")
        if isinstance(operand, FactRef):
            other = self.fact(rule, where, operand.fact)
            if other != kind:
                raise self.fail(rule, where, f"compares a {kind} with {operand.fact!r}, a {other}")
            return
        if isinstance(operand, OutcomeDataRef):
            self.outcome_ref(rule, where, operand.outcome, operand.data)
            return
        value = self.param(rule, where, operand.param) if isinstance(operand, ParamRef) else operand
        expected = {"date": date, "bool": bool, "text": str}[kind]
        if not isinstance(value, expected):
            raise self.fail(rule, where, f"{condition.fact!r} is a {kind}, compared with {value!r}")
        choices = FACT_TYPES[condition.fact].choices
        if choices and value not in choices:
            raise self.fail(rule, where, f"{value!r} is not one of {', '.join(choices)}")

    def expr(self, rule: Rule, field: str, expr: Expr) -> None:
        if isinstance(expr, ParamRef):
            self.param(rule, field, expr.param)
        elif isinstance(expr, FactRef):
            self.fact(rule, field, expr.fact)
        elif isinstance(expr, OutcomeDataRef):
            self.outcome_ref(rule, field, expr.outcome, expr.data)
        for path, inner in sub_exprs(expr):
            self.expr(rule, field + path, inner)
        for path, length in expr_counts(expr):
            self.count(rule, field + path, length)

    def datum_values(self, rule: Rule, field: str, expr: Expr, label: Label) -> None:
        """A text datum takes only values its question labels (a copied datum: those of its source)."""
        if isinstance(expr, str) and expr not in label.values:
            raise self.fail(rule, field, f"{expr!r} is not a labelled value of this datum: {', '.join(label.values) or 'none'}")
        if isinstance(expr, OutcomeDataRef):
            source = self.questions[expr.outcome].data.get(expr.data)
            missing = set(source.values) - set(label.values) if source is not None else set()
            if missing:
                raise self.fail(rule, field, f"copies values with no label here: {', '.join(sorted(missing))}")

    def count(self, rule: Rule, field: str, value: int | ParamRef) -> None:
        if isinstance(value, ParamRef) and not isinstance(self.param(rule, field, value.param), int):
            raise self.fail(rule, field, f"{value.param!r} is not a number")

    def question(self, question: Question) -> None:
        where = self.origin[next(r.id for r in self.rules.values() if r.question == question.id)]
        if question.requires is not None and FACT_TYPES.get(question.requires, None) != FactType("presence"):
            raise RuleFileError(where, f"question {question.id}: requires {question.requires!r}, not a document fact")
        for name, outcome in question.outcomes.items():
            closer = outcome.action.closed_by if outcome.action else None
            if closer is not None and (
                closer == question.id or closer not in self.questions
                or not any(o.action for o in self.questions[closer].outcomes.values())
            ):
                raise RuleFileError(
                    where, f"question {question.id}: the action of {name!r} is closed by {closer!r}, "
                    "which is not another question with an action"
                )
            due = outcome.action.due if outcome.action else None
            givers = [r for r in self.rules.values() if r.question == question.id and r.outcome == name]
            if due is not None and not any(due in r.data for r in givers):
                raise RuleFileError(
                    where, f"question {question.id}: the action of {name!r} is due on {due!r}, "
                    "a datum no rule of that outcome gives"
                )
        for rule in self.rules.values():
            if rule.question != question.id or question.requires is not None:
                continue
            for read in _questions_read(rule):
                if self.questions[read].requires is not None:
                    raise self.fail(
                        rule, "when", f"reads {read}, which is asked only with {self.questions[read].requires!r}"
                    )


def check_rules(
    *,
    sources: Mapping[str, Source],
    parameters: Mapping[str, Parameter],
    questions: Mapping[str, Question],
    fact_labels: Mapping[str, Label],
    rules: Mapping[str, Rule],
    origin: Mapping[str, Path],
    parameter_origin: Mapping[str, Path],
) -> None:
    """Raise :class:`RuleFileError` for the first rule or parameter that references something unknown."""
    checker = _Checker(
        sources=sources,
        parameters=parameters,
        questions=questions,
        fact_labels=fact_labels,
        rules=rules,
        origin=origin,
    )
    indexes = [key for key, source in sources.items() if source.index]
    if len(indexes) != 1:
        raise RuleFileError(next(iter(origin.values())), f"the rulebook needs exactly one source marked index: true, has {indexes or 'none'}")
    for name, parameter in parameters.items():
        cited = checker.citation_problem(parameter.citation)
        problem = cited[1] if cited else checker.implements_problem(parameter.implements)
        if problem:
            raise RuleFileError(parameter_origin[name], f"parameter {name}: {problem}")
    for rule in rules.values():
        checker.rule(rule)
    for question in questions.values():
        if any(r.question == question.id for r in rules.values()):
            checker.question(question)


def _questions_read(rule: Rule) -> Iterator[str]:
    def in_condition(condition: Condition) -> Iterator[str]:
        if isinstance(condition, OutcomeIs):
            yield condition.outcome
        elif isinstance(condition, AnyOf):
            for inner in condition.any:
                yield from in_condition(inner)
        elif isinstance(condition, Compare) and isinstance(condition.operand, OutcomeDataRef):
            yield condition.operand.outcome

    def in_expr(expr: Expr) -> Iterator[str]:
        if isinstance(expr, OutcomeDataRef):
            yield expr.outcome
        for _, inner in sub_exprs(expr):
            yield from in_expr(inner)

    for condition in rule.when:
        yield from in_condition(condition)
    for expr in rule.data.values():
        yield from in_expr(expr)


def questions_read_by(questions: tuple[str, ...], rules: Mapping[str, Rule]) -> set[str]:
    """``questions`` and every question they read, directly or through others."""
    reads: dict[str, set[str]] = {}
    for rule in rules.values():
        reads.setdefault(rule.question, set()).update(_questions_read(rule))
    found, todo = set(questions), list(questions)
    while todo:
        for read in reads.get(todo.pop(), ()):
            if read not in found:
                found.add(read)
                todo.append(read)
    return found


def _layers(names: list[str], reads: set[tuple[str, str]]) -> list[tuple[str, ...]]:
    """``names`` in groups, each reading only earlier groups (``reads`` has no cycle)."""
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name in names:
        sorter.add(name, *(b for a, b in reads if a == name and b in names))
    sorter.prepare()
    groups: list[tuple[str, ...]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=names.index)
        groups.append(tuple(ready))
        sorter.done(*ready)
    return groups


def strata(questions: Mapping[str, Question], rules: Mapping[str, Rule], origin: Mapping[str, Path]) -> tuple[tuple[str, ...], ...]:
    """Questions grouped so that each group reads only outcomes of earlier groups.

    durable-rules does not retract a negation when the negated fact is derived in the
    same pass, so a question is evaluated only after every question it reads.
    Questions asked only with some document (a counter's situation) come last, in
    groups of their own, so that without it their rulesets are not run at all; no other
    question reads them (see the checks), so they need only each other ordered.
    """
    reads = {(rule.question, read) for rule in rules.values() for read in _questions_read(rule)}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for question, read in reads:
        sorter.add(question, read)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = error.args[1]
        first = next(r for r in rules.values() if r.question == cycle[0])
        raise RuleFileError(origin[first.id], f"questions read each other in a cycle: {' -> '.join(cycle)}") from None
    kinds = sorted({q.requires for q in questions.values()}, key=lambda r: (r is not None, r or ""))
    return tuple(
        group
        for kind in kinds
        for group in _layers([q for q in questions if questions[q].requires == kind], reads)
    )


def check_exceptions(rules: Mapping[str, Rule], origin: Mapping[str, Path]) -> None:
    """Raise :class:`RuleFileError` if rules are exceptions to each other in a circle.

    Whether a rule stands depends on whether its exceptions stand (see ``resolve``):
    a circle would leave that undefined. ``rules`` are taken after refinements have
    passed their exceptions on, so inherited exceptions are checked too.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for rule in rules.values():
        sorter.add(rule.id, *rule.overrides)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = error.args[1]
        raise RuleFileError(
            origin[cycle[0]], f"rules are exceptions to each other in a circle: {' -> '.join(cycle)}",
            rule_id=cycle[0], field="overrides",
        ) from None
