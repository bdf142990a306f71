"""The rulebook prover (issue 11 part 2): shipped rulebooks proved, broken ones caught with witnesses.

Every failure a test expects is also checked by running the witness through the real
``Rulebook.evaluate``: a witness is a member, not a claim.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rule_files import edit_rule, without_lost_card_override

import hokensho_rules as hr
from hokensho_rules.law.calendar import civil_period_end
from hokensho_rules.prove import (
    Failure,
    ProofReport,
    ProverUnavailable,
    prove,
    shipped_rulebooks,
)
from hokensho_rules.prove.__main__ import main
from hokensho_rules.prove._prover import _isolated


def _book_id(packs: tuple[str, ...]) -> str:
    return "+".join(packs) if len(packs) < 3 else "all packs"


@pytest.fixture(scope="module")
def books() -> dict[tuple[str, ...], hr.Rulebook]:
    return {packs: hr.Rulebook.load(packs) for packs in shipped_rulebooks()}


@pytest.fixture(scope="module")
def shipped(books: dict[tuple[str, ...], hr.Rulebook]) -> dict[tuple[str, ...], ProofReport]:
    return {packs: prove(book) for packs, book in books.items()}


@pytest.mark.parametrize("packs", shipped_rulebooks(), ids=_book_id)
def test_every_shipped_rulebook_is_proved(
    books: dict[tuple[str, ...], hr.Rulebook], shipped: dict[tuple[str, ...], ProofReport], packs: tuple[str, ...]
) -> None:
    report = shipped[packs]
    assert report.proved, report.render()
    assert [q.question for q in report.questions] == [q for group in books[packs].strata for q in group]
    assert all(q.status == "proved" and not q.failures for q in report.questions)


def test_the_shipped_proof_reports_queries_and_time(shipped: dict[tuple[str, ...], ProofReport]) -> None:
    for report in shipped.values():
        assert report.queries == len(report.questions)  # one unsatisfiable query per question
        assert 0 < report.encode_seconds <= report.seconds
        assert report.window[0] < date(1900, 1, 1) and report.window[1] > date(9000, 1, 1)
        assert report.summary().startswith(" + ".join(report.packs))
        assert report.summary().endswith("— proved") and report.render() == report.summary()


# --- broken rule files ----------------------------------------------------------------


def remove(root: Path, file: str, rule_id: str) -> None:
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["id"] != rule_id]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def only_failure(report: ProofReport, question: str) -> list[Failure]:
    """The failures of ``question``, the only question failing (the shipped rules are proved)."""
    assert {q.question for q in report.questions if not q.proved} == {question}, report.render()
    assert {f.question for f in report.failures} == {question}
    return list(report[question].failures)


def _assert_raised(book: hr.Rulebook, failure: Failure) -> None:
    member, situation, on = failure.witness()
    expected = hr.ConflictError if failure.kind == "conflict" else hr.GapError
    with pytest.raises(expected) as caught:
        book.evaluate(member, on, situation=situation)
    assert caught.value.question == failure.question
    assert set(caught.value.rule_ids) == set(failure.rule_ids)


def test_two_rules_disagreeing_without_an_override_are_a_conflict_with_a_witness(rules_copy: Path) -> None:
    without_lost_card_override(rules_copy)
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "paper_card.usable")
    assert report["paper_card.usable"].status == "failed"
    failure = next(f for f in failures if set(f.rule_ids) == {"PC-2", "PC-4.lost"})
    assert failure.kind == "conflict" and failure.confirmed
    assert dict(failure.outcomes) == {"yes": ("PC-2",), "no": ("PC-4.lost",)}
    member, _, on = failure.witness()
    assert member.paper_card is not None and member.paper_card.lost_on is not None
    assert member.paper_card.lost_on <= on <= date(2025, 12, 1)
    _assert_raised(book, failure)
    assert "PC-4.lost" in failure.describe() and on.isoformat() in failure.describe()


def test_a_question_without_its_fallback_has_a_gap_with_a_witness(rules_copy: Path) -> None:
    remove(rules_copy, "seed/coverage.yaml", "CV-2.member_to_act")
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "coverage.route")
    assert failures and all(f.kind == "gap" and f.confirmed for f in failures)
    for failure in failures:
        assert not failure.outcomes
        _assert_raised(book, failure)
    assert "gap: no rule stands" in report.render()


def test_each_failure_is_a_different_set_of_standing_rules_and_a_cap_says_there_are_more(rules_copy: Path) -> None:
    without_lost_card_override(rules_copy)
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-4.details_changed", overrides=None)
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    found = prove(book, max_failures=10)["paper_card.usable"]
    assert {frozenset(f.rule_ids) for f in found.failures} == {
        frozenset({"PC-2", "PC-4.lost"}), frozenset({"PC-2", "PC-4.details_changed"}),
        frozenset({"PC-2", "PC-4.lost", "PC-4.details_changed"}),
    }
    assert found.note == "" and found.queries == 4  # three failures, then no more
    capped = prove(book, max_failures=1)["paper_card.usable"]
    assert len(capped.failures) == 1 and capped.note == "stopped after 1 failures; there are more"


def test_a_conflict_that_needs_a_date_ordering_is_found_and_its_witness_has_that_order(rules_copy: Path) -> None:
    # PC-6.after_transition now starts a month early: for a loss date in 2025-11 both it
    # ("no") and PC-6 ("yes") apply, but only if the card was issued before the loss
    # date and the loss date is past: one order of four dates among many.
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-6.after_transition",
         when=[{"fact": "member.loss_on", "lte": {"fact": "date"}}, {"fact": "member.loss_on", "gte": date(2025, 11, 1)}])
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "paper_card.must_return")
    failure = next(f for f in failures if set(f.rule_ids) == {"PC-6", "PC-6.after_transition"})
    assert failure.confirmed
    member, _, on = failure.witness()
    assert member.loss_on is not None and member.paper_card is not None
    assert date(2025, 11, 1) <= member.loss_on <= date(2025, 12, 1)
    assert member.paper_card.issued_on < member.loss_on <= on
    _assert_raised(book, failure)


def test_a_conflict_through_an_upstream_outcome_is_found_with_that_outcome_computed(rules_copy: Path) -> None:
    # Without its override, PC-5.paper_card ("no" when member.eligible is "no") meets
    # PC-2: only members the rules of member.eligible find ineligible show it.
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-5.paper_card", overrides=None)
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "paper_card.usable")
    failure = next(f for f in failures if set(f.rule_ids) == {"PC-2", "PC-5.paper_card"})
    assert failure.confirmed
    member, _, on = failure.witness()
    assert hr.Rulebook.load(["seed"]).evaluate(member, on)["member.eligible"].outcome == "no"
    _assert_raised(book, failure)


def test_a_conflict_on_the_last_day_of_a_civil_code_period_is_found_on_that_day(rules_copy: Path) -> None:
    # EC-4.expired now says a certificate is expired from its last valid day: it meets
    # EC-5 exactly on valid_until = min(5-year period end, expiry, day before loss).
    edit_rule(rules_copy, "seed/certificate.yaml", "EC-4.expired",
         when=[{"fact": "date", "gte": {"outcome": "certificate.validity", "data": "valid_until"}}])
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "certificate.usable")
    failure = next(f for f in failures if set(f.rule_ids) == {"EC-5", "EC-4.expired"})
    member, _, on = failure.witness()
    certificate = member.certificate
    assert certificate is not None
    # Valid from the day it takes effect, never before the membership.
    valid_from = max(d for d in (certificate.issued_on, certificate.takes_effect_on, member.enrolled_on) if d is not None)
    ends = [civil_period_end(valid_from, years=5), certificate.expires_on,
            member.loss_on - timedelta(days=1) if member.loss_on else None]
    assert on == min(d for d in ends if d is not None)
    _assert_raised(book, failure)


def test_a_conflict_only_under_a_later_dated_value_of_a_parameter_is_found_in_its_epoch(rules_copy: Path) -> None:
    # B-5.paper_card from 2026-04-01 until temporary_acceptance_until: 2026-03-31 (empty)
    # until the extension of 2026-03-19, then 2026-07-31. Without its override of
    # RT-1.not_usable it conflicts only in 2026-04-01..2026-07-31.
    edit_rule(rules_copy, "amendments/b5_temporary_acceptance.yaml", "B-5.paper_card",
         in_force={"from": date(2026, 4, 1), "until": {"param": "temporary_acceptance_until"}}, overrides=None)
    packs = ("seed", "b5_temporary_acceptance")
    book = hr.Rulebook.load(packs, root=rules_copy)
    report = prove(book)
    failures = only_failure(report, "presentation.paper_card")
    for failure in failures:
        assert failure.kind == "conflict" and failure.situation is not None
        assert date(2026, 4, 1) <= failure.on <= date(2026, 7, 31)
        _assert_raised(book, failure)


def add(root: Path, file: str, rule: dict[str, object]) -> None:
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"].append({"implements": ["PC-5"], "title": {"ja": "試験", "en": "test"},
                          "citation": {"source": "index", "sections": ["PC-5"]}, **rule})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_failure_that_only_occurs_with_an_earlier_one_is_confirmed_on_its_own_questions(rules_copy: Path) -> None:
    # Two breaks with the same region: enrolled dependants before their loss date.
    # member.eligible is answered first, so Rulebook.evaluate raises there on every
    # witness of paper_card.must_return; that one is confirmed on the rulebook cut down
    # to it (and what it reads), which fails exactly as predicted.
    region = [{"fact": "member.kind", "eq": "dependant"}, {"fact": "member.enrolled_on", "lte": {"fact": "date"}},
              {"fact": "member.loss_on", "gt": {"fact": "date"}}]
    add(rules_copy, "seed/eligibility.yaml", {"id": "PC-5.test", "question": "member.eligible", "when": region, "outcome": "no"})
    add(rules_copy, "seed/paper_card.yaml", {"id": "PC-6.test", "question": "paper_card.must_return", "when": region, "outcome": "yes"})
    report = prove(hr.Rulebook.load(["seed"], root=rules_copy), max_failures=1)
    assert {f.question for f in report.failures} == {"member.eligible", "paper_card.must_return"}
    failure = report["paper_card.must_return"].failures[0]
    # The witness is in the region, so PC-6.not_lost holds; z3 may also pick a returned card.
    assert failure.confirmed and {"PC-6.not_lost", "PC-6.test"} <= set(failure.rule_ids)
    assert "fails first at member.eligible" in failure.note
    assert report["member.eligible"].failures[0].confirmed


# --- what the loader rejects, so that the prover need not look for it ---------------------
# (A circle of exceptions: tests/test_rulebook.py.)


def test_a_rule_citing_no_section_never_reaches_the_prover(rules_copy: Path) -> None:
    edit_rule(rules_copy, "seed/paper_card.yaml", "PC-3", citation={"source": "seed", "sections": []})
    with pytest.raises(hr.RuleFileError, match="cites 'seed' without a section") as caught:
        hr.Rulebook.load(["seed"], root=rules_copy)
    assert (caught.value.rule_id, caught.value.field) == ("PC-3", "citation.sections")


# --- default logic ------------------------------------------------------------------------


def test_an_exception_set_aside_sets_nothing_aside_so_a_chain_of_exceptions_can_conflict(rules_copy: Path) -> None:
    # Ruling X-1: PC-2.test ("no") sets aside PC-4.lost, the rule that sets aside PC-2
    # ("yes") for a lost card. PC-4.lost does not stand, so it sets nothing aside: PC-2
    # stands again, against PC-2.test.
    add(rules_copy, "seed/paper_card.yaml", {
        "id": "PC-2.test", "question": "paper_card.usable", "outcome": "no", "overrides": ["PC-4.lost"],
        "when": [{"fact": "paper_card.lost_on", "lte": {"fact": "date"}}],
    })
    book = hr.Rulebook.load(["seed"], root=rules_copy)
    (failure,) = only_failure(prove(book), "paper_card.usable")
    assert failure.kind == "conflict" and set(failure.rule_ids) == {"PC-2", "PC-2.test"}
    assert failure.confirmed
    _assert_raised(book, failure)


# --- regions, the command line, reports --------------------------------------------------


def test_regions_are_every_set_of_rules_firing_together_and_resolve_agrees_on_each() -> None:
    # On the seed cut down to paper_card.usable and what it reads: the whole seed takes
    # several times longer (benchmarks/prove.py enumerates every shipped rulebook).
    book = _isolated(hr.Rulebook.load(["seed"]), "paper_card.usable")
    report = prove(book, regions=True)
    assert [q.question for q in report.questions] == ["member.eligible", "paper_card.usable"]
    assert report.proved and not any(q.mismatches for q in report.questions)
    eligible, usable = report["member.eligible"], report["paper_card.usable"]
    assert eligible.regions == 3  # before enrolment, enrolled, after loss
    rules = sum(r.question == "paper_card.usable" for r in book.rules.values())
    assert usable.regions is not None and rules < usable.regions < 2 ** rules  # not every set of rules fires together
    assert report.regions == eligible.regions + usable.regions and f"{report.regions} regions" in report.summary()


def test_a_question_cut_out_for_confirmation_answers_as_in_the_whole_rulebook() -> None:
    # coverage.route's gap_insurer_registration is closed by enrolment_notification.status,
    # which coverage.route does not read: the cut-down rulebook leaves that action unclosed.
    book = hr.Rulebook.load(["seed"])
    cut = _isolated(book, "coverage.route")
    assert "coverage.route" in cut.questions and "enrolment_notification.status" not in cut.questions
    member = hr.Member(id="M7", kind="insured", enrolled_on=date(2020, 4, 1), paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
    for on in (date(2024, 10, 1), date(2025, 12, 10)):
        whole, alone = book.evaluate(member, on), cut.evaluate(member, on)
        assert [(q, v.outcome, v.rule_id) for q, v in alone.items()] == [(q, whole[q].outcome, whole[q].rule_id) for q in alone]


def test_the_command_line_proves_and_exits_non_zero_on_failure(
    books: dict[tuple[str, ...], hr.Rulebook], rules_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--packs", "seed"]) == 0
    assert f"seed: {len(books[('seed',)].questions)} questions" in capsys.readouterr().out
    without_lost_card_override(rules_copy)
    assert main(["--packs", "seed", "--root", str(rules_copy), "--json"]) == 1
    out = capsys.readouterr().out
    assert '"proved": false' in out and "PC-4.lost" in out
    assert main(["--packs", "seed,b99"]) == 2
    assert "unknown pack" in capsys.readouterr().err


def test_without_z3_proving_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("hokensho_rules.prove._")]:
        if name.rsplit(".", 1)[1] not in ("_report", "_model", "_domain"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "z3", None)
    with pytest.raises(ProverUnavailable, match=r"pip install 'hokensho-rules\[prove\]'"):
        prove(hr.Rulebook.load(["seed"]))


def test_a_failure_is_json_ready_and_its_witness_is_a_valid_member(rules_copy: Path) -> None:
    import json

    without_lost_card_override(rules_copy)
    report = prove(hr.Rulebook.load(["seed"], root=rules_copy), max_failures=1)
    data: dict[str, Any] = json.loads(json.dumps(report.to_dict()))
    failure = data["questions"][[q["question"] for q in data["questions"]].index("paper_card.usable")]["failures"][0]
    assert failure["kind"] == "conflict" and failure["member"]["id"] == "W1"
    member = hr.Member.model_validate_json(json.dumps(failure["member"]))
    assert member == report["paper_card.usable"].failures[0].witness()[0]


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="max_failures must be at least 1"):
        prove(hr.Rulebook.load(["seed"]), max_failures=0)


def test_two_standing_rules_giving_a_datum_differently_are_a_conflict_unless_the_question_combines_it(
    rules_copy: Path,
) -> None:
    # A paper card that stops for two reasons (expired, lost, returned, ...) stopped on the first
    # of the two days: the question declares the earliest wins. Without that, the prover finds
    # two such reasons giving different days, and evaluate raises on its witness.
    questions = rules_copy / "seed" / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    declared = "en: a replacement was due by, concurring: earliest}"
    assert declared in text
    questions.write_text(text.replace(declared, "en: a replacement was due by}"), encoding="utf-8")
    packs = ["seed", "b1_paper_card_expiry"]
    book = hr.Rulebook.load(packs, root=rules_copy)
    failure = only_failure(prove(book), "paper_card.usable")[0]
    # One outcome, two grounds giving different days: a conflict of data, confirmed by evaluate.
    assert failure.kind == "conflict" and failure.confirmed and list(failure.outcomes) == ["no"]
    assert len(failure.outcomes["no"]) >= 2
    _assert_raised(book, failure)
    member, situation, on = failure.witness()
    combined = hr.Rulebook.load(packs).evaluate(member, on, situation=situation)["paper_card.usable"]
    assert combined.outcome == "no" and combined.rule_id in failure.rule_ids
    assert prove(hr.Rulebook.load(packs))["paper_card.usable"].proved
