"""Independent review of issue 17: scenarios the YAML case format cannot express.

Written from the rule index (``rules/seed/index.yaml``) (X-1 … X-23, B-1 … B-7) and the seed alone, using only the
public API (``hokensho_rules``, ``hokensho_rules.membership.files``, the CLI). Every
expected value was computed by hand from the rules; none was copied from the library.
Each test's docstring names the rulings it checks. ``SEED`` is the seed document alone,
``IN_FORCE`` the seed with every Part B pack.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import hokensho_rules as hr
from hokensho_rules.membership.files import read_members

D = date
RETURNS = {"paper_card.must_return", "certificate.must_return"}


@cache
def book(name: str) -> hr.Rulebook:
    """``seed``: the seed alone; ``in_force``: the seed and every amendment pack."""
    return hr.Rulebook.load(["seed"]) if name == "seed" else hr.Rulebook.load()


BOOKS = ["seed", "in_force"]


def days(start: date, end: date, step: int = 1) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=step)


def rows_of(actions: hr.ActionList, member_id: str) -> list[hr.Action]:
    return [a for a in actions.rows if a.member_id == member_id]


def as_known_on(member: hr.Member, day: date) -> hr.Member:
    """X-17, written by the reviewer from the rule index: remove every event dated after ``day``.

    Scheduled dates (the loss date, a document's printed expiry or first valid day, the
    date printed on the paper card) stay: they are known in advance.
    """

    def later(value: date | None) -> bool:
        return value is not None and value > day

    def clear(model: Any, *fields: str) -> Any:
        return model.model_copy(update={f: None for f in fields if later(getattr(model, f))})

    update: dict[str, Any] = {}
    for field in ("insurer_registered_on", "enrolment_notified_on", "details_changed_on", "notice_sent_on"):
        if later(getattr(member, field)):
            update[field] = None
    pc = member.paper_card
    if pc is not None:
        update["paper_card"] = None if later(pc.issued_on) else clear(pc, "lost_on", "returned_on")
    cert = member.certificate
    if cert is not None:
        update["certificate"] = None if later(cert.issued_on) else clear(cert, "returned_on")
    card = member.my_number_card
    if card is not None:
        card = clear(card, "registration_cancelled_on", "returned_on", "suspended_on")
        if later(card.registered_for_insurance_on):
            card = card.model_copy(update={"registered_for_insurance_on": None, "registration_cancelled_on": None})
        update["my_number_card"] = card
    if later(member.requests.certificate_for_circumstances_on):
        update["requests"] = member.requests.model_copy(update={"certificate_for_circumstances_on": None})
    ab = member.abroad
    if ab is not None:
        update["abroad"] = None if later(ab.departed_on) else clear(ab, "continuation_done_on")
    return hr.Member.model_validate({**member.model_dump(), **{k: (v.model_dump() if hasattr(v, "model_dump") else v) for k, v in update.items()}})


# ---------------------------------------------------------------- histories used below

def history_request_on_form() -> hr.Member:
    """X-17's example: asked on the enrolment form 2025-04-01, issued 2025-04-20."""
    return hr.Member(
        id="H1", kind="insured", enrolled_on=D(2025, 4, 1), employer="E1", my_number_held=True,
        enrolment_notified_on=D(2025, 3, 25), requests=hr.Requests(certificate_on_enrolment_form=True),
        certificate=hr.Certificate(issued_on=D(2025, 4, 20)), notice_sent_on=D(2025, 4, 3),
    )


def history_long_member() -> hr.Member:
    """Enrolled 2019; paper card; card registered 2022; details change 2025-07-10; registration
    cancelled 2026-02-15; certificate issued 2026-02-20; leaves 2026-09-01; returns the
    certificate 2026-09-04."""
    return hr.Member(
        id="H2", kind="insured", enrolled_on=D(2019, 4, 1), loss_on=D(2026, 9, 1), employer="E1",
        my_number_held=True, insurer_registered_on=D(2021, 10, 20), notice_sent_on=D(2024, 10, 23),
        details_changed_on=D(2025, 7, 10), paper_card=hr.PaperCard(issued_on=D(2019, 4, 1)),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10), registration_cancelled_on=D(2026, 2, 15)),
        certificate=hr.Certificate(issued_on=D(2026, 2, 20), returned_on=D(2026, 9, 4)),
    )


def history_abroad() -> hr.Member:
    """Dependant; card registered 2022; moved abroad 2025-01-10 without continuation; a new card
    applied for from abroad registered 2025-06-01 (X-19); asked for a certificate 2026-03-01 (EC-3)."""
    return hr.Member(
        id="H3", kind="dependant", enrolled_on=D(2018, 4, 1), employer="E1", household="F3",
        my_number_held=True, insurer_registered_on=D(2021, 10, 20), notice_sent_on=D(2024, 10, 23),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2025, 6, 1)),
        abroad=hr.Abroad(departed_on=D(2025, 1, 10), japanese_national=True),
        requests=hr.Requests(certificate_for_circumstances_on=D(2026, 3, 1)),
    )


def history_re_enrolled() -> hr.Member:
    """Left an earlier membership, re-enrolled 2025-04-01 with the old paper card (X-7); notified
    late on 2025-04-09; My Number card registered 2025-05-01, insurer registered 2025-04-10;
    electronic certificate expires 2026-02-15 (B-4 grace to 2026-05-31)."""
    return hr.Member(
        id="H4", kind="insured", enrolled_on=D(2025, 4, 1), employer="E2", my_number_held=True,
        enrolment_notified_on=D(2025, 4, 9), insurer_registered_on=D(2025, 4, 10),
        paper_card=hr.PaperCard(issued_on=D(2015, 4, 1), enrolled_on=D(2015, 4, 1)),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2025, 5, 1), certificate_expires_on=D(2026, 2, 15)),
    )


def history_voluntary() -> hr.Member:
    """Voluntary continuation insured from 2025-10-01; card lost (suspended) 2026-01-10; asked
    for a certificate 2026-01-12, issued 2026-01-20; leaves 2026-04-28 (Tuesday)."""
    return hr.Member(
        id="H5", kind="insured", enrolled_on=D(2025, 10, 1), loss_on=D(2026, 4, 28), voluntary_continuation=True,
        my_number_held=True, insurer_registered_on=D(2025, 10, 2), notice_sent_on=D(2025, 10, 5),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10), suspended_on=D(2026, 1, 10)),
        requests=hr.Requests(certificate_for_circumstances_on=D(2026, 1, 12)),
        certificate=hr.Certificate(issued_on=D(2026, 1, 20)),
    )


