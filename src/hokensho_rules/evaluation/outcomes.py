"""Outcomes without explanations: what a whole membership needs, computed lean.

:meth:`Rulebook.evaluate <hokensho_rules.Rulebook.evaluate>` builds a Decision that
can explain itself. A batch over a membership needs only each question's outcome,
deciding rule and data, and the actions they call for; :class:`OutcomeEvaluator`
computes those from the same compiled strata, the same resolution of exceptions and
the same outcome-data expressions, without building Verdicts or Decisions.

It also keeps the abstraction cache (``abstraction.py``): per stratum, the engine's
fired rules for each distinct key. One evaluator per Rulebook (:func:`evaluator_for`),
bounded, never shared between rulebooks or processes.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Mapping
from datetime import date
from typing import NamedTuple

from .abstraction import KeyFunction, KeySpec, key_function, key_spec
from ..law.needs import needs
from ..facts.errors import DecisionError
from ..facts.member import Member, Situation
from ..facts.privacy import shown
from ..facts.record import Value, datum_key, fact_key, to_record, answer_key
from .evaluator import Evaluator
from ..law.expressions import Compiled, compile_expr
from ..law.vectors import Vectorized, compile_vector
from .resolve import Resolution, agreed_data, resolve
from .rows import ActionRow, Answer, MemberResult, _PackedAnswers, _rebuild_result, _unpack_answers
from ..law.schema import Rule, Text
from ..law.terms import Expr, FactRef, OutcomeDataRef, sub_exprs

__all__ = ["OutcomeEvaluator", "evaluator_for"]

# Distinct keys kept per stratum (a few hundred bytes each); past it the oldest are
# forgotten (FIFO), so memory stays bounded on any population, while a real one (a
# few thousand distinct cases per 100,000 members) never reaches it.
DEFAULT_CACHE_SIZE = 50_000
# Outcome data remembered per plan (a key and a few values each): past it they are
# all forgotten at once. Small, as a rule with data reads member-specific dates.
MEMO_SIZE = 4_096


def _expr_reads(expr: Expr) -> list[str]:
    """The flat keys an outcome-data expression reads (its facts and other outcomes' data)."""
    if isinstance(expr, FactRef):
        return [fact_key(expr.fact)]
    if isinstance(expr, OutcomeDataRef):
        return [datum_key(expr.outcome, expr.data)]
    return [key for _, inner in sub_exprs(expr) for key in _expr_reads(inner)]


class _Plan(NamedTuple):
    """What answering a question with one deciding rule takes, prepared once per rule and epoch."""

    question: str
    answer_key: str
    outcome: str
    rule: Rule
    # (datum, its compiled expression, its flat key); empty when the rule gives no data.
    data: tuple[tuple[str, Compiled, str], ...]
    # The other grounds (``resolve.Resolution.grounds``), when any of them gives data: their data
    # must agree with its own, or combine as the question says.
    concurring: tuple[tuple[Rule, tuple[tuple[str, Compiled, str], ...]], ...]
    # The packed answer when the rule gives no data: the same tuple for every member.
    packed: tuple[str, str, str, tuple[tuple[str, int | str], ...]]
    # The flat keys the data read (its rule's and the concurring ones'), and the packed data already
    # computed per their values (the expressions are pure functions of those values under the epoch's parameters).
    reads: tuple[str, ...]
    memo: dict[tuple[Value | None, ...], tuple[str, tuple[tuple[str, int | str], ...]]]
    # The rule's data as functions of columns, for many rows at once (``law/vectors.py``), in ``data``'s order.
    vectors: tuple[tuple[str, Vectorized], ...]


# Per question of a stratum: its plan, or (None, the rules that fired) when they conflict or leave a gap.
_Entry = tuple[tuple[str, "_Plan | None", tuple[Rule, ...]], ...]


class _Program:
    """One compiled program (an epoch of parameter values) as the lean path walks it."""

    def __init__(self, book: Evaluator, params: Mapping[str, date | int | str], cache_size: int):
        self.params = params
        self.strata = book.program(params)
        self.specs: tuple[KeySpec, ...] = tuple(key_spec(s.rules, params) for s in self.strata)
        self.keys: tuple[KeyFunction, ...] = tuple(key_function(spec) for spec in self.specs)
        self.cache: tuple[dict[Hashable, _Entry], ...] = tuple({} for _ in self.strata)
        self.cache_size = cache_size
        self.plans: dict[tuple[str, ...], _Plan] = {}

    def plan(self, question: str, resolution: Resolution) -> _Plan:
        rule = resolution.deciding
        key = tuple(r.id for r in resolution.grounds)
        found = self.plans.get(key)
        if found is None:
            data = self._compiled(question, rule)
            others = tuple((r, self._compiled(question, r)) for r in resolution.grounds[1:])
            concurring = others if data or any(d for _, d in others) else ()
            exprs = [e for r in resolution.grounds for e in r.data.values()]
            found = self.plans[key] = _Plan(
                question, answer_key(question), rule.outcome, rule, data, concurring,
                (question, rule.outcome, rule.id, ()), tuple(sorted({k for e in exprs for k in _expr_reads(e)})), {},
                tuple((k, compile_vector(e, self.params)) for k, e in rule.data.items()),
            )
        return found

    def _compiled(self, question: str, rule: Rule) -> tuple[tuple[str, Compiled, str], ...]:
        return tuple((k, compile_expr(e, self.params), datum_key(question, k)) for k, e in rule.data.items())


class OutcomeEvaluator:
    """Every question's outcome, deciding rule and data for a member on a date, and its actions.

    Same engine, same rules, same resolution and data as :meth:`Rulebook.evaluate
    <hokensho_rules.Rulebook.evaluate>`; only the Verdict and Decision objects (and
    their explanations) are not built. With ``cache=True`` the engine decides each
    distinct abstraction key once per stratum (see ``abstraction.py``).
    """

    def __init__(self, book: Evaluator, *, cache: bool = True, cache_size: int = DEFAULT_CACHE_SIZE):
        if not isinstance(book, Evaluator):
            raise TypeError(f"book must be a hokensho_rules.Rulebook, got {type(book).__name__}")
        if cache_size < 1:
            raise ValueError(f"cache_size must be at least 1, got {cache_size}")
        self.book = book
        self.cache = cache
        self.cache_size = cache_size
        self.engine_calls = 0  # strata the engine was asked to decide (a measure of the cache)
        self.cache_hits = 0
        self._programs: dict[tuple[object, ...], _Program] = {}
        # (question, outcome) → the action it calls for: its title and the datum holding its deadline.
        self._actions: dict[tuple[str, str], tuple[Text, str | None]] = {
            (q, name): (outcome.action.title, outcome.action.due)
            for q, question in book.law.questions.items()
            for name, outcome in question.outcomes.items()
            if outcome.action is not None
        }
        self._order = {q: i for i, q in enumerate(book.law.questions)}

    def _program(self, params: Mapping[str, date | int | str]) -> _Program:
        key = tuple(params.values())
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = _Program(self.book, params, self.cache_size)
        return program

    def answers(
        self, member: Member, on: date, *, situation: Situation | None = None
    ) -> tuple[dict[str, Answer], dict[str, Value]]:
        """Question id → Answer (in the rulebook's order of questions), and the final flat fact.

        Raises ConflictError/GapError as ``Rulebook.evaluate`` does, and TypeError for
        inputs of the wrong type.
        """
        packed, fact = self._packed(member, on, situation)
        return _unpack_answers(packed), fact

    def _packed(
        self, member: Member, on: date, situation: Situation | None
    ) -> tuple[_PackedAnswers, dict[str, Value]]:
        # The answers as flat tuples (question, outcome, rule id, ((datum, encoded value), …)):
        # what a result is made of, travels as, and becomes objects from only when read.
        if not isinstance(member, Member):
            raise TypeError(f"member must be a hokensho_rules.Member, got {type(member).__name__}")
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {shown(on)}")
        fact = to_record(member, on, situation)
        return self._packed_fact(member.id, on, fact), fact

    def _packed_fact(self, member_id: str, on: date, fact: dict[str, Value]) -> _PackedAnswers:
        """The packed answers of a flat fact (made by ``to_record`` for ``on``); adds the answers to ``fact``."""
        params = self.book.law.params_on(on)
        program = self._program(params)
        order = self._order
        slots: list[tuple[str, str, str, tuple[tuple[str, int | str], ...]] | None] = [None] * len(order)
        for stratum, key_of, cache in zip(program.strata, program.keys, program.cache, strict=True):
            if stratum.requires is not None and stratum.requires not in fact:
                continue
            entry = None
            if self.cache:
                key = key_of(fact)
                entry = cache.get(key)
            if entry is None:
                self.engine_calls += 1
                entry = self._entry(program, stratum.fired(fact), member_id, on)
                if self.cache:
                    if len(cache) >= program.cache_size:
                        del cache[next(iter(cache))]
                    cache[key] = entry
            else:
                self.cache_hits += 1
            for question, plan, fired in entry:
                if plan is None:
                    # Conflict or gap: resolve again, so the error names this member.
                    resolve(question, list(fired), member_id=member_id, on=on)
                    raise AssertionError(f"{question}: rules {[r.id for r in fired]} resolved after failing")
                if not plan.data and not plan.concurring:
                    # Later strata read this answer from the fact itself, as in Rulebook.evaluate.
                    fact[plan.answer_key] = plan.outcome
                    slots[order[question]] = plan.packed
                    continue
                # A flag reads as unknown in an expression (and True == 1 as a key): keyed as None.
                inputs = tuple([None if (v := fact.get(k)) is True or v is False else v for k in plan.reads])
                found = plan.memo.get(inputs)
                if found is None:
                    rule, values = self._agreed(plan, fact, member_id, on)
                    found = rule.id, tuple((datum, value.toordinal() if isinstance(value, date) else value)
                                           for datum, value in values.items())
                    if len(plan.memo) >= MEMO_SIZE:
                        plan.memo.clear()  # bounded; dropping the oldest one by one would cost a scan each
                    plan.memo[inputs] = found
                rule_id, data = found
                fact[plan.answer_key] = plan.outcome
                for datum, value in data:
                    fact[datum_key(question, datum)] = value
                slots[order[question]] = (question, plan.outcome, rule_id, data)
        return tuple(filter(None, slots))

    def _resolution(self, question: str, fired: list[Rule], member_id: str, on: date) -> Resolution | None:
        """The resolution of ``fired``, or None when they conflict or leave a gap."""
        # The evaluator's own cache of resolutions: one per set of fired rules.
        try:
            return self.book.resolution(question, fired, member_id, on)
        except DecisionError:
            return None

    def _entry(self, program: _Program, fired: Mapping[str, list[Rule]], member_id: str, on: date) -> _Entry:
        entry = []
        for question, rules in fired.items():
            resolution = self._resolution(question, rules, member_id, on)
            plan = program.plan(question, resolution) if resolution is not None else None
            entry.append((question, plan, tuple(rules)))
        return tuple(entry)

    def _agreed(
        self, plan: _Plan, fact: Mapping[str, Value], member_id: str, on: date
    ) -> tuple[Rule, dict[str, date | str]]:
        own = self._data(plan.question, plan.rule, plan.data, fact, member_id, on)
        if not plan.concurring:
            return plan.rule, own
        given = [(plan.rule, own), *((r, self._data(plan.question, r, d, fact, member_id, on)) for r, d in plan.concurring)]
        return agreed_data(plan.question, given, self.book.law.concurring[plan.question], member_id=member_id, on=on)

    @staticmethod
    def _data(
        question: str, rule: Rule, compiled_data: tuple[tuple[str, Compiled, str], ...], fact: Mapping[str, Value],
        member_id: str, on: date,
    ) -> dict[str, date | str]:
        # Every datum from the fact as it is before this answer's data are added, as Rulebook.evaluate does.
        data: dict[str, date | str] = {}
        try:
            for datum, compiled, _ in compiled_data:
                value = compiled(fact)
                if value is not None:
                    data[datum] = value
        except (ValueError, OverflowError) as error:
            raise ValueError(
                f"member {member_id}, question {question}, on {on.isoformat()}: rule {rule.id}'s data: {error}"
            ) from None
        return data

    def actions(self, member_id: str, on: date, answers: Mapping[str, Answer]) -> tuple[ActionRow, ...]:
        """The actions the answers call for, one per need (as ``actions_of`` lists them)."""
        rules = {q: a.rule_id for q, a in answers.items()}
        outcomes = {q: a.outcome for q, a in answers.items()}
        return tuple(
            ActionRow(
                member_id, on, action.title.en, action.title.ja, due if isinstance(due, date) else None,
                question, outcomes[question], rules[question], gap is not None,
            )
            for question, action, due, gap in needs(self.book.law.questions, ((q, a.outcome, a.data) for q, a in answers.items()))
        )

    def result(self, row: int, member: Member, on: date, *, situation: Situation | None = None) -> MemberResult:
        """The MemberResult of one member (input row ``row``); raises as :meth:`answers` does."""
        packed, _ = self._packed(member, on, situation)
        return self._result(row, member.id, on, packed)

    def result_of_fact(self, row: int, member_id: str, on: date, fact: dict[str, Value]) -> MemberResult:
        """The MemberResult of a member given as its flat fact on ``on`` (``flat.to_record``); adds to ``fact``."""
        return self._result(row, member_id, on, self._packed_fact(member_id, on, fact))

    def result_of_packed(self, row: int, member_id: str, on: date, packed: _PackedAnswers) -> MemberResult:
        """The MemberResult of answers already packed (``chunk.packed_chunk``)."""
        return self._result(row, member_id, on, packed)

    def _result(self, row: int, member_id: str, on: date, packed: _PackedAnswers) -> MemberResult:
        answered = {question: (outcome, rule_id) for question, outcome, rule_id, _ in packed}
        actions = tuple(
            (action.title.en, action.title.ja, due if isinstance(due, int) else None, question, *answered[question], gap is not None)
            for question, action, due, gap in needs(
                self.book.law.questions, ((q, o, dict(data)) for q, o, _, data in packed if (q, o) in self._actions)
            )
        )
        return _rebuild_result(row, member_id, on.toordinal(), packed, actions, None)


_EVALUATORS: weakref.WeakKeyDictionary[Evaluator, dict[bool, OutcomeEvaluator]] = weakref.WeakKeyDictionary()


def evaluator_for(book: Evaluator, *, cache: bool = True) -> OutcomeEvaluator:
    """The OutcomeEvaluator of ``book`` (one per Rulebook and cache setting, kept while the book lives)."""
    per_book = _EVALUATORS.setdefault(book, {})
    found = per_book.get(cache)
    if found is None:
        found = per_book[cache] = OutcomeEvaluator(book, cache=cache)
    return found
