"""The prover's encoding agrees with the library: the calendar, the models' constraints,
which fired rules stand, the engine.

Anything that evaluates a condition outside the engine is tested to agree with it on
generated inputs (``tests/test_properties.py`` does so for the explainer). The prover does, so: pinned to a generated member
and date, the encoding must give every question the outcome (and every datum a later
question reads the value) that ``Rulebook.evaluate`` gives. Which fired rules stand is
checked exhaustively: on every set of fired rules of every question, against
``resolve.standing_rules`` and ``resolve`` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

import pytest
import z3
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import hokensho_rules as hr
from hokensho_rules.law.calendar import civil_period_end, end_of_month_after
from hokensho_rules.facts.record import fact_key, to_record
from hokensho_rules.law.conditions import holds
from hokensho_rules.prove._calendar import Calendar
from hokensho_rules.prove._domain import DOMAIN, ORDERED
from hokensho_rules.prove._encode import Encoding, standing
from hokensho_rules.prove._model import build_member, document_model, slots
from hokensho_rules.evaluation.resolve import resolve, standing_rules
from hokensho_rules.law.expressions import days_off_of, evaluate_expr
from hokensho_rules.law.schema import Rule, WorkingDay
from hokensho_rules.testing import evaluation_dates, members, situations

SEED = hr.Rulebook.load(["seed"])
ALL = hr.Rulebook.load()


# --- the calendar ---------------------------------------------------------------------

STARTS = [date(2024, 2, 29), date(2023, 2, 28), date(2025, 1, 31), date(2025, 3, 31), date(2025, 12, 2),
          date(2099, 2, 28), date(2100, 2, 28), date(1999, 12, 31), date(2000, 2, 29), date(2025, 8, 31),
          date(1, 1, 1), date(9000, 12, 31)]
LENGTHS = [(5, 0), (1, 0), (0, 1), (0, 3), (2, 11), (0, 12), (4, 1)]


def test_periods_and_month_ends_are_exact_not_approximated() -> None:
    calendar = Calendar()
    solver = z3.Solver()
    checks = []
    for i, start in enumerate(STARTS):
        day = z3.Int(f"start{i}")
        solver.add(day == start.toordinal())
        for years, months in LENGTHS:
            expected = civil_period_end(start, years=years, months=months)
            checks.append((calendar.period_end(day, z3.BoolVal(True), years=years, months=months), expected, start, years, months))
            if years == 0:
                checks.append((calendar.month_end(day, z3.BoolVal(True), months=months), end_of_month_after(start, months), start, 0, months))
    solver.add(*calendar.axioms)
    assert solver.check() == z3.sat
    model = solver.model()
    for term, expected, start, years, months in checks:
        assert date.fromordinal(model.eval(term).as_long()) == expected, (start, years, months)


# --- the models' constraints, both ways -------------------------------------------------


@settings(max_examples=100)
@given(members(), evaluation_dates(SEED))
def test_every_generated_member_satisfies_the_domain(member: hr.Member, on: date) -> None:
    fact = to_record(member, on)
    for description, condition in DOMAIN:
        assert holds(condition, fact, {}), description


ENCODING = Encoding(ALL)
DATES = [name for name, slot in ENCODING.facts.slots.items() if slot.kind == "date"]
OPTIONAL = [name for name, slot in ENCODING.facts.slots.items() if slot.optional]


@settings(max_examples=60)
@given(
    st.dictionaries(st.sampled_from(OPTIONAL), st.booleans()),
    st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(DATES), st.sampled_from(["lt", "eq", "gt"])), max_size=6),
)
def test_every_member_the_domain_allows_passes_the_models_validation(known: dict[str, bool], orders: list[tuple[str, str, str]]) -> None:
    facts = ENCODING.facts
    solver = z3.Solver()
    solver.add(*facts.constraints, *ENCODING.domain)
    solver.add([facts.known[name] == value for name, value in known.items()])
    for a, b, op in orders:
        va, vb = facts.value[a], facts.value[b]
        solver.add({"lt": va < vb, "eq": va == vb, "gt": va > vb}[op])
    assume(solver.check() == z3.sat)
    _, fields, situation = facts.read(solver.model())
    build_member({**fields, "id": "W1"})  # raises if the models reject it
    if situation is not None:
        hr.Situation.model_validate(situation)


@pytest.mark.parametrize("index", range(len(DOMAIN)), ids=[d for d, _ in DOMAIN])
def test_each_constraint_of_the_domain_is_one_the_models_enforce(index: int) -> None:
    # Break just this one constraint: the models must reject the member.
    solver = z3.Solver()
    solver.add(*ENCODING.facts.constraints, *(c for i, c in enumerate(ENCODING.domain) if i != index))
    solver.add(z3.Not(ENCODING.domain[index]))
    assert solver.check() == z3.sat
    _, fields, _ = ENCODING.facts.read(solver.model())
    with pytest.raises(ValidationError):
        build_member({**fields, "id": "W1"})


def _minimal(model: type[BaseModel], day: date) -> dict[str, Any]:
    """The required fields of ``model`` with plain values (dates ``day``)."""
    plain: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            plain[name] = {date: day, bool: False, str: "x"}.get(info.annotation, "insured")  # type: ignore[call-overload]
    return plain


def _valid(model: type[BaseModel], fields: dict[str, Any]) -> bool:
    try:
        model.model_validate(fields)
    except ValidationError:
        return False
    return True


# Facts without which some date may not be given at all (the domain's other constraints).
ENABLING = {"member": {"my_number_held": True}, "my_number_card": {"registered_for_insurance_on": date(2000, 1, 1)}}


def test_every_order_of_two_dates_the_models_reject_is_in_the_domain() -> None:
    # Probe the models themselves: for two dates of one model, is one day the wrong way
    # round rejected, and is the same day? Every order found must be in ORDERED, so a
    # validator added to facts/member.py without a line in _domain.py fails here.
    found: set[tuple[str, str, bool]] = set()
    documents = {"member": hr.Member, **{s.name: document_model(s.name) for s in slots() if s.kind == "presence"}}
    for prefix, model in documents.items():
        names = [n for n, info in model.model_fields.items() if info.annotation in (date, date | None)]
        for a in names:
            for b in names:
                if a == b:
                    continue
                base = {**_minimal(model, date(2000, 1, 1)), **ENABLING.get(prefix, {})}
                before = {**base, a: date(2020, 1, 1), b: date(2020, 1, 2)}
                if not _valid(model, before):
                    continue
                if not _valid(model, {**base, a: date(2020, 1, 2), b: date(2020, 1, 1)}):
                    found.add((f"{prefix}.{a}", f"{prefix}.{b}", not _valid(model, {**base, a: date(2020, 1, 1), b: date(2020, 1, 1)})))
    assert found == set(ORDERED)


# --- which fired rules stand, against resolve ------------------------------------------------


def _evaluator(terms: Mapping[str, Any]) -> Callable[[frozenset[int]], dict[str, bool]]:
    """Boolean z3 ``terms`` as one Python function of the ids of the constants that are true.

    Each shared node is evaluated once per call. (z3's own ``simplify`` or
    ``model.eval`` costs tens of microseconds a call: minutes for the 2^14 sets of
    fired rules of the largest question.)
    """
    kinds = [("true", z3.is_true), ("false", z3.is_false), ("not", z3.is_not), ("and", z3.is_and),
             ("or", z3.is_or), ("constant", z3.is_const)]
    steps: list[tuple[int, str, tuple[int, ...]]] = []  # children before parents
    seen: set[int] = set()

    def visit(term: Any) -> None:
        node = term.get_id()
        if node in seen:
            return
        seen.add(node)
        for child in term.children():
            visit(child)
        kind = next(name for name, test in kinds if test(term))  # anything else is not encoded here
        steps.append((node, kind, tuple(c.get_id() for c in term.children())))

    for term in terms.values():
        visit(term)
    outputs = {name: term.get_id() for name, term in terms.items()}

    def evaluate(true: frozenset[int]) -> dict[str, bool]:
        value: dict[int, bool] = {}
        for node, kind, children in steps:
            if kind == "constant":
                value[node] = node in true
            elif kind in ("true", "false"):
                value[node] = kind == "true"
            elif kind == "not":
                value[node] = not value[children[0]]
            elif kind == "and":
                value[node] = all(value[c] for c in children)
            else:
                value[node] = any(value[c] for c in children)
        return {name: value[node] for name, node in outputs.items()}

    return evaluate


def _assert_stands_as_resolve(question: str, rules: list[Rule]) -> int:
    """On every set of ``rules`` (one question's, in rulebook order) that fire, the
    encoding has standing the rules ``standing_rules`` and ``resolve`` have; returns
    the number of sets checked."""
    fired_vars = {r.id: z3.Bool(f"fired {r.id}") for r in rules}
    fired_ids = {r.id: fired_vars[r.id].get_id() for r in rules}
    up, stands = standing(rules, fired_vars)
    evaluate = _evaluator({**{f"up {i}": t for i, t in up.items()}, **{f"stands {i}": t for i, t in stands.items()}})
    for mask in range(1 << len(rules)):
        fired = [r for i, r in enumerate(rules) if mask >> i & 1]
        value = evaluate(frozenset(fired_ids[r.id] for r in fired))
        # Before fallbacks: standing_rules itself, and what it sets aside.
        library_up, set_aside = standing_rules(fired)
        assert [r.id for r in rules if value[f"up {r.id}"]] == [r.id for r in library_up], (question, fired)
        assert [r.id for r in fired if not value[f"up {r.id}"]] == [r.id for r in set_aside], (question, fired)
        # After fallbacks: what resolve has standing, whether it answers or raises.
        try:
            resolution = resolve(question, fired, member_id="M", on=date(2025, 1, 1))
        except hr.ConflictError as error:
            expected = list(error.rule_ids)
        except hr.GapError:
            expected = []
        else:
            named = {r.id for r in (resolution.deciding, *resolution.concurring)}
            expected = [r.id for r in fired if r.id in named]  # in rulebook order (the deciding rule is a ground)
        assert [r.id for r in rules if value[f"stands {r.id}"]] == expected, (question, fired)
    return 1 << len(rules)


@pytest.mark.parametrize("book", [SEED, ALL], ids=["seed", "all packs"])
def test_the_encoding_stands_the_rules_resolve_stands_on_every_set_of_fired_rules(book: hr.Rulebook) -> None:
    checked = sum(_assert_stands_as_resolve(q, [r for r in book.rules.values() if r.question == q]) for q in book.questions)
    assert checked == sum(1 << sum(r.question == q for r in book.rules.values()) for q in book.questions)


@st.composite
def exception_structures(draw: st.DrawFn) -> list[Rule]:
    """Up to six rules of one question in some rulebook order, with any exceptions that
    make no circle (chains, diamonds, exceptions of fallbacks), fallbacks and outcomes."""
    count = draw(st.integers(1, 6))
    rank = draw(st.permutations(range(count)))  # an exception ranks above the rules it overrides
    rules = []
    for i in range(count):
        below = [j for j in range(count) if rank[j] < rank[i]]
        rules.append(Rule.model_validate({
            "id": f"R-{i}", "implements": ["X-1"], "title": {"ja": "試験", "en": "test"},
            "citation": {"source": "index", "sections": ["X-1"]}, "question": "q.test",
            "outcome": draw(st.sampled_from(["a", "b"])), "fallback": draw(st.booleans()),
            "overrides": [f"R-{j}" for j in draw(st.lists(st.sampled_from(below), unique=True))] if below else [],
        }))
    return rules


@settings(max_examples=100)
@given(exception_structures())
def test_the_encoding_stands_the_rules_resolve_stands_whatever_the_exceptions_and_fallbacks(rules: list[Rule]) -> None:
    _assert_stands_as_resolve("q.test", rules)


# --- the encoding against the engine ------------------------------------------------------


def _pin(encoding: Encoding, member: hr.Member, on: date, situation: hr.Situation | None) -> list[Any]:
    """The facts of ``member`` on ``on`` as equalities on the encoding's variables."""
    flat = to_record(member, on, situation)
    pinned: list[Any] = []
    others: dict[object, int] = {}
    for name, slot in encoding.facts.slots.items():
        key = fact_key(name)
        pinned.append(encoding.facts.known[name] == (key in flat))
        if key not in flat or slot.kind == "presence":
            continue
        value = flat[key]
        if slot.kind == "text":
            named = encoding.texts.named
            value = named.index(value) if value in named else others.setdefault(value, len(named) + len(others))
        pinned.append(encoding.facts.value[name] == value)
    return pinned + _pin_days_off(encoding, flat, on)


def _pin_days_off(encoding: Encoding, flat: Mapping[str, Any], on: date) -> list[Any]:
    """The real calendar of days off on each last day a working-day deadline of this member counts to."""
    params = encoding.book.params_on(on)
    pinned = []
    for rule in encoding.book.rules.values():
        for expr in rule.data.values():
            if isinstance(expr, WorkingDay):
                counted = evaluate_expr(expr.working_day.date, flat, params)
                if isinstance(counted, date):
                    moved = days_off_of(expr, params).next_working_day(counted)
                    pinned.append(encoding.calendar.working_day_is(counted.toordinal(), moved.toordinal()))
    return pinned


@pytest.mark.parametrize("book", [SEED, ALL], ids=["seed", "all packs"])
def test_pinned_to_a_generated_member_the_encoding_answers_as_the_engine(book: hr.Rulebook) -> None:
    encoding = ENCODING if book is ALL else Encoding(book)
    solver = z3.Solver()
    solver.add(encoding.constraints())
    data = [(q, k) for q, k in encoding._data]  # the data some condition reads

    @settings(max_examples=40)
    @given(members(), evaluation_dates(book), st.one_of(st.none(), situations()))
    def agree(member: hr.Member, on: date, situation: hr.Situation | None) -> None:
        solver.push()
        solver.add(_pin(encoding, member, on, situation))
        assert solver.check() == z3.sat
        model = solver.model()
        solver.pop()

        def true(term: Any) -> bool:
            return bool(z3.is_true(model.eval(term, model_completion=True)))

        try:
            decision = book.evaluate(member, on, situation=situation)
        except hr.DecisionError as error:
            assert true(encoding.failure(error.question)), error
            return
        for question in book.questions:
            answered = [o for o, term in encoding.answer[question].items() if true(term)]
            assert answered == ([decision[question].outcome] if question in decision else []), question
        for question, key in data:
            value = decision[question].data.get(key)
            known = true(encoding.datum(question, key).known)
            assert known == (value is not None), (question, key)
            if isinstance(value, date):
                assert model.eval(encoding.datum(question, key).value).as_long() == value.toordinal(), (question, key)

    agree()


def test_the_window_keeps_every_datum_inside_the_calendar() -> None:
    encoding = ENCODING
    lo, hi = date.fromordinal(encoding.lo), date.fromordinal(encoding.hi)
    # The longest period a rule computes is 5 years: it must fit after the last allowed day.
    assert civil_period_end(hi, years=5) < date.max and lo - timedelta(days=1) > date.min
