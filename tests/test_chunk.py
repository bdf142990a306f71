"""A chunk decided stratum by stratum gives, row for row, what the per-member walk gives
(evaluation/chunk.py).

Rows of a generated membership are decided both ways on any day, under both rulebooks
and under one where a lost card is a conflict: every row the chunk answers has exactly
the per-member walk's packed answers (outcome, rule, every datum), and a row it hands
back is one the per-member walk fails on. One evaluator (one cache, one memo per plan)
serves every example, so later chunks are answered from keys and data earlier ones left.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.evaluation.chunk import packed_chunk
from hokensho_rules.evaluation.outcomes import OutcomeEvaluator
from hokensho_rules.facts.record import to_record
from hokensho_rules.facts.table import FactTable
from hokensho_rules.testing import evaluation_dates, memberships
from rule_files import lost_card
from test_columnar import same_decided

BOOK = hr.Rulebook.load()
SEED = hr.Rulebook.load(["seed"])
EVALUATORS = {id(BOOK): OutcomeEvaluator(BOOK), id(SEED): OutcomeEvaluator(SEED)}


def per_member(evaluator: OutcomeEvaluator, member_id: str, on: date, fact: dict[str, object]) -> object:
    try:
        return evaluator._packed_fact(member_id, on, dict(fact))  # type: ignore[arg-type]
    except (hr.DecisionError, ValueError, OverflowError, hr.EngineError) as error:
        return type(error)


def check(evaluator: OutcomeEvaluator, people: list[hr.Member], on: date) -> None:
    facts = [to_record(m, on) for m in people]
    kept = [dict(f) for f in facts]
    chunk = packed_chunk(evaluator, [m.id for m in people], on, FactTable.of_facts(facts))
    assert facts == kept, "the chunk's walk leaves the facts as they were"
    for member, fact, answered in zip(people, facts, chunk, strict=True):
        expected = per_member(evaluator, member.id, on, fact)
        if answered is None:
            assert isinstance(expected, type), f"{member.id}: handed back, but the per-member walk answers it"
        else:
            assert answered == expected, member.id


@given(st.sampled_from([BOOK, SEED]), st.data())
@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_a_chunk_answers_every_row_as_the_per_member_walk(book: hr.Rulebook, data: st.DataObject) -> None:
    people = data.draw(memberships(max_size=40, rulebook=book), label="membership")
    on = data.draw(evaluation_dates(book), label="on")
    check(EVALUATORS[id(book)], people, on)


@given(memberships(max_size=12), evaluation_dates(BOOK), st.integers(0, 11))
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@example(people=[lost_card("L1")], on=date(2025, 3, 1), where=0)
def test_rows_that_conflict_are_handed_back_and_the_others_answered(
    conflicting_evaluator: OutcomeEvaluator, people: list[hr.Member], on: date, where: int
) -> None:
    people = [*people[:where], lost_card("LOST"), *people[where:]]
    check(conflicting_evaluator, people, on)


@given(memberships(max_size=12), evaluation_dates(BOOK), st.integers(0, 11))
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@example(people=[lost_card("L1")], on=date(2025, 3, 1), where=0)
def test_a_chunk_kept_as_columns_reads_as_its_results(
    conflicting_book: hr.Rulebook, people: list[hr.Member], on: date, where: int
) -> None:
    # Rows the walk hands back (a conflict) are decided alone and folded into the columns:
    # the chunk reads as evaluate_many's results, and gives their wide batch and counts.
    same_decided(conflicting_book, [*people[:where], lost_card("LOST"), *people[where:]], on)


@pytest.fixture(scope="module")
def conflicting_evaluator(conflicting_book: hr.Rulebook) -> OutcomeEvaluator:
    return OutcomeEvaluator(conflicting_book)


def test_a_column_of_values_of_several_types_is_keyed_row_by_row() -> None:
    # Records made by to_record hold one type per key; a hand-made one may not: the chunk
    # then groups its rows by the compiled key function itself, with the same answers.
    on = date(2025, 12, 2)
    people = [hr.Member(id=f"T{i}", kind="insured", enrolled_on=date(2020, 4, 1),
                        paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))) for i in range(4)]
    facts = [to_record(m, on) for m in people]
    key = next(k for k, v in facts[0].items() if type(v) is int and k != "date")
    facts[1][key] = "text"
    facts[2][key] = True
    evaluator = OutcomeEvaluator(BOOK)
    chunk = packed_chunk(evaluator, [m.id for m in people], on, FactTable.of_facts(facts))
    for member, fact, answered in zip(people, facts, chunk, strict=True):
        expected = per_member(evaluator, member.id, on, fact)
        assert answered == expected or (answered is None and isinstance(expected, type)), member.id
    assert chunk[0] is not None and chunk[3] is not None


def test_the_chunk_decides_each_distinct_case_once() -> None:
    # 400 members of 4 histories: the engine is asked at most once per stratum and history.
    on = date(2025, 12, 2)
    histories = [dict(paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))), {},
                 dict(loss_on=date(2025, 6, 30)), dict(my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2024, 1, 5)))]
    people = [hr.Member(id=f"D{i}", kind="insured", enrolled_on=date(2020, 4, 1), **histories[i % 4])  # type: ignore[arg-type]
              for i in range(400)]
    evaluator = OutcomeEvaluator(BOOK)
    packed = packed_chunk(evaluator, [m.id for m in people], on, FactTable.of_facts([to_record(m, on) for m in people]))
    assert all(p is not None for p in packed)
    strata = len(BOOK.program(BOOK.params_on(on)))
    assert 0 < evaluator.engine_calls <= 4 * strata
    assert evaluator.engine_calls + evaluator.cache_hits == 400 * (strata - 1)  # the counter's stratum needs a situation


def _perturbations(book: hr.Rulebook, on: date, offsets: tuple[int, ...] = (-1, 0, 1)) -> list[tuple[str, object]]:
    """(flat key, value) for every value each stratum's key tells apart: each number constant,
    a day either side, every text compared with and another, both flags; and the last day."""
    found: list[tuple[str, object]] = []
    for spec in OutcomeEvaluator(book)._program(book.params_on(on)).specs:
        for name, numbers, others in spec.columns:
            found += [(name, c + d) for c in numbers for d in offsets]
            found += [(name, c) for c in others if type(c) is str] + [(name, "another"), (name, True), (name, False)]
            found.append((name, date.max.toordinal()))  # a datum counted from it is beyond the calendar
    return sorted(set(found), key=repr)


@given(st.sampled_from([BOOK, SEED]), st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_rows_apart_only_at_a_constant_are_told_apart(book: hr.Rulebook, data: st.DataObject) -> None:
    # Facts set by hand to each constant a key compares with, a day either side, and each
    # compared text: what generated histories seldom reach. Both walks read the same facts.
    people = data.draw(memberships(max_size=6, rulebook=book), label="membership")
    on = data.draw(evaluation_dates(book), label="on")
    choices = _perturbations(book, on)
    constants = [(k, v) for k, v in _perturbations(book, on, offsets=(0,)) if type(v) is int]
    facts: list[dict[str, object]] = []
    for i in range(20):
        fact = to_record(people[i % len(people)], on)
        for key, value in data.draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4), label=f"row {i}"):
            if key in fact or type(value) is int:
                fact[key] = value  # type: ignore[assignment]
        # Its twin differs in one number: on a constant against a day either side of it.
        twin = dict(fact)
        key, constant = data.draw(st.sampled_from(constants), label=f"twin {i}")
        fact[key] = constant
        twin[key] = constant + data.draw(st.sampled_from([-1, 1]), label=f"shift {i}")
        facts += [fact, twin]
    ids = [f"P{i}" for i in range(len(facts))]
    evaluator = EVALUATORS[id(book)]
    chunk = packed_chunk(evaluator, ids, on, FactTable.of_facts(facts))
    for member_id, fact, answered in zip(ids, facts, chunk, strict=True):
        expected = per_member(evaluator, member_id, on, fact)
        assert answered == expected or (answered is None and isinstance(expected, type)), member_id

