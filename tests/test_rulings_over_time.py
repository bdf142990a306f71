"""The rulings of the third review as properties over generated histories (X-17, X-2,
X-18, X-6, X-22), under the seed alone and the rules in force, on any day 2024-06..2032.

Each property names its ruling. A history is a member the kit generates: an enrolment,
documents issued, returned or lost, registrations, requests, a notice, a move abroad, a
loss date, dated over years. X-3/X-13 ("no action is overdue on the first day it
appears") is in ``test_invariants.py``; X-21 in ``test_working_days.py``.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.cli import main
from hokensho_rules.law.calendar import civil_period_end
from hokensho_rules.membership.columns import COLUMNS, member_cells
from hokensho_rules.membership.files import read_members
from hokensho_rules.testing import as_known_on, members, memberships

SEED = hr.Rulebook.load(["seed"])
IN_FORCE = hr.Rulebook.load()
BOOKS = pytest.mark.parametrize("book", [SEED, IN_FORCE], ids=["seed", "in force"])
DAYS = st.dates(date(2024, 6, 1), date(2032, 12, 31))
MAILINGS = ("initial", "later_batch", "on_enrolment")


def answers(decision: hr.Decision) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every verdict as (outcome, rule, data): what two evaluations must agree on."""
    return {q: (v.outcome, v.rule_id, dict(v.data)) for q, v in decision.items()}


# --- the day is now ------------------------------------------------------------------


@BOOKS
@given(members(), DAYS)
@example(  # the review's example: asked on the enrolment form, issued 19 days later
    hr.Member(id="X17", kind="insured", enrolled_on=date(2025, 4, 1), employer="E1",
              requests=hr.Requests(certificate_on_enrolment_form=True),
              certificate=hr.Certificate(issued_on=date(2025, 4, 20))),
    date(2025, 4, 10),
)
def test_an_evaluation_sees_only_what_was_known_that_day(book: hr.Rulebook, member: hr.Member, on: date) -> None:
    """X-17: evaluate(M, D) == evaluate(as_known_on(M, D), D), for every question."""
    known = as_known_on(member, on)
    if known != member:
        event("the history records events after the day")
    assert answers(book.evaluate(member, on)) == answers(book.evaluate(known, on))


def test_a_request_stays_open_until_its_certificate_is_issued() -> None:
    """X-17 with X-5: the form's request is open from enrolment until the day before the issue."""
    member = hr.Member(id="X17", kind="insured", enrolled_on=date(2025, 4, 1), employer="E1",
                       requests=hr.Requests(certificate_on_enrolment_form=True),
                       certificate=hr.Certificate(issued_on=date(2025, 4, 20)))
    assert IN_FORCE.evaluate(member, date(2025, 4, 19))["certificate.issuance"].outcome == "on_enrolment_request"
    assert IN_FORCE.evaluate(member, date(2025, 4, 20))["certificate.issuance"].outcome == "none"


@settings(max_examples=30)
@BOOKS
@given(members(), st.dates(date(2024, 6, 1), date(2031, 12, 31)))
def test_a_timeline_is_the_evaluation_day_by_day(book: hr.Rulebook, member: hr.Member, on: date) -> None:
    """X-17 over time: on any day, the timeline's interval holding it gives that day's verdict."""
    timeline = book.timeline(member, date(2024, 6, 1), date(2031, 12, 31))
    decision = book.evaluate(member, on)
    for question, runs in timeline.items():
        run = next(r for r in runs if r.start <= on <= r.end)
        assert (run.verdict.outcome, run.verdict.rule_id) == (decision[question].outcome, decision[question].rule_id)


# --- nothing for a day without eligibility ----------------------------------------------


def _returns(action: hr.Action) -> bool:
    return action.need.endswith(".must_return")


@BOOKS
@given(memberships(max_size=6), DAYS)
def test_on_a_day_without_eligibility_only_returns_remain(book: hr.Rulebook, people: list[hr.Member], on: date) -> None:
    """X-2: the action list holds only returns for a member without eligibility, and no mailing plan holds them."""
    ineligible = {m.id for m in people if book.evaluate(m, on)["member.eligible"].outcome == "no"}
    if ineligible:
        event("a member without eligibility on the day")
    listed = book.actions(people, on)
    assert [a for a in listed if a.member_id in ineligible and not _returns(a)] == []
    for mailing in MAILINGS:
        plan = hr.plan_mailing(people, book, on=on, mailing=mailing)
        assert ineligible.isdisjoint(i for envelope in plan.envelopes for i in envelope.member_ids)


# --- what was handed out is collected ---------------------------------------------------


@st.composite
def leavers_holding_a_certificate(draw: st.DrawFn) -> tuple[hr.Member, date]:
    """A member who loses eligibility holding a certificate not returned, and a day on or after the loss."""
    member = draw(members(certificate=True))
    assert member.certificate is not None
    first = max(member.certificate.issued_on, date.fromordinal(member.enrolled_on.toordinal() + 1), date(2024, 12, 3))
    loss = draw(st.dates(first, max(first, date(2032, 6, 30))))
    certificate = member.certificate.model_copy(update={"returned_on": None})
    left = hr.Member.model_validate({**member.model_dump(), "loss_on": loss, "certificate": certificate.model_dump()})
    on = draw(st.dates(loss, date.fromordinal(loss.toordinal() + 60)))
    return left, on


@given(leavers_holding_a_certificate())
@example((hr.Member(id="X18", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1", loss_on=date(2025, 11, 1),
                    certificate=hr.Certificate(issued_on=date(2025, 10, 1), takes_effect_on=date(2025, 12, 2))),
          date(2025, 11, 1)))