HISTORIES = [history_request_on_form, history_long_member, history_abroad, history_re_enrolled, history_voluntary]


# ---------------------------------------------------------------- X-17 the day is now

@pytest.mark.parametrize("which", BOOKS)
@pytest.mark.parametrize("history", HISTORIES, ids=lambda h: h.__name__)
def test_x17_every_question_sees_only_the_past(which: str, history: Any) -> None:
    """X-17 (and X-5): evaluate(M, D) equals evaluate(M as known on D, D) for every question,
    on every fourth day of each history, under both rulebooks."""
    member, rulebook = history(), book(which)
    diffs: dict[str, list[str]] = {}
    for day in days(D(2024, 11, 1), D(2026, 10, 1), 4):
        full = rulebook.evaluate(member, day).outcomes()
        known = rulebook.evaluate(as_known_on(member, day), day).outcomes()
        for q in known:
            if full.get(q) != known[q]:
                diffs.setdefault(q, []).append(f"{day}: {full.get(q)} (as known: {known[q]})")
    assert not diffs, "\n".join(f"{q}: {len(v)} days, first {v[0]}, last {v[-1]}" for q, v in diffs.items())


@pytest.mark.parametrize("which", BOOKS)
@pytest.mark.parametrize("history", HISTORIES, ids=lambda h: h.__name__)
def test_x17_the_action_list_sees_only_the_past(which: str, history: Any) -> None:
    """X-17: the action list on D is that of the member as known on D (every 7th day)."""
    member, rulebook = history(), book(which)
    diffs = []
    for day in days(D(2024, 11, 1), D(2026, 10, 1), 7):
        full = sorted((a.need, a.verdict.outcome, str(a.due)) for a in rulebook.actions([member], day).rows)
        known = sorted((a.need, a.verdict.outcome, str(a.due)) for a in rulebook.actions([as_known_on(member, day)], day).rows)
        if full != known:
            diffs.append(f"{day}: {full} != as known {known}")
    assert not diffs, "\n".join(diffs[:10])


@pytest.mark.parametrize("which", BOOKS)
def test_x17_timeline_of_the_example(which: str) -> None:
    """X-17's example: the request on the enrolment form is open from 2025-04-01 to 2025-04-19
    (on_enrolment_request), the certificate met it on 2025-04-20 (X-5)."""
    tl = book(which).timeline(history_request_on_form(), D(2025, 4, 1), D(2025, 5, 31))
    assert tl.at(D(2025, 4, 1))["certificate.issuance"].outcome == "on_enrolment_request"
    assert tl.at(D(2025, 4, 19))["certificate.issuance"].outcome == "on_enrolment_request"
    assert tl.at(D(2025, 4, 20))["certificate.issuance"].outcome == "none"
    assert tl.at(D(2025, 4, 10))["coverage.route"].outcome == "gap_requested_certificate"


@pytest.mark.parametrize("which", BOOKS)
def test_x17_timeline_day_by_day_equals_as_known_on(which: str) -> None:
    """X-17: a timeline is the same property day by day (history H2 over 2025-06 … 2026-10)."""
    member, rulebook = history_long_member(), book(which)
    tl = rulebook.timeline(member, D(2025, 6, 1), D(2026, 10, 1))
    diffs: dict[str, list[str]] = {}
    for day in days(D(2025, 6, 1), D(2026, 10, 1), 5):
        known = rulebook.evaluate(as_known_on(member, day), day).outcomes()
        at = tl.at(day)
        for q in known:
            if q in at and at[q].outcome != known[q]:
                diffs.setdefault(q, []).append(f"{day}: timeline {at[q].outcome}, as known {known[q]}")
    assert not diffs, "\n".join(f"{q}: {len(v)} days, first {v[0]}, last {v[-1]}" for q, v in diffs.items())


@pytest.mark.parametrize("which", BOOKS)
def test_x17_action_list_of_the_example_holds_the_open_request(which: str) -> None:
    """X-17, X-5, X-16: on 2025-04-10 the example member's action list has the issuance on
    enrolment (one row, a coverage gap) and on 2025-04-25 none."""
    member = history_request_on_form()
    rows = [a for a in rows_of(book(which).actions([member], D(2025, 4, 10)), "H1") if a.need == "certificate.issuance" or a.need == "coverage.route"]
    assert [(a.need, a.verdict.outcome) for a in rows] == [("certificate.issuance", "on_enrolment_request")]
    assert rows[0].gap
    later = rows_of(book(which).actions([member], D(2025, 4, 25)), "H1")
    assert not [a for a in later if a.need == "certificate.issuance"]


# ---------------------------------------------------------------- X-2 nothing without eligibility

@pytest.mark.parametrize("which", BOOKS)
def test_x2_after_loss_the_list_holds_only_returns(which: str) -> None:
    """X-2: enrolled 2025-04-01, left 2025-04-10, never notified, My Number not held: on
    2025-04-15 no My Number chase, no employer chased, no issuance, no notice."""
    member = hr.Member(id="L1", kind="insured", enrolled_on=D(2025, 4, 1), loss_on=D(2025, 4, 10), employer="E1",
                       requests=hr.Requests(certificate_on_enrolment_form=True))
    rows = rows_of(book(which).actions([member], D(2025, 4, 15)), "L1")
    assert [a.need for a in rows if a.need not in RETURNS] == []


def test_x2_after_loss_in_force_only_the_certificate_return() -> None:
    """X-2, X-18, B-7, PC-6: left 2026-06-01 holding a certificate and an old paper card, My
    Number not held: on 2026-06-02 the list holds the certificate's return only (a paper card
    of a loss after 2025-12-01 is not returned, Q2)."""
    member = hr.Member(id="L2", kind="insured", enrolled_on=D(2020, 4, 1), loss_on=D(2026, 6, 1), employer="E1",
                       paper_card=hr.PaperCard(issued_on=D(2020, 4, 1)), certificate=hr.Certificate(issued_on=D(2025, 12, 10)))
    rows = rows_of(book("in_force").actions([member], D(2026, 6, 2)), "L2")
    assert sorted(a.need for a in rows) == ["certificate.must_return"]


