"""Properties of the whole seed (issue 3): what a counter accepts, coverage, the action list."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.testing import evaluation_dates, members, situations

BOOK = hr.Rulebook.load(["seed"])
IN_FORCE = hr.Rulebook.load()
B5_FROM, B5_UNTIL = date(2025, 12, 2), date(2026, 7, 31)  # index B-5, as extended
LAST_PAPER_CARD_DAY = date(2024, 12, 1)  # index PC-1
NO_PAPER_CARD_FROM = date(2025, 12, 2)  # index PC-3
NEVER_ALONE = ("presentation.screen_alone", "presentation.pdf_alone", "presentation.notice_alone")


@given(members(), evaluation_dates(BOOK), situations())
def test_a_notice_a_screen_or_a_pdf_is_never_accepted_alone(
    member: hr.Member, on: date, situation: hr.Situation
) -> None:
    decision = BOOK.evaluate(member, on, situation=situation)
    for question in NEVER_ALONE:
        assert decision[question].outcome == "refused", question


@given(members(), evaluation_dates(BOOK), situations())
def test_presentations_split_every_counter_question_and_imply_a_route_to_care(
    member: hr.Member, on: date, situation: hr.Situation
) -> None:
    decision = BOOK.evaluate(member, on, situation=situation)
    shown = decision.presentations()
    asked = [q for q in BOOK.questions if BOOK.questions[q].requires == "situation"]
    assert sorted(v.question for v in (*shown.accepted, *shown.refused)) == sorted(asked)
    if shown.accepted:
        assert decision["coverage.route"].outcome == "covered"


@given(members(), st.dates(NO_PAPER_CARD_FROM, date(2031, 12, 31)))
def test_after_the_ex_officio_issuance_every_early_member_has_a_route_to_care(member: hr.Member, on: date) -> None:
    # index EC-1: enrolled on or before 2024-12-01, eligible from 2025-12-02 on.
    if member.enrolled_on > LAST_PAPER_CARD_DAY or BOOK.evaluate(member, on)["member.eligible"].outcome == "no":
        return
    decision = BOOK.evaluate(member, on)
    route = decision["coverage.route"]
    if decision["my_number_card.usable"].outcome == "suspended":
        # index X-8: a suspended card makes no ex officio target; the member applies.
        assert route.outcome in ("covered", "gap_member_to_act"), route.rule_id
        return
    assert route.outcome in ("covered", "gap_ex_officio_certificate"), route.rule_id
    if route.outcome == "covered":
        return
    issued = hr.Member.model_validate({**member.model_dump(), "certificate": {"issued_on": on}})
    assert BOOK.evaluate(issued, on)["coverage.route"].outcome == "covered"


@given(st.lists(members(), min_size=1, max_size=6), evaluation_dates(BOOK))
def test_the_action_list_has_a_row_for_every_outcome_that_calls_for_one(people: list[hr.Member], on: date) -> None:
    membership = [m.model_copy(update={"id": f"M{i}"}) for i, m in enumerate(people)]
    actions = BOOK.actions(membership, on)
    expected = []
    for member in membership:
        decision = BOOK.evaluate(member, on)
        calls = {q: BOOK.questions[q].outcomes[v.outcome].action for q, v in decision.items()}
        # An action another question's action closes too marks that row instead.
        expected += [
            (member.id, q) for q, action in calls.items()
            if action is not None and (action.closed_by is None or calls[action.closed_by] is None)
        ]
    assert sorted((row.member_id, row.need) for row in actions) == sorted(expected)
    dues = [row.due for row in actions]
    assert dues == sorted(dues, key=lambda d: (d is None, d or date.max))
    assert BOOK.actions(reversed(membership), on).to_rows() == actions.to_rows()


def test_a_member_listed_twice_is_an_error_naming_the_id() -> None:
    member = hr.Member(id="M7", kind="insured", enrolled_on=date(2020, 4, 1))
    with pytest.raises(ValueError, match="'M7'"):
        BOOK.actions([member, member], date(2025, 1, 1))


def test_asking_what_a_counter_accepts_needs_a_situation() -> None:
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1))
    with pytest.raises(ValueError, match="situation"):
        BOOK.evaluate(member, date(2025, 1, 1)).presentations()
    with pytest.raises(TypeError, match="situation"):
        BOOK.evaluate(member, date(2025, 1, 1), situation={"online_verification": True})  # type: ignore[arg-type]


def test_the_counter_accepts_in_the_rulebook_order_and_refuses_with_the_rule_as_reason() -> None:
    member = hr.Member(
        id="M1", kind="insured", enrolled_on=date(2020, 4, 1), my_number_held=True,
        insurer_registered_on=date(2020, 4, 10), notice_sent_on=date(2024, 10, 23),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2023, 5, 1)),
        paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)),
    )
    power_cut = hr.Situation(online_verification=True, smartphone=True, power_cut=True)
    shown = BOOK.evaluate(member, date(2025, 6, 1), situation=power_cut).presentations()
    assert [v.question for v in shown.accepted] == [
        "presentation.paper_card", "presentation.mynaportal_screen", "presentation.mynaportal_pdf", "presentation.notice",
    ]
    refused = {v.question: v.rule_id for v in shown.refused}
    assert refused["presentation.my_number_card"] == "RT-2.cannot_be_read"
    assert refused["presentation.notice_alone"] == "EN-6"


@given(members(), evaluation_dates(IN_FORCE), situations())
def test_under_the_rules_in_force_a_notice_alone_is_accepted_only_in_b5s_temporary_window(
    member: hr.Member, on: date, situation: hr.Situation
) -> None:
    verdict = IN_FORCE.evaluate(member, on, situation=situation)["presentation.notice_alone"]
    if verdict.outcome in ("accepted", "may_accept"):
        assert (verdict.outcome, verdict.rule_id) == ("may_accept", "B-5.notice")
        assert B5_FROM <= on <= B5_UNTIL
