"""Property tests of a toy insurer system (my_system.py) against hokensho-rules.

Each test generates members or whole memberships with ``hokensho_rules.testing`` and
checks that our system says what the rules say. Run: ``pytest examples/downstream_tests``.
"""

from __future__ import annotations

from datetime import date

import my_system
from hypothesis import given, settings

import hokensho_rules as hr
from hokensho_rules.testing import evaluation_dates, members, memberships

BOOK = hr.Rulebook.load()
SNAPSHOT = date(2024, 9, 12)  # who is on the roll for the initial mailing of the notices
SHIPPED = date(2024, 10, 23)  # and the day it leaves
# Evaluating the rules takes a few milliseconds; the first call in a process, more.
rules_settings = settings(max_examples=40, deadline=None)


def test_our_copies_of_the_law_are_the_rulebooks() -> None:
    params = BOOK.params_on(SHIPPED)
    assert my_system.CERTIFICATES_FROM == params["paper_card_abolished_on"]
    assert my_system.CERTIFICATE_YEARS == params["certificate_max_years"]
    assert my_system.HOUSEHOLD_ENVELOPE_LIMIT == params["household_envelope_max_members"]


@rules_settings
@given(members(), evaluation_dates(BOOK))
def test_we_call_a_member_eligible_when_the_rules_do(member: hr.Member, on: date) -> None:
    assert my_system.eligible(member, on) == (BOOK.evaluate(member, on)["member.eligible"].outcome == "yes")


@rules_settings
@given(members(certificate=True), evaluation_dates(BOOK, start=date(2024, 12, 1)))
def test_we_print_the_validity_the_rules_give(member: hr.Member, on: date) -> None:
    validity = BOOK.evaluate(member, on)["certificate.validity"]
    ours = my_system.certificate_validity(hr.as_known_on(member, on))  # what our records held that day
    if validity.outcome == "period":
        assert ours == (validity.data["valid_from"], validity.data["valid_until"])
    elif validity.outcome == "none":  # the rules see a certificate only from the day it is issued
        assert member.certificate is not None and member.certificate.issued_on > on
    else:
        assert validity.outcome == "invalid" and ours is None


@rules_settings
@given(memberships(max_size=16, eligible_on=SNAPSHOT))
def test_we_pack_the_initial_mailing_as_the_rules_plan_it(people: list[hr.Member]) -> None:
    plan = hr.plan_mailing(people, BOOK, on=SHIPPED, mailing="initial")
    mailed = {m.id for m in people} - {row.member_id for row in plan.left_out}
    ours = my_system.envelopes(m for m in people if m.id in mailed)
    assert ours == sorted(envelope.member_ids for envelope in plan.envelopes)