def test_x2_after_loss_seed_only_the_paper_card_return() -> None:
    """X-2, PC-6: left 2025-11-15 with a paper card, My Number not held, no card: on 2025-11-20
    the seed's list holds the paper card's return only."""
    member = hr.Member(id="L3", kind="insured", enrolled_on=D(2020, 4, 1), loss_on=D(2025, 11, 15), employer="E1",
                       paper_card=hr.PaperCard(issued_on=D(2020, 4, 1)))
    rows = rows_of(book("seed").actions([member], D(2025, 11, 20)), "L3")
    assert sorted(a.need for a in rows) == ["paper_card.must_return"]


@pytest.mark.parametrize("which", BOOKS)
@pytest.mark.parametrize("history", HISTORIES, ids=lambda h: h.__name__)
def test_x2_every_day_without_eligibility_only_returns(which: str, history: Any) -> None:
    """X-2: on every day without eligibility (before enrolment or from the loss date) the
    action list holds only returns."""
    member = history()
    bad = []
    for day in days(D(2024, 11, 1), D(2026, 12, 31), 6):
        if member.enrolled_on <= day and (member.loss_on is None or day < member.loss_on):
            continue
        bad += [f"{day}: {a.need} {a.verdict.outcome}" for a in rows_of(book(which).actions([member], day), member.id) if a.need not in RETURNS]
    assert not bad, "\n".join(bad[:10])


@pytest.mark.parametrize("which", BOOKS)
def test_x2_a_member_who_left_before_the_shipping_is_not_in_the_initial_mailing(which: str) -> None:
    """X-2, X-15, EN-1: on the roll on the snapshot 2024-09-12 but left on 2024-10-01, before the
    notices are shipped on 2024-10-23: no place in the mailing; another member stays in it."""
    gone = hr.Member(id="G1", kind="insured", enrolled_on=D(2015, 4, 1), loss_on=D(2024, 10, 1), employer="E1", my_number_held=True, household="F1")
    stays = hr.Member(id="G2", kind="insured", enrolled_on=D(2015, 4, 1), employer="E1", my_number_held=True, household="F2")
    plan = hr.plan_mailing([gone, stays], book(which), on=D(2024, 10, 23), mailing="initial")
    mailed = {m for e in plan.envelopes for m in e.member_ids}
    assert mailed == {"G2"}
    assert [x.member_id for x in plan.left_out] == ["G1"]


@pytest.mark.parametrize("which", BOOKS)
def test_x2_no_place_in_the_later_batch_after_loss(which: str) -> None:
    """X-2, EN-3, X-15: enrolled 2024-10-01 (after the snapshot), left 2024-11-01: not in the
    later batch planned on 2024-11-15; listed apart."""
    gone = hr.Member(id="G3", kind="insured", enrolled_on=D(2024, 10, 1), loss_on=D(2024, 11, 1), employer="E1", my_number_held=True)
    stays = hr.Member(id="G4", kind="insured", enrolled_on=D(2024, 10, 1), employer="E1", my_number_held=True)
    plan = hr.plan_mailing([gone, stays], book(which), on=D(2024, 11, 15), mailing="later_batch")
    assert {m for e in plan.envelopes for m in e.member_ids} == {"G4"}
    assert "G3" in {x.member_id for x in plan.left_out}


# ---------------------------------------------------------------- X-3 no action overdue on its first day

FIRST_DAYS: list[tuple[str, str, hr.Member, date]] = [
    ("seed", "paper card lost", hr.Member(id="F1", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1",
                                          paper_card=hr.PaperCard(issued_on=D(2020, 4, 1), lost_on=D(2025, 5, 1))), D(2025, 5, 1)),
    ("in_force", "details changed", hr.Member(id="F2", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", details_changed_on=D(2025, 7, 10),
                                              my_number_held=True, notice_sent_on=D(2024, 10, 23), paper_card=hr.PaperCard(issued_on=D(2020, 4, 1))), D(2025, 7, 10)),
    ("seed", "never issued a card, 2024-12-02", hr.Member(id="F3", kind="insured", enrolled_on=D(2024, 6, 1), employer="E1",
                                                          enrolment_notified_on=D(2024, 6, 3)), D(2024, 12, 2)),
    ("in_force", "grace ended", hr.Member(id="F4", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True,
                                          insurer_registered_on=D(2021, 4, 1), notice_sent_on=D(2024, 10, 23),
                                          my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10), certificate_expires_on=D(2025, 8, 31))), D(2025, 12, 1)),
    ("in_force", "registration cancelled by a 2025 enrolee", hr.Member(
        id="F5", kind="insured", enrolled_on=D(2025, 3, 1), employer="E1", my_number_held=True, enrolment_notified_on=D(2025, 3, 1),
        insurer_registered_on=D(2025, 3, 3), notice_sent_on=D(2025, 3, 5),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10), registration_cancelled_on=D(2026, 2, 15))), D(2026, 2, 15)),
    ("seed", "card abolished abroad", hr.Member(id="F6", kind="dependant", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True,
                                                insurer_registered_on=D(2021, 4, 1), notice_sent_on=D(2024, 10, 23),
                                                my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10)),
                                                abroad=hr.Abroad(departed_on=D(2025, 6, 1), japanese_national=True)), D(2025, 6, 1)),
    ("seed", "card returned", hr.Member(id="F7", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True,
                                        insurer_registered_on=D(2021, 4, 1), notice_sent_on=D(2024, 10, 23),
                                        my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10), returned_on=D(2025, 5, 20))), D(2025, 5, 20)),
    ("seed", "eligibility gained", hr.Member(id="F8", kind="dependant", enrolled_on=D(2025, 4, 1), employer="E1", my_number_held=True,
                                             requests=hr.Requests(certificate_on_enrolment_form=True)), D(2025, 4, 1)),
    ("in_force", "eligibility gained", hr.Member(id="F9", kind="insured", enrolled_on=D(2026, 6, 1), employer="E1", my_number_held=True,
                                                 requests=hr.Requests(certificate_on_enrolment_form=True)), D(2026, 6, 1)),
]


