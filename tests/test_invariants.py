"""Invariants of the legal review's rulings, under every shipped rulebook.

Each property states the principle of a ruling (X-…) over generated members and dates,
so that the next mistake of that kind is found by a machine, not by a lawyer. Each
records with ``hypothesis.event`` how often its interesting branch is reached
(``pytest --hypothesis-show-statistics``); ``test_the_generators_reach_…`` fails if the
generators stop producing the situations these properties need.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.results.actions import actions_of
from hokensho_rules.law.calendar import end_of_month
from hokensho_rules.testing import evaluation_dates, members

IN_FORCE = hr.Rulebook.load()
SHIPPED = [hr.Rulebook.load(["seed"]), *(hr.Rulebook.load(["seed", p]) for p in IN_FORCE.packs[1:]), IN_FORCE]
IDS = [("+".join(b.packs[1:]) or "seed").replace("_", "-")[:40] for b in SHIPPED]
WINDOW = (date(2024, 6, 1), date(2031, 12, 31))
every_rulebook = pytest.mark.parametrize("book", SHIPPED, ids=IDS)
# Nine rulebooks each: fewer examples per rulebook keep the whole run to a minute or two.
per_rulebook = settings(max_examples=80)


def law(book: hr.Rulebook, name: str, on: date) -> date:
    value = book.params_on(on)[name]
    assert isinstance(value, date)
    return value


def _action_due(book: hr.Rulebook, verdict: hr.Verdict) -> tuple[str | None, date | None]:
    """The action an answer calls for (its title) and its deadline, if any."""
    action = book.questions[verdict.question].outcomes[verdict.outcome].action
    if action is None:
        return None, None
    due = verdict.data.get(action.due) if action.due else None
    return action.title.en, due if isinstance(due, date) else None


# --- no action is overdue on the day it first appears -------------------


@settings(max_examples=40)
@given(members())
@every_rulebook
def test_no_action_is_overdue_on_the_day_it_first_appears(book: hr.Rulebook, member: hr.Member) -> None:
    # Actions appear only where an answer changes: the timeline's interval starts.
    timeline = book.timeline(member, *WINDOW)
    for question, runs in timeline.items():
        for before, after in itertools.pairwise(runs):
            title, due = _action_due(book, after.verdict)
            if title is None or title == _action_due(book, before.verdict)[0]:
                continue
            event(f"an action appears: {question}")
            assert due is None or due >= after.start, (question, after.start, after.rule_id, due)


# --- nothing for a day without eligibility; no empty validity ------------------


@per_rulebook
@given(members(), evaluation_dates(IN_FORCE))
@every_rulebook
def test_nothing_is_issued_promised_sent_or_chased_without_eligibility(book: hr.Rulebook, member: hr.Member, on: date) -> None:
    decision = book.evaluate(member, on)
    if decision["member.eligible"].outcome == "no":
        event("a day without eligibility")
        assert decision["certificate.issuance"].outcome == "none"
        assert decision["certificate.usable"].outcome == "no"
        assert decision["notice.status"].outcome != "to_send"
        assert decision["enrolment_notification.status"].outcome != "overdue"
        return
    issuance = decision["certificate.issuance"]
    if issuance.outcome == "none":
        return
    event("a certificate is to be issued")
    takes_effect = issuance.data.get("takes_effect_on", on)
    until = issuance.data["valid_until_if_issued_on_date"]
    assert isinstance(takes_effect, date) and isinstance(until, date)
    assert takes_effect <= until, "a certificate with an empty validity"
    if member.loss_on is not None:
        event("a certificate is to be issued to a member who will leave")
        deadline = issuance.data.get("deadline")
        assert deadline is None or (isinstance(deadline, date) and deadline < member.loss_on)
        assert takes_effect < member.loss_on


# --- validity starts with the law, the membership and the document -------------


@per_rulebook
@given(members(), evaluation_dates(IN_FORCE))
@every_rulebook
def test_no_document_is_valid_before_its_law_or_its_membership(book: hr.Rulebook, member: hr.Member, on: date) -> None:
    decision = book.evaluate(member, on)
    abolished = law(book, "paper_card_abolished_on", on)
    validity = decision["certificate.validity"]
    if validity.outcome == "period":
        event("a certificate with a validity")
        start, until = validity.data["valid_from"], validity.data["valid_until"]
        assert isinstance(start, date) and isinstance(until, date)
        assert max(abolished, member.enrolled_on) <= start <= until
    takes_effect = decision["certificate.issuance"].data.get("takes_effect_on")
    if isinstance(takes_effect, date):
        event("a certificate to be issued that takes effect later")
        assert takes_effect >= max(abolished, member.enrolled_on)
    card = member.paper_card
    if card is not None and card.enrolled_on not in (None, member.enrolled_on):
        event("a paper card of an earlier membership")
        assert decision["paper_card.usable"].outcome == "no"
        if member.enrolled_on <= on and member.enrolled_on <= law(book, "paper_card_transition_ends_on", on):
            returned = card.returned_on is not None and card.returned_on <= on
            lost = card.lost_on is not None and card.lost_on <= on
            assert decision["paper_card.must_return"].outcome == ("no" if returned or lost else "yes")


# --- the same state reached two ways gets the same answers --------------------------


@st.composite
def cancelled_two_ways(draw: st.DrawFn, book: hr.Rulebook) -> tuple[hr.Member, hr.Member, date]:
    """A member whose insurance-use registration ends on ``day`` by hand, and the same
    member whose registration lapses that day (its electronic certificate expired, and
    under B-4 its grace ended the day before)."""
    base = draw(members())
    day = draw(st.dates(date(2024, 1, 1), date(2030, 12, 1))).replace(day=1)
    registered = day - timedelta(days=draw(st.integers(30, 2000)))
    common = {"registered_for_insurance_on": registered, "returned_on": None, "suspended_on": None}
    if "my_number_card.grace" in book.questions:
        months = book.params_on(day)["card_grace_months"]
        assert isinstance(months, int)
        month = (day - timedelta(days=1)).replace(day=1)
        for _ in range(months):
            month = (month - timedelta(days=1)).replace(day=1)
        expires = month + timedelta(days=draw(st.integers(0, (end_of_month(month) - month).days)))
    else:
        expires = day - timedelta(days=1)
    by_hand = hr.MyNumberCard(**common, registration_cancelled_on=day)
    by_lapse = hr.MyNumberCard(**common, certificate_expires_on=expires)
    fixed = {"my_number_held": True, "insurer_registered_on": registered, "abroad": None}
    one = hr.Member.model_validate({**base.model_dump(), **fixed, "my_number_card": by_hand.model_dump()})
    other = hr.Member.model_validate({**base.model_dump(), **fixed, "my_number_card": by_lapse.model_dump()})
    return one, other, day


@settings(max_examples=50)
@given(st.data(), st.integers(-3, 400))
@every_rulebook
def test_a_registration_cancelled_by_hand_or_by_lapse_gets_the_same_answers(
    book: hr.Rulebook, data: st.DataObject, offset: int
) -> None:
    by_hand, by_lapse, day = data.draw(cancelled_two_ways(book))
    on = day + timedelta(days=offset)
    one, other = book.evaluate(by_hand, on), book.evaluate(by_lapse, on)
    if one["certificate.ex_officio_target"].outcome == "yes":
        event("an ex officio target by cancellation")
    for question in ("certificate.ex_officio_target", "certificate.issuance", "coverage.route", "my_number_card.usable"):
        assert one[question].outcome == other[question].outcome, (question, on)
    for question in ("certificate.ex_officio_target", "certificate.issuance"):
        assert one[question].data == other[question].data, (question, on)


# --- a document returns by the route it was delivered ------------------------------


@per_rulebook
@given(members())
@pytest.mark.parametrize("book", [b for b in SHIPPED if "certificate.must_return" in b.questions], ids=lambda b: "+".join(b.packs[1:]))
def test_a_certificate_returns_by_the_route_it_was_delivered(book: hr.Rulebook, member: hr.Member) -> None:
    if member.loss_on is None or member.loss_on - timedelta(days=1) < law(book, "paper_card_abolished_on", member.loss_on):
        return
    last_day = member.loss_on - timedelta(days=1)
    # The same member asks for a certificate on their last day: how would it be delivered?
    asking = member.model_copy(update={
        "certificate": None, "paper_card": None,
        "requests": hr.Requests(certificate_for_circumstances_on=last_day),
    })
    asked = book.evaluate(asking, last_day)
    if asked["member.eligible"].outcome != "yes":
        return  # eligibility ended before the loss date recorded (B-10: a voluntary continuation's 2 years)
    delivery = asked["certificate.delivery"].outcome
    holding = member.model_copy(update={"certificate": hr.Certificate(issued_on=last_day)})
    route = book.evaluate(holding, member.loss_on)["certificate.must_return"].outcome
    event(f"delivered {delivery}, returned {route}")
    assert delivery in ("via_employer", "direct")
    assert route == delivery


# --- one need, one row --------------------------------------------------------------


@settings(max_examples=40)
@given(st.lists(members(), min_size=1, max_size=4), evaluation_dates(IN_FORCE))
@every_rulebook
def test_the_action_list_names_each_need_once_per_member(book: hr.Rulebook, people: list[hr.Member], on: date) -> None:
    membership = [m.model_copy(update={"id": f"M{i}"}) for i, m in enumerate(people)]
    actions = book.actions(membership, on)
    assert max(Counter((row.member_id, row.need) for row in actions).values(), default=1) == 1
    for member in membership:
        decision = book.evaluate(member, on)
        rows = {row.need: row for row in actions_of(decision)}
        for verdict in decision.values():
            action = book.questions[verdict.question].outcomes[verdict.outcome].action
            if action is None or action.closed_by is None or action.closed_by not in rows:
                continue
            event("a coverage gap marks the row that closes it")
            assert verdict.question not in rows
            assert rows[action.closed_by].gap == verdict


# --- only a standing rule sets another aside -----------------------------------------


@per_rulebook
@given(members(), evaluation_dates(IN_FORCE))
@every_rulebook
def test_an_overridden_rule_was_set_aside_by_a_rule_that_stands(book: hr.Rulebook, member: hr.Member, on: date) -> None:
    for verdict in book.evaluate(member, on).values():
        standing = (verdict.rule, *verdict.concurring)
        for rule in verdict.overridden:
            event("a rule was set aside")
            assert any(rule.id in book.rules[s.id].overrides for s in standing), (verdict.question, rule.id)
        for rule in standing:
            assert not any(rule.id in book.rules[s.id].overrides for s in standing)


# --- the generators reach what these properties need --------------------------------------


def test_the_generators_reach_the_situations_the_invariants_need() -> None:
    seen: Counter[str] = Counter()
    abolished = law(IN_FORCE, "paper_card_abolished_on", date(2025, 1, 1))
    transition_end = law(IN_FORCE, "paper_card_transition_ends_on", date(2025, 1, 1))

    @settings(max_examples=400, database=None)
    @given(members())
    def sample(member: hr.Member) -> None:
        seen["members"] += 1
        card, certificate, mn = member.paper_card, member.certificate, member.my_number_card
        if card is not None and card.enrolled_on not in (None, member.enrolled_on):
            seen["re-enrolment"] += 1
        if mn is not None and mn.registration_cancelled_on is not None and mn.registration_cancelled_on > transition_end:
            seen["late target"] += 1
        if certificate is not None and abolished <= certificate.issued_on <= transition_end:
            seen["certificate issued before the paper card ends"] += 1
        if certificate is not None and certificate.takes_effect_on is not None:
            seen["certificate taking effect later"] += 1
        if certificate is not None and member.loss_on is not None and abs((member.loss_on - certificate.issued_on).days) <= 60:
            seen["loss date near the issue"] += 1

    sample()
    for situation in ("re-enrolment", "late target", "certificate issued before the paper card ends",
                      "certificate taking effect later", "loss date near the issue"):
        assert seen[situation] >= seen["members"] // 50, (situation, seen)
