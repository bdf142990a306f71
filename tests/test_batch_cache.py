"""The abstraction cache changes nothing: cached outcomes are those of Rulebook.evaluate.

One evaluator (and so one cache) serves every generated example, so later examples
are answered from keys that earlier, different members filled in; the last test
checks that this happened, so the property cannot pass by never using the cache.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings

import hokensho_rules as hr
from hokensho_rules.evaluation.abstraction import abstraction_key
from hokensho_rules.facts.record import to_record
from hokensho_rules.evaluation.outcomes import OutcomeEvaluator
from hokensho_rules.testing import evaluation_dates, members, situations

BOOK = hr.Rulebook.load()
CACHED = OutcomeEvaluator(BOOK, cache=True)
SEED = hr.Rulebook.load(["seed"])
SEED_CACHED = OutcomeEvaluator(SEED, cache=True)


def answers_of(decision: hr.Decision) -> dict[str, tuple[str, str, dict[str, object]]]:
    return {q: (v.outcome, v.rule_id, dict(v.data)) for q, v in decision.items()}


def cached(evaluator: OutcomeEvaluator, member: hr.Member, on: date, situation: hr.Situation | None = None
           ) -> dict[str, tuple[str, str, dict[str, object]]]:
    found, _ = evaluator.answers(member, on, situation=situation)
    return {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in found.items()}


@given(members(), evaluation_dates(BOOK))
def test_cached_outcomes_rules_and_data_are_those_of_evaluate(member: hr.Member, on: date) -> None:
    assert cached(CACHED, member, on) == answers_of(BOOK.evaluate(member, on))


@given(members(), evaluation_dates(BOOK), situations())
@settings(max_examples=150)
def test_with_a_counter_too(member: hr.Member, on: date, situation: hr.Situation) -> None:
    assert cached(CACHED, member, on, situation) == answers_of(BOOK.evaluate(member, on, situation=situation))


@given(members(), evaluation_dates(SEED))
@settings(max_examples=150)
def test_under_the_seed_alone_too(member: hr.Member, on: date) -> None:
    assert cached(SEED_CACHED, member, on) == answers_of(SEED.evaluate(member, on))


def test_the_properties_above_were_answered_from_the_cache() -> None:
    # Runs after them (pytest keeps file order): most strata came from keys already seen.
    assert CACHED.cache_hits > CACHED.engine_calls > 0


def test_the_key_sees_a_date_move_across_a_constant_but_not_within_an_interval() -> None:
    program = BOOK.program(BOOK.params_on(date(2025, 12, 2)))
    # The stratum deciding paper_card.usable (PC-3: not usable from 2025-12-02).
    stratum = next(s for s in program if "paper_card.usable" in s.questions)
    key = abstraction_key(stratum.rules, BOOK.params_on(date(2025, 12, 2)))
    member = hr.Member(id="K1", kind="insured", enrolled_on=date(2020, 4, 1),
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
    # Two dates between the same constants: same key; across PC-3's 2025-12-02: different keys.
    assert key(to_record(member, date(2025, 12, 5))) == key(to_record(member, date(2025, 12, 9)))
    assert key(to_record(member, date(2025, 12, 1))) != key(to_record(member, date(2025, 12, 2)))
    # A fact-to-fact comparison (loss date against the evaluation date) changes the key.
    eligibility = next(s for s in program if "member.eligible" in s.questions)
    eligible_key = abstraction_key(eligibility.rules, BOOK.params_on(date(2025, 12, 2)))
    left = member.model_copy(update={"loss_on": date(2025, 12, 8)})
    assert eligible_key(to_record(left, date(2025, 12, 5))) != eligible_key(to_record(left, date(2025, 12, 9)))


def test_the_cache_is_bounded() -> None:
    small = OutcomeEvaluator(BOOK, cache=True, cache_size=3)
    member = hr.Member(id="B1", kind="insured", enrolled_on=date(2020, 4, 1))
    for day in range(1, 29):
        small.answers(member, date(2019, 2, day))
        small.answers(member, date(2026, 2, day))
    assert all(len(cache) <= 3 for program in small._programs.values() for cache in program.cache)