def test_every_certificate_held_on_the_loss_day_is_asked_back(case: tuple[hr.Member, date]) -> None:
    """X-18 (B-7, X-10): held on the loss day and not returned → to be returned, whether or not it took effect."""
    member, on = case
    assert member.certificate is not None
    if member.certificate.takes_effect_on is not None and member.certificate.takes_effect_on >= (member.loss_on or on):
        event("a certificate that never took effect")
    outcome = IN_FORCE.evaluate(member, on)["certificate.must_return"].outcome
    assert outcome in ("via_employer", "direct")


# --- validity counts from the day a certificate takes effect ---------------------------


@BOOKS
@given(members(certificate=True), DAYS)
@example(hr.Member(id="X6", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1",
                   certificate=hr.Certificate(issued_on=date(2025, 10, 1), takes_effect_on=date(2025, 12, 2))),
         date(2026, 1, 5))
# Issued while the paper card was usable, its holder gone before the card stopped: never in effect (B-2.empty).
@example(hr.Member(id="M1", kind="insured", enrolled_on=date(2014, 1, 1), loss_on=date(2024, 12, 3), employer="E1",
                   paper_card=hr.PaperCard(issued_on=date(2014, 1, 1)),
                   certificate=hr.Certificate(issued_on=date(2024, 12, 2))),
         date(2025, 1, 1))
def test_a_validity_starts_when_the_certificate_takes_effect_and_lasts_at_most_5_years(
    book: hr.Rulebook, member: hr.Member, on: date
) -> None:
    """X-6: never before it takes effect, never more than 5 years from then."""
    validity = book.evaluate(member, on)["certificate.validity"]
    if validity.outcome != "period":
        return
    certificate = member.certificate
    assert certificate is not None
    effective = max(certificate.issued_on, certificate.takes_effect_on or certificate.issued_on)
    start, until = validity.data["valid_from"], validity.data["valid_until"]
    assert isinstance(start, date) and isinstance(until, date)
    assert effective <= start <= until <= civil_period_end(start, years=5)


@given(members(certificate=True, paper_card=True), DAYS)
@example(hr.Member(id="D1", kind="insured", enrolled_on=date(2014, 1, 1), loss_on=date(2025, 12, 3), employer="E1",
                   paper_card=hr.PaperCard(issued_on=date(2014, 1, 1)),
                   certificate=hr.Certificate(issued_on=date(2025, 10, 1))),
         date(2025, 11, 1))
def test_a_certificate_waiting_for_the_card_is_not_issued_again_nor_valid_after_the_membership(
    member: hr.Member, on: date
) -> None:
    """X-6 with B-2: a held certificate that has not taken effect and ends with the membership is not
    issued again (no renewal is ever due for it, X-2); one whose day comes on or after the loss date is not valid."""
    decision = IN_FORCE.evaluate(member, on)
    takes_effect, validity = decision["certificate.takes_effect"], decision["certificate.validity"]
    if takes_effect.outcome != "on_day" or member.loss_on is None:
        return
    if takes_effect.data["day"] >= member.loss_on:
        assert validity.outcome == "invalid", validity.rule_id
        return
    ends_with_membership = validity.outcome == "period" and validity.data["next_from"] == member.loss_on
    if ends_with_membership and on < validity.data["valid_from"] and decision["member.eligible"].outcome == "yes":
        event("a held certificate not in effect yet, ending with the membership")
        assert decision["certificate.issuance"].outcome == "none", decision["certificate.issuance"].rule_id


# --- batch, CLI and single evaluation agree; files say what the model says (X-22) -------------


def _write(path: Path, people: list[hr.Member]) -> Path:
    rows = [member_cells(m) for m in people]
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps({k: v for k, v in r.items() if v}) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


_FILES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FILES
@BOOKS
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@given(people=memberships(max_size=5), on=DAYS)
def test_a_membership_read_back_from_a_file_gets_the_same_verdicts(
    tmp_path: Path, book: hr.Rulebook, suffix: str, people: list[hr.Member], on: date
) -> None:
    """X-22: every member the API accepts is written in the file columns and read back with the same verdicts."""
    path = _write(tmp_path / f"members{suffix}", people)
    with read_members(path) as table:
        read = list(hr.evaluate_many(table, on, rulebook=book, processes=1))
    assert [r.member_id for r in read] == [m.id for m in people]
    for member, result in zip(people, read, strict=True):
        assert isinstance(result, hr.MemberResult), result
        expected = book.evaluate(member, on)
        assert {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in result.answers.items()} == answers(expected)


@_FILES
@given(people=memberships(max_size=5), on=DAYS)
def test_the_cli_the_batch_and_a_single_evaluation_agree(tmp_path: Path, people: list[hr.Member], on: date) -> None:
    """One answer, three ways: ``hokensho-rules evaluate``, ``evaluate_many`` and ``Rulebook.evaluate``."""
    source = _write(tmp_path / "members.csv", people)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["evaluate", str(source), "--on", on.isoformat(), "-o", str(out), "-p", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    batch = list(hr.evaluate_many(people, on, rulebook=IN_FORCE, processes=1))
    for member, row, from_batch in zip(people, rows, batch, strict=True):
        single = IN_FORCE.evaluate(member, on)
        assert isinstance(from_batch, hr.MemberResult)
        assert {q: (a.outcome, a.rule_id) for q, a in from_batch.answers.items()} == {
            q: (v.outcome, v.rule_id) for q, v in single.items()}
        assert {q: (row[f"{q}.outcome"], row[f"{q}.rule"]) for q in single} == {
            q: (v.outcome, v.rule_id) for q, v in single.items()}