@pytest.mark.parametrize(("which", "what", "member", "day"), FIRST_DAYS, ids=[f"{w}-{x}" for w, x, _, _ in FIRST_DAYS])
def test_x3_nothing_overdue_on_the_day_it_first_appears(which: str, what: str, member: hr.Member, day: date) -> None:
    """X-3: on the day a duty arises (card lost, details changed, 2024-12-02 for a member never
    issued a card, grace ended, registration cancelled, card abolished abroad, card returned,
    eligibility gained) the issuance is on the list, and no action is overdue."""
    rows = rows_of(book(which).actions([member], day), member.id)
    assert [a.need for a in rows if a.overdue] == []
    if what != "eligibility gained":
        assert [a.verdict.outcome for a in rows if a.need == "certificate.issuance"] == ["ex_officio"]


@pytest.mark.parametrize("which", BOOKS)
@pytest.mark.parametrize("history", HISTORIES, ids=lambda h: h.__name__)
def test_x3_no_action_is_overdue_on_the_first_day_it_appears(which: str, history: Any) -> None:
    """X-3 as a property of the reviewer's histories: a row absent on D-1 is not overdue on D."""
    member, rulebook = history(), book(which)
    previous: set[tuple[str, str]] = set()
    bad = []
    for day in days(D(2024, 11, 1), D(2026, 10, 1)):
        rows = rows_of(rulebook.actions([member], day), member.id)
        bad += [f"{day}: {a.need} {a.verdict.outcome} due {a.due}" for a in rows if a.overdue and (a.need, a.verdict.outcome) not in previous]
        previous = {(a.need, a.verdict.outcome) for a in rows}
    assert not bad, "\n".join(bad[:10])


# ---------------------------------------------------------------- X-16 one need, one row

def test_x16_a_gap_closed_by_issuing_is_one_row() -> None:
    """X-16, X-3: a member whose paper card was lost on 2025-05-01 has one row for the ex officio
    certificate on 2025-05-10, marked as a coverage gap."""
    member = FIRST_DAYS[0][2]
    rows = rows_of(book("seed").actions([member], D(2025, 5, 10)), "F1")
    issuing = [a for a in rows if a.need in ("certificate.issuance", "coverage.route")]
    assert len(issuing) == 1 and issuing[0].gap and issuing[0].verdict.outcome == "ex_officio"


# ---------------------------------------------------------------- X-18 collected on loss (action list)

def test_x18_certificate_that_never_took_effect_is_on_the_list() -> None:
    """X-18, B-7, X-6: issued 2025-10-01 to take effect 2025-12-02, the member left 2025-11-15:
    on 2025-11-20 both the paper card (PC-6) and the certificate are to be collected."""
    member = hr.Member(id="C1", kind="insured", enrolled_on=D(2020, 4, 1), loss_on=D(2025, 11, 15), employer="E1",
                       paper_card=hr.PaperCard(issued_on=D(2020, 4, 1)),
                       certificate=hr.Certificate(issued_on=D(2025, 10, 1), takes_effect_on=D(2025, 12, 2)))
    needs = sorted(a.need for a in rows_of(book("in_force").actions([member], D(2025, 11, 20)), "C1"))
    assert needs == ["certificate.must_return", "paper_card.must_return"]


@pytest.mark.parametrize(("loss", "due"), [(D(2026, 4, 28), D(2026, 5, 7)), (D(2025, 12, 26), D(2026, 1, 5)), (D(2026, 6, 1), D(2026, 6, 8))])
def test_x21_a_direct_return_within_5_days_ends_on_a_working_day(loss: date, due: date) -> None:
    """X-21, B-7, X-10, X-18: a voluntary continuation insured returns the certificate within 5
    days of the loss date (day itself not counted): 2026-04-28 → 05-03 (Sunday, Constitution
    Day; 05-04, 05-05, 05-06 holidays) → 2026-05-07; 2025-12-26 → 12-31 (year-end) → 2026-01-05
    (01-04 is a Sunday); 2026-06-01 → 06-06 (Saturday) → 2026-06-08."""
    member = hr.Member(id="V1", kind="insured", enrolled_on=D(2025, 10, 1), loss_on=loss, voluntary_continuation=True,
                       certificate=hr.Certificate(issued_on=D(2025, 10, 20)))
    rows = [a for a in rows_of(book("in_force").actions([member], loss), "V1") if a.need == "certificate.must_return"]
    assert [a.due for a in rows] == [due]
    assert not rows[0].overdue


# ---------------------------------------------------------------- X-20 an EC-3 request is on the list

def _card_holder(**extra: Any) -> hr.Member:
    base: dict[str, Any] = dict(id="Q1", kind="dependant", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True,
                                insurer_registered_on=D(2021, 4, 1), notice_sent_on=D(2024, 10, 23),
                                my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10)),
                                requests=hr.Requests(certificate_for_circumstances_on=D(2026, 2, 1)))
    return hr.Member(**{**base, **extra})


@pytest.mark.parametrize("which", BOOKS)
def test_x20_request_for_circumstances_is_on_the_list_while_the_card_is_usable(which: str) -> None:
    """X-20, EC-3, B-3: a usable My Number insurance card and a request of 2026-02-01: the
    issuance on request is on the list on 2026-02-01 and 2026-02-10 (not overdue on its day)."""
    for day in (D(2026, 2, 1), D(2026, 2, 10)):
        rows = [a for a in rows_of(book(which).actions([_card_holder()], day), "Q1") if a.need == "certificate.issuance"]
        assert [a.verdict.outcome for a in rows] == ["on_request"], day
    first = [a for a in rows_of(book(which).actions([_card_holder()], D(2026, 2, 1)), "Q1") if a.need == "certificate.issuance"]
    assert not first[0].overdue


@pytest.mark.parametrize("which", BOOKS)
def test_x20_request_leaves_the_list_once_met(which: str) -> None:
    """X-20, X-5: the certificate issued 2026-02-15 meets the request; on 2026-02-20 no issuance row."""
    member = _card_holder(certificate=hr.Certificate(issued_on=D(2026, 2, 15)))
    assert not [a for a in rows_of(book(which).actions([member], D(2026, 2, 20)), "Q1") if a.need == "certificate.issuance"]


