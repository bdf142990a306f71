"""What-if comparisons between rulebooks, and coverage in time under every shipped rulebook."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.testing import members, situations
from hokensho_rules.evaluation.change_points import change_points

SEED = hr.Rulebook.load(["seed"])
IN_FORCE = hr.Rulebook.load()
# Every rulebook the library ships: the seed alone, the seed with each change, all of them.
SHIPPED = [SEED, *(hr.Rulebook.load(["seed", pack]) for pack in IN_FORCE.packs[1:]), IN_FORCE]
COVERAGE_START, COVERAGE_END = date(2024, 5, 1), date(2031, 12, 31)


def test_the_seed_and_the_rules_in_force_differ_on_an_expired_paper_card_because_of_b_1() -> None:
    member = hr.Member(
        id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
        paper_card=hr.PaperCard(issued_on=date(2020, 4, 1), expires_on=date(2025, 3, 31)),
    )
    comparison = hr.compare(SEED, IN_FORCE, member, date(2024, 10, 1), date(2031, 1, 1))
    usable = [d for d in comparison if d.question == "paper_card.usable"]
    # Same answer for another reason (usable until the card's expiry), then another answer.
    assert [(d.start, d.end, d.left.rule_id, d.right.rule_id) for d in usable] == [
        (date(2024, 10, 1), date(2025, 3, 31), "PC-2", "B-1.until_expiry"),
        (date(2025, 4, 1), date(2025, 12, 1), "PC-2", "B-1"),
        # The same answer for another reason: the card ended at its own expiry.
        (date(2025, 12, 2), date(2031, 1, 1), "PC-3", "B-1"),
    ]
    assert usable[1].left.outcome == "yes" and usable[1].right.outcome == "no"
    assert "令和7年4月1日〜令和7年12月1日" in comparison.render("ja")
    assert "2025-04-01 to 2025-12-01" in comparison.render("en")
    assert comparison.to_rows()[0]["member_id"] == "M1"


def test_a_rulebook_compared_with_itself_has_no_difference() -> None:
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1))
    assert len(hr.compare(IN_FORCE, hr.Rulebook.load(), [member], date(2024, 1, 1), date(2030, 1, 1))) == 0


@settings(max_examples=25)
@given(members(), st.dates(date(2024, 10, 1), date(2026, 6, 30)))
def test_a_comparison_agrees_with_comparing_every_day(member: hr.Member, start: date) -> None:
    end = start + timedelta(days=400)
    comparison = hr.compare(SEED, IN_FORCE, member, start, end)
    day = start
    while day <= end:
        seed, in_force = SEED.evaluate(member, day), IN_FORCE.evaluate(member, day)
        differing = {
            q for q in seed if q in in_force
            and (seed[q].outcome, seed[q].rule_id, seed[q].data) != (in_force[q].outcome, in_force[q].rule_id, in_force[q].data)
        }
        found = {d.question for d in comparison if d.start <= day <= d.end}
        assert found == differing, day
        day += timedelta(days=1)


@settings(max_examples=40)
@given(members(), situations())
@pytest.mark.parametrize("book", SHIPPED, ids=lambda b: "+".join(b.packs[1:]) or "seed")
def test_every_question_has_exactly_one_outcome_at_every_change_point(
    book: hr.Rulebook, member: hr.Member, situation: hr.Situation
) -> None:
    # In the spirit of Catala's temporal coverage tests: between change points nothing
    # changes, so exactly one answer at each point is exactly one answer on every day.
    for day in change_points(book, member, COVERAGE_START, COVERAGE_END):
        decision = book.evaluate(member, day, situation=situation)  # raises on a gap or a conflict
        assert list(decision) == list(book.questions)
