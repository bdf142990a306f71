"""Properties every decision must have, on generated members and dates (real engine, real rules)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given

import hokensho_rules as hr
from hokensho_rules.law.calendar import civil_period_end
from hokensho_rules.law.conditions import first_failing
from hokensho_rules.testing import LATEST, evaluation_dates, members, situations
from hokensho_rules.evaluation.change_points import change_points

BOOK = hr.Rulebook.load()
ANOTHER_BOOK = hr.Rulebook.load()  # its own compiled rulesets: no state shared through the engine
ABOLISHED = date(2024, 12, 2)  # index PC-1
NO_PAPER_CARD_FROM = date(2025, 12, 2)  # index PC-3


@given(members(), evaluation_dates(BOOK), situations())
def test_every_question_has_exactly_one_outcome(member: hr.Member, on: date, situation: hr.Situation) -> None:
    # Without a situation exactly the questions about an institution's counter are left out.
    unasked = [q for q in BOOK.questions if q not in BOOK.evaluate(member, on)]
    assert unasked and all(BOOK.questions[q].requires == "situation" for q in unasked)
    decision = BOOK.evaluate(member, on, situation=situation)
    assert list(decision) == list(BOOK.questions)
    for question, verdict in decision.items():
        assert verdict.outcome in BOOK.questions[question].outcomes
        assert verdict.rule.question == question


@given(members(), evaluation_dates(BOOK))
def test_no_paper_card_is_issuable_from_2024_12_02(member: hr.Member, on: date) -> None:
    outcome = BOOK.evaluate(member, on)["paper_card.issuable"].outcome
    assert on < ABOLISHED or outcome == "no"


@given(members(), evaluation_dates(BOOK))
def test_no_paper_card_is_usable_from_2025_12_02(member: hr.Member, on: date) -> None:
    outcome = BOOK.evaluate(member, on)["paper_card.usable"].outcome
    assert on < NO_PAPER_CARD_FROM or outcome == "no"


@given(members(), evaluation_dates(BOOK))
def test_a_certificate_is_never_valid_over_5_years_nor_from_the_loss_date(member: hr.Member, on: date) -> None:
    decision = BOOK.evaluate(member, on)
    validity = decision["certificate.validity"]
    member = hr.as_known_on(member, on)  # a certificate issued later does not exist yet
    if member.certificate is None:
        assert validity.outcome == "none"
        return
    if validity.outcome == "invalid":
        assert decision["certificate.usable"].outcome == "no"
        return
    start, until = validity.data["valid_from"], validity.data["valid_until"]
    assert isinstance(start, date) and isinstance(until, date)
    assert member.certificate.issued_on <= start <= until <= civil_period_end(start, years=5)
    assert member.loss_on is None or until < member.loss_on
    if decision["certificate.usable"].outcome == "yes":
        assert start <= on <= until
    issuance = decision["certificate.issuance"].data
    prospective = issuance.get("valid_until_if_issued_on_date")
    if isinstance(prospective, date):
        # index X-6: five years from the day it takes effect, which may come later.
        takes_effect_on = issuance.get("takes_effect_on", on)
        assert isinstance(takes_effect_on, date) and on <= takes_effect_on
        assert prospective <= civil_period_end(takes_effect_on, years=5)
        assert member.loss_on is None or prospective < member.loss_on


@given(members(), evaluation_dates(BOOK))
def test_no_document_is_usable_without_eligibility(member: hr.Member, on: date) -> None:
    decision = BOOK.evaluate(member, on)
    if on < member.enrolled_on or (member.loss_on is not None and on >= member.loss_on):
        assert decision["member.eligible"].outcome == "no"
        for question in ("paper_card.usable", "my_number_card.usable", "certificate.usable"):
            assert decision[question].outcome == "no", question


@given(members(), evaluation_dates(BOOK))
def test_evaluation_is_deterministic(member: hr.Member, on: date) -> None:
    first = BOOK.evaluate(member, on).to_dict()
    assert BOOK.evaluate(member, on).to_dict() == first
    assert ANOTHER_BOOK.evaluate(member, on).to_dict() == first


@given(members(), evaluation_dates(BOOK), situations())
def test_the_engine_and_the_explaining_evaluator_agree(member: hr.Member, on: date, situation: hr.Situation) -> None:
    # Explanations evaluate conditions in Python; they are only true if both agree on
    # which rules fire, rule by rule, on the very fact the engine saw.
    decision = BOOK.evaluate(member, on, situation=situation)
    params = BOOK.params_on(on)
    for stratum in BOOK.program(params):
        by_engine = {rule.id for fired in stratum.fired(decision.record).values() for rule in fired}
        by_python = {rule.id for rule in stratum.rules if first_failing(rule, decision.record, params) is None}
        assert by_engine == by_python


@given(members(), evaluation_dates(BOOK))
def test_an_explanation_names_a_failed_condition_for_every_other_rule(member: hr.Member, on: date) -> None:
    decision = BOOK.evaluate(member, on)
    for question, verdict in decision.items():
        explanation = decision.explanation(question)
        set_aside = {r.id for r in (*verdict.concurring, *verdict.overridden)}
        failed = {item.rule.id for item in explanation.not_applied}
        others = {r.id for r in BOOK.rules.values() if r.question == question and not r.fallback}
        # Every other rule either fired (and agreed, or was overridden), or failed at a named
        # condition; one set aside that would have given the same answer is not listed.
        agreeing = {r.id for r in BOOK.rules.values() if r.question == question and r.outcome == verdict.outcome}
        assert others - {verdict.rule.id} <= set_aside | failed | agreeing
        assert not set_aside & failed


@given(members(), evaluation_dates(BOOK))
def test_a_day_later_changes_nothing_unless_it_is_a_change_point(member: hr.Member, on: date) -> None:
    # The timeline's promise, sampled at the dates the rules name (test_timeline.py checks
    # whole windows): between change points no outcome or deciding rule moves.
    after = on + timedelta(days=1)
    if after > LATEST or after in change_points(BOOK, member, on, after):
        return
    before, later = BOOK.evaluate(member, on), BOOK.evaluate(member, after)
    assert {q: (v.outcome, v.rule_id) for q, v in before.items()} == {q: (v.outcome, v.rule_id) for q, v in later.items()}