@pytest.mark.parametrize("which", BOOKS)
def test_x4_x5_requested_certificate_is_not_renewed_without_a_new_request(which: str) -> None:
    """X-4, X-5: a certificate asked for under EC-3 is renewed only on a new request: in its
    renewal window (2030-12-16, 60 days before its last day 2031-02-14) nothing is issued."""
    member = _card_holder(certificate=hr.Certificate(issued_on=D(2026, 2, 15)))
    assert book(which).evaluate(member, D(2030, 12, 16))["certificate.issuance"].outcome == "none"


# ---------------------------------------------------------------- X-13 do not chase the past

@pytest.mark.parametrize("which", BOOKS)
def test_x13_no_chase_of_old_notifications_anywhere(which: str) -> None:
    """X-13: members enrolled 2010 and 2024-11-20 (deadlines before 2024-12-02) with no receipt
    day recorded: no row asks the employer, on any day of 2025-2026."""
    old = [hr.Member(id="N1", kind="insured", enrolled_on=D(2010, 4, 1), employer="E1", my_number_held=True, notice_sent_on=D(2024, 10, 23)),
           hr.Member(id="N2", kind="dependant", enrolled_on=D(2024, 11, 20), employer="E1", my_number_held=True, notice_sent_on=D(2024, 12, 20))]
    bad = []
    for day in days(D(2024, 12, 2), D(2026, 12, 1), 30):
        bad += [f"{day} {a.member_id} {a.need}" for a in book(which).actions(old, day).rows if a.need.startswith("enrolment_notification")]
        for m in old:
            verdicts = book(which).evaluate(m, day)
            assert verdicts["enrolment_notification.status"].outcome != "overdue", (day, m.id)
    assert not bad, bad[:5]


@pytest.mark.parametrize("which", BOOKS)
def test_x13_x21_a_missing_notification_is_chased_only_after_the_moved_deadline(which: str) -> None:
    """X-13, X-21, X-3: enrolled 2025-04-01, no notification: deadline 04-06 is a Sunday → 04-07.
    No employer chase on 2025-04-07; a chase (not overdue on its first day) from 2025-04-08."""
    member = hr.Member(id="N3", kind="insured", enrolled_on=D(2025, 4, 1), employer="E1", my_number_held=True)
    on_7 = [a for a in rows_of(book(which).actions([member], D(2025, 4, 7)), "N3") if a.need == "enrolment_notification.status"]
    on_8 = [a for a in rows_of(book(which).actions([member], D(2025, 4, 8)), "N3") if a.need == "enrolment_notification.status"]
    assert on_7 == []
    assert len(on_8) == 1 and not on_8[0].overdue


# ---------------------------------------------------------------- X-21 explanation says the deadline moved

@pytest.mark.parametrize(("lang", "words"), [("en", ("Sunday", "Saturday", "weekend", "working day", "business day", "holiday", "day off", "year-end")), ("ja", ("日曜", "土曜", "休日", "祝日", "年末"))])
def test_x21_explanation_says_when_and_why_the_deadline_moved(lang: str, words: tuple[str, ...]) -> None:
    """X-21: the explanation of the notification deadline for enrolment on 2025-04-01 says it was
    moved from 2025-04-06 (Sunday) to the next working day 2025-04-07."""
    member = hr.Member(id="N4", kind="insured", enrolled_on=D(2025, 4, 1), employer="E1", my_number_held=True)
    text = book("seed").evaluate(member, D(2025, 4, 2)).explain(lang, question="enrolment_notification.due")
    assert any(w in text for w in words), text
    assert ("2025-04-07" in text) if lang == "en" else ("令和7年4月7日" in text), text


def test_x21_days_off_include_the_year_end_as_a_parameter() -> None:
    """X-21: the year-end days (12-29 .. 01-03) and the switch are parameters in rules/."""
    names = " ".join(book("seed").parameters)
    assert re.search(r"year_end|working|holiday|day_off|days_off|business|closed|rest_day|next_open", names), names


# ---------------------------------------------------------------- X-23 explanations say what is so

def _members_for_words() -> list[tuple[hr.Member, date]]:
    return [(history_request_on_form(), D(2025, 4, 10)), (history_long_member(), D(2026, 3, 1)),
            (history_abroad(), D(2026, 3, 5)), (history_re_enrolled(), D(2026, 3, 1)), (history_voluntary(), D(2026, 5, 1)),
            (hr.Member(id="W1", kind="insured", enrolled_on=D(2020, 4, 1)), D(2025, 6, 1))]


@pytest.mark.parametrize("which", BOOKS)
def test_x23_absent_documents_read_none_not_not_known(which: str) -> None:
    """X-23: a document or date the member does not have reads "none" (がない), never "not known"."""
    for member, day in _members_for_words():
        text = book(which).evaluate(member, day).explain("en", detail="full")
        assert "not known" not in text, (member.id, [l for l in text.splitlines() if "not known" in l][:3])


@pytest.mark.parametrize("which", BOOKS)
def test_x23_absent_values_are_not_said_to_be_unset(which: str) -> None:
    """X-23 (doubtful wording): an absent date reads "none", not "is not set"."""
    for member, day in _members_for_words():
        text = book(which).evaluate(member, day).explain("en", detail="full")
        assert "is not set" not in text, (member.id, [l for l in text.splitlines() if "is not set" in l][:3])


def test_x23_a_failed_condition_is_stated_as_what_is_true() -> None:
    """X-23's own example: a member who did not ask on the enrolment form reads "the certificate
    was not asked for on the enrolment form", never a false sentence such as "… (no) is yes"."""
    member = hr.Member(id="W2", kind="insured", enrolled_on=D(2025, 4, 1), employer="E1")
    text = book("seed").evaluate(member, D(2025, 4, 10)).explain("en", question="certificate.issuance")
    ec2 = [line for line in text.splitlines() if "EC-2" in line]
    assert ec2 and "(no) is yes" not in ec2[0], ec2
    assert "not asked" in ec2[0], ec2


@pytest.mark.parametrize("which", BOOKS)
def test_x23_not_so_lines_do_not_state_the_false_condition(which: str) -> None:
    """X-23: a rule that did not apply is explained by the true fact. A line reading
    "not so: “Q” is “A”" where the decision's answer to Q is not A states a false sentence."""
    for member, day in _members_for_words():
        decision = book(which).evaluate(member, day)
        text = decision.explain("en", detail="full")
        assert not re.search(r"not so: “[^”]+” is “[^”]+”", text), (member.id, re.findall(r"not so: “[^”]+” is “[^”]+”", text)[:3])


@pytest.mark.parametrize("which", BOOKS)
def test_x1_x23_set_aside_lists_only_rules_that_answered_differently(which: str) -> None:
    """X-23, X-1: every rule a verdict lists as set aside gives another outcome than the winner."""
    bad = []
    for member, day in _members_for_words():
        for q, v in book(which).evaluate(member, day).items():
            bad += [f"{member.id} {q}: {r.id} → {r.outcome}" for r in v.overridden if r.outcome == v.outcome]
    assert not bad, bad[:10]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_x23_with_a_counter_the_first_line_answers_the_counter(lang: str) -> None:
    """X-23: with a counter situation, the first line of the explanation says what the patient
    may show there (e.g. that the notice with the card is accepted during a power cut)."""
    member = hr.Member(id="W3", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True,
                       notice_sent_on=D(2024, 10, 23), insurer_registered_on=D(2021, 4, 1),
                       my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2022, 1, 10)))
    situation = hr.Situation(online_verification=True, smartphone=False, power_cut=True)
    first = book("in_force").evaluate(member, D(2026, 3, 1), situation=situation).explain(lang).strip().splitlines()[0]
    assert (("accept" in first) if lang == "en" else ("受診" in first)), first


def test_x23_every_label_of_the_japanese_explanation_is_japanese() -> None:
    """X-23: every label in the reader's language: the Japanese explanation holds no English
    label words (rule, because, source, yes, no, none, not known, set aside)."""
    for member, day in _members_for_words():
        text = book("in_force").evaluate(member, day).explain("ja", detail="full")
        words = re.findall(r"(?<![\w.-])(rule|because|source|yes|no|none|not known|not so|set aside|is not set)(?![\w.-])", text)
        assert not words, (member.id, words[:5])


def test_x23_every_label_of_the_english_explanation_is_english() -> None:
    """X-23: the English explanation holds no Japanese outside the seed's cited section names."""
    for member, day in _members_for_words():
        text = book("in_force").evaluate(member, day).explain("en", detail="full")
        for line in text.splitlines():
            bare = re.sub(r"\(source:.*?\)\s*$", "", line)
            assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", bare), (member.id, line)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("which", BOOKS)
def test_x23_one_screen_for_any_single_member(which: str, lang: str) -> None:
    """X-23 / issue 17 point 6: a single member's summary explanation fits one screen (≤ 25 lines)."""
    for member, day in _members_for_words():
        text = book(which).evaluate(member, day).explain(lang)
        assert len(text.splitlines()) <= 25, (member.id, len(text.splitlines()))


# ---------------------------------------------------------------- X-22 files say what the model says

COLUMNS = [
    "id", "kind", "enrolled_on", "loss_on", "voluntary_continuation", "my_number_held", "insurer_registered_on", "employer",
    "household", "enrolment_notified_on", "details_changed_on", "notice_sent_on", "paper_card.issued_on", "paper_card.enrolled_on",
    "paper_card.expires_on", "paper_card.lost_on", "paper_card.returned_on", "my_number_card.registered_for_insurance_on",
    "my_number_card.registration_cancelled_on", "my_number_card.certificate_expires_on", "my_number_card.returned_on",
    "my_number_card.suspended_on", "certificate.issued_on", "certificate.takes_effect_on", "certificate.expires_on",
    "certificate.returned_on", "requests.certificate_on_enrolment_form", "requests.certificate_for_circumstances_on",
    "abroad.departed_on", "abroad.japanese_national", "abroad.continuation_done_on",
]


NESTED = {"paper_card": hr.PaperCard, "my_number_card": hr.MyNumberCard, "certificate": hr.Certificate,
          "abroad": hr.Abroad, "requests": hr.Requests}


def _flat(member: hr.Member, columns: list[str]) -> dict[str, Any]:
    """A member as one file row. A column naming a document itself (``my_number_card``) or a
    field the model does not have under it (e.g. ``my_number_card.held``) is read as a flag
    saying the document is held, so a later version's new presence column is filled too."""
    data = member.model_dump()
    row: dict[str, Any] = {}
    for col in columns:
        head, _, leaf = col.partition(".")
        if head in NESTED and (not leaf or leaf not in NESTED[head].model_fields):
            row[col] = data[head] is not None
            continue
        value: Any = data
        for part in col.split("."):
            value = None if value is None else value.get(part)
        row[col] = value
    return row


def _columns_of_this_version() -> list[str]:
    out = subprocess.run([sys.executable, "-m", "hokensho_rules.cli", "columns"], capture_output=True, text=True)
    if out.returncode != 0:
        out = subprocess.run([str(Path(sys.executable).with_name("hokensho-rules")), "columns"], capture_output=True, text=True)
    names = [line.split()[0] for line in out.stdout.splitlines() if line and not line[0].isdigit() and "columns;" not in line]
    return names or COLUMNS


def _write(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    def text(v: Any) -> str:
        return "" if v is None else ("true" if v is True else "false" if v is False else str(v))
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            w.writerows([[text(r[c]) for c in columns] for r in rows])
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps({c: (r[c].isoformat() if isinstance(r[c], date) else r[c]) for c in columns}) + "\n" for r in rows), encoding="utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        table = pa.table({c: [r[c] for r in rows] for c in columns})
        pq.write_table(table, path)


ROUND_TRIP = [
    hr.Member(id="X1", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", my_number_held=True, insurer_registered_on=D(2021, 4, 1),
              my_number_card=hr.MyNumberCard()),
    hr.Member(id="X2", kind="dependant", enrolled_on=D(2018, 4, 1), employer="E1", household="F1", my_number_held=True,
              paper_card=hr.PaperCard(issued_on=D(2018, 4, 1), enrolled_on=D(2018, 4, 1), lost_on=D(2025, 5, 1)),
              certificate=hr.Certificate(issued_on=D(2025, 5, 2), takes_effect_on=D(2025, 5, 2), expires_on=D(2027, 5, 1))),
    history_request_on_form(), history_long_member(), history_abroad(), history_re_enrolled(), history_voluntary(),
    hr.Member(id="X3", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1",
              abroad=hr.Abroad(departed_on=D(2025, 1, 10), japanese_national=False)),
    hr.Member(id="X4", kind="insured", enrolled_on=D(2020, 4, 1), employer="E1", paper_card=hr.PaperCard(issued_on=D(2020, 4, 1)),
              certificate=hr.Certificate(issued_on=D(2025, 10, 1))),
]
ROUND_TRIP_DAYS = [D(2025, 6, 1), D(2025, 12, 2), D(2026, 3, 1)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_x22_every_member_round_trips_through_the_files(tmp_path: Path, suffix: str) -> None:
    """X-22: members (one holding a My Number card with no dates recorded, certificates with a
    printed first day and expiry, moves abroad, requests) written in the file columns and read
    back give identical verdicts, in CSV, JSON Lines and Parquet."""
    columns = _columns_of_this_version()
    path = tmp_path / f"members{suffix}"
    _write(path, [_flat(m, columns) for m in ROUND_TRIP], columns)
    bad = []
    for day in ROUND_TRIP_DAYS:
        with read_members(path) as table:
            results = list(hr.evaluate_many(table, day, rulebook=book("in_force"), processes=1))
        for member, result in zip(ROUND_TRIP, results, strict=True):
            assert result.ok, result
            want = {q: (v.outcome, v.rule_id) for q, v in book("in_force").evaluate(member, day).items()}
            got = {q: (a.outcome, a.rule_id) for q, a in result.answers.items()}
            bad += [f"{day} {member.id} {q}: file {got.get(q)} model {want[q]}" for q in want if got.get(q) != want[q]]
    assert not bad, "\n".join(bad[:10])


def test_x22_the_columns_command_documents_a_card_without_dates() -> None:
    """X-22, issue 17 point 5: `hokensho-rules columns` documents a way to say a My Number card is
    held with no dates recorded."""
    names = _columns_of_this_version()
    assert any(n == "my_number_card" or (n.startswith("my_number_card.") and not n.endswith("_on")) for n in names), names


# ---------------------------------------------------------------- batch, CLI and single agree

@pytest.mark.parametrize("which", BOOKS)
def test_batch_and_single_agree_on_the_histories(which: str) -> None:
    """Issue 17 7(e), X-17: evaluate_many (one process, with and without its cache) and
    Rulebook.evaluate give the same outcomes and the same actions for every history, on days
    spread over 2024-12 … 2026-10."""
    members = [h() for h in HISTORIES] + ROUND_TRIP[:2] + [m for _, _, m, _ in FIRST_DAYS]
    members = list({m.id: m for m in members}.values())
    for day in days(D(2024, 12, 1), D(2026, 10, 1), 45):
        for cache_on in (True, False):
            results = list(hr.evaluate_many(members, day, rulebook=book(which), processes=1, cache=cache_on))
            for member, result in zip(members, results, strict=True):
                want = book(which).evaluate(member, day).outcomes()
                assert {q: a.outcome for q, a in result.answers.items()} == want, (day, member.id, cache_on)
                single = sorted((a.need, a.verdict.outcome) for a in book(which).actions([member], day).rows)
                assert sorted((a.question, a.outcome) for a in result.actions) == single, (day, member.id)


def test_cli_evaluate_agrees_with_single(tmp_path: Path) -> None:
    """Issue 17 7(e): `hokensho-rules evaluate` on a CSV gives, per member, the outcome of
    certificate.issuance that Rulebook.evaluate gives (rules in force, 2025-12-02)."""
    members = [h() for h in HISTORIES] + [ROUND_TRIP[1], ROUND_TRIP[-1]]
    columns = [c for c in _columns_of_this_version()]
    src = tmp_path / "m.csv"
    _write(src, [_flat(m, columns) for m in members], columns)
    out = tmp_path / "out.csv"
    exe = Path(sys.executable).with_name("hokensho-rules")
    run = subprocess.run([str(exe), "evaluate", str(src), "--on", "2025-12-02", "-o", str(out)], capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    key = next(k for k in rows[0] if "certificate.issuance" in k and "rule" not in k)
    for member, row in zip(members, rows, strict=True):
        assert row[key] == book("in_force").evaluate(member, D(2025, 12, 2))["certificate.issuance"].outcome, member.id


# ---------------------------------------------------------------- mailing plan (ML-1 … ML-3, X-15)

def _household(n: int, household: str, employer: str | None = "E1", first: int = 0) -> list[hr.Member]:
    return [hr.Member(id=f"{household}-{i}", kind="insured" if i == 0 else "dependant", enrolled_on=D(2015, 4, 1), employer=employer,
                      household=household, my_number_held=True, voluntary_continuation=(employer is None and i == 0)) for i in range(first, first + n)]


def test_ml1_households_of_five_share_six_do_not() -> None:
    """ML-1: a household of 5 shares one envelope; in a household of 6 each member has one."""
    plan = hr.plan_mailing(_household(5, "H5") + _household(6, "H6"), book("seed"), on=D(2024, 10, 23), mailing="initial")
    assert plan.envelope_of("H5-0") == plan.envelope_of("H5-4") and plan.envelope_of("H5-0").kind == "household"
    assert len({tuple(plan.envelope_of(f"H6-{i}").member_ids) for i in range(6)}) == 6
    assert plan.envelope_of("H6-0").kind == "individual"
    assert len(plan.envelopes) == 7


@pytest.mark.parametrize(("households", "parcels"), [(100, 1), (101, 1), (300, 1), (301, 2), (601, 3)])
def test_ml2_parcels_count_envelopes(households: int, parcels: int) -> None:
    """ML-2 (envelopes, after ML-1): up to 100 envelopes in one non-standard envelope; from 101
    in boxes of up to 300 (101 → 1 box, 301 → 2, 601 → 3)."""
    members = [m for i in range(households) for m in _household(1, f"P{i}")]
    plan = hr.plan_mailing(members, book("seed"), on=D(2024, 10, 23), mailing="initial")
    mine = [p for p in plan.parcels if p.employer == "E1"]
    assert len(mine) == parcels
    kinds = {p.packaging for p in mine}
    assert len(kinds) == 1
    small = hr.plan_mailing([m for i in range(100) for m in _household(1, f"S{i}")], book("seed"), on=D(2024, 10, 23), mailing="initial")
    if households > 100:
        assert kinds != {p.packaging for p in small.parcels}


def test_ml2_two_members_of_a_household_count_one_envelope() -> None:
    """ML-2 counts envelopes (通) after ML-1: 60 households of 2 = 60 envelopes → one non-standard envelope."""
    members = [m for i in range(60) for m in _household(2, f"T{i}")]
    plan = hr.plan_mailing(members, book("seed"), on=D(2024, 10, 23), mailing="initial")
    assert len([p for p in plan.parcels if p.employer == "E1"]) == 1
    assert len(plan.envelopes) == 60


def test_ml3_x10_a_voluntary_continuation_household_is_mailed_directly() -> None:
    """ML-3, X-10, interpretation 'no employer': a voluntary continuation insured's notice goes
    directly from the insurer, not through an employer."""
    members = _household(2, "VC", employer=None)
    plan = hr.plan_mailing(members, book("seed"), on=D(2024, 10, 23), mailing="initial")
    env = plan.envelope_of("VC-0")
    assert env.route is None
    assert not [p for p in plan.parcels if any("VC-0" in e.member_ids for e in p.envelopes)]
    assert env in plan.direct or env.direct


@pytest.mark.parametrize("which", BOOKS)
def test_x15_en2_a_member_without_my_number_is_listed_apart(which: str) -> None:
    """X-15, EN-2: the plan holds exactly the members notice.mailing assigns to it; one whose My
    Number the insurer does not hold is listed apart with EN-2."""
    a = hr.Member(id="Y1", kind="insured", enrolled_on=D(2015, 4, 1), employer="E1", my_number_held=True)
    b = hr.Member(id="Y2", kind="insured", enrolled_on=D(2015, 4, 1), employer="E1")
    plan = hr.plan_mailing([a, b], book(which), on=D(2024, 10, 23), mailing="initial")
    assert {m for e in plan.envelopes for m in e.member_ids} == {"Y1"}
    assert [(x.member_id, x.verdict.rule_id) for x in plan.left_out] == [("Y2", "EN-2")]


@pytest.mark.parametrize("which", BOOKS)
def test_x2_x17_a_prospective_hire_is_mailed_only_from_enrolment(which: str) -> None:
    """X-2, X-17, EN-4, EM-2: a prospective hire notified on 2026-05-20 and enrolled on 2026-06-01
    has no eligibility on 2026-05-25: no place in the on-enrolment mailing that day, nothing on
    the action list; from 2026-06-01 the notice is sent on enrolment."""
    hire = hr.Member(id="P1", kind="insured", enrolled_on=D(2026, 6, 1), employer="E1", my_number_held=True,
                     enrolment_notified_on=D(2026, 5, 20))
    before = hr.plan_mailing([hire], book(which), on=D(2026, 5, 25), mailing="on_enrolment")
    assert before.members == 0 and [x.member_id for x in before.left_out] == ["P1"]
    assert [a.need for a in book(which).actions([hire], D(2026, 5, 25)).rows if a.need not in RETURNS] == []
    after = hr.plan_mailing([hire], book(which), on=D(2026, 6, 1), mailing="on_enrolment")
    assert after.envelope_of("P1").member_ids == ("P1",) or list(after.envelope_of("P1").member_ids) == ["P1"]


@pytest.mark.parametrize("which", BOOKS)
def test_x17_x2_an_announced_loss_after_the_shipping_keeps_the_member_in_the_initial_mailing(which: str) -> None:
    """X-17, X-2, EN-1: a member leaving on 2024-10-30 (announced) still has eligibility on the
    shipping day 2024-10-23: in the initial mailing."""
    leaving = hr.Member(id="P2", kind="insured", enrolled_on=D(2015, 4, 1), loss_on=D(2024, 10, 30), employer="E1", my_number_held=True)
    plan = hr.plan_mailing([leaving], book(which), on=D(2024, 10, 23), mailing="initial")
    assert [m for e in plan.envelopes for m in e.member_ids] == ["P2"]


def test_x23_a_failed_condition_is_stated_as_what_is_true_in_japanese() -> None:
    """X-23 (ja): the member who did not ask on the enrolment form reads that the certificate was
    not asked for (交付を希望していない / 希望なし), never "交付希望（いいえ）がはい"."""
    member = hr.Member(id="W4", kind="insured", enrolled_on=D(2025, 4, 1), employer="E1")
    text = book("seed").evaluate(member, D(2025, 4, 10)).explain("ja", question="certificate.issuance")
    ec2 = [line for line in text.splitlines() if "EC-2" in line]
    assert ec2 and "（いいえ）がはい" not in ec2[0], ec2


@pytest.mark.parametrize("which", BOOKS)
def test_x13_an_old_member_awaiting_insurer_registration_is_not_overdue(which: str) -> None:
    """X-13 ("on any question or list"), CV-2: a member enrolled in 2015 with no receipt day and a
    card registered for insurance use but not yet registered by the insurer: the coverage gap may
    be listed, but nothing about the old notification is overdue."""
    member = hr.Member(id="N5", kind="insured", enrolled_on=D(2015, 4, 1), employer="E1", my_number_held=True,
                       notice_sent_on=D(2024, 10, 23), my_number_card=hr.MyNumberCard(registered_for_insurance_on=D(2025, 5, 1)))
    for day in (D(2025, 5, 1), D(2025, 6, 1), D(2026, 1, 10)):
        rows = rows_of(book(which).actions([member], day), "N5")
        assert not [a.need for a in rows if a.need.startswith("enrolment_notification")], day
        assert not [a.need for a in rows if a.overdue and a.verdict.outcome == "gap_insurer_registration"], day
        assert book(which).evaluate(member, day)["enrolment_notification.status"].outcome == "filed"


@pytest.mark.parametrize("which", BOOKS)
def test_a_membership_list_is_the_union_of_its_members_lists(which: str) -> None:
    """X-17, X-16 and the auditor's rule of issue 17 (same facts, same day, same answer): the action
    list of several members together holds exactly each member's own rows."""
    members = [h() for h in HISTORIES] + [m for _, _, m, _ in FIRST_DAYS]
    for day in (D(2025, 4, 10), D(2025, 12, 2), D(2026, 3, 1)):
        together = sorted((a.member_id, a.need, a.verdict.outcome, str(a.due)) for a in book(which).actions(members, day).rows)
        alone = sorted((a.member_id, a.need, a.verdict.outcome, str(a.due)) for m in members for a in book(which).actions([m], day).rows)
        assert together == alone, day
