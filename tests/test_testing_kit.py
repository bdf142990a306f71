"""The testing kit (hokensho_rules.testing): Hypothesis alone, histories that could happen,
parameters that hold, whole memberships, and an example downstream suite that runs."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import hokensho_rules as hr
from hokensho_rules import testing
from hokensho_rules.law.loader import rules_dir
from hokensho_rules.testing import (
    INSURANCE_USE_FROM,
    MY_NUMBER_CARDS_FROM,
    ONLINE_VERIFICATION_FROM,
    evaluation_dates,
    members,
    memberships,
    situations,
)

ROOT = Path(__file__).resolve().parents[1]
DOWNSTREAM = ROOT / "examples" / "downstream_tests"
BOOK = hr.Rulebook.load()
ABOLISHED = BOOK.params_on(date(2025, 1, 1))["paper_card_abolished_on"]
CONTINUATION_FROM = BOOK.params_on(date(2025, 1, 1))["card_continuation_abroad_from"]
LIMIT = BOOK.params_on(date(2025, 1, 1))["household_envelope_max_members"]


# --- Hypothesis alone ---------------------------------------------------------------------


def test_the_hypothesis_extra_is_hypothesis_alone() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras["hypothesis"] == ["hypothesis>=6.100"]
    assert "hypothesis>=6.100" in extras["test"]


def test_without_hypothesis_the_import_error_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import hokensho_rules.testing\n"
        "except ImportError as error:\n    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "hokensho_rules.testing needs Hypothesis" in out
    assert "pip install 'hokensho-rules[hypothesis]'" in out


def test_the_kit_imports_nothing_of_the_test_extra() -> None:
    code = (
        "import sys, hokensho_rules.testing\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pytest', 'mypy', 'z3', 'pandas', 'pyarrow', 'dask'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_public_strategy_has_an_example_and_the_examples_run() -> None:
    for name in ("members", "memberships", "situations", "evaluation_dates", "boundary_dates"):
        assert ">>> " in (getattr(testing, name).__doc__ or ""), name
    assert doctest.testmod(testing).failed == 0


# --- histories that could happen ------------------------------------------------------------


def assert_possible(member: hr.Member, abolished: date = ABOLISHED) -> None:
    """The facts of the world (and of the law) every generated history keeps to."""
    card = member.my_number_card
    if card is not None:
        for day in (card.registered_for_insurance_on, card.registration_cancelled_on, card.certificate_expires_on,
                    card.returned_on, card.suspended_on):
            assert day is None or day >= MY_NUMBER_CARDS_FROM, card
        assert card.registered_for_insurance_on is None or card.registered_for_insurance_on >= INSURANCE_USE_FROM
        if card.registered_for_insurance_on and card.certificate_expires_on:
            assert card.certificate_expires_on >= card.registered_for_insurance_on  # registering reads a valid one
    assert member.insurer_registered_on is None or member.insurer_registered_on >= ONLINE_VERIFICATION_FROM
    assert member.certificate is None or member.certificate.issued_on >= abolished
    assert member.paper_card is None or member.paper_card.issued_on < abolished
    if member.abroad is not None and member.abroad.continuation_done_on is not None:
        assert member.abroad.continuation_done_on >= CONTINUATION_FROM


def dates_of(member: hr.Member) -> list[date]:
    found: list[date] = []

    def walk(value: Any) -> None:
        if isinstance(value, date):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(member.model_dump())
    return found


@settings(max_examples=200)
@given(members())
def test_generated_histories_could_happen(member: hr.Member) -> None:
    assert_possible(member)


def test_the_legal_dates_come_from_the_rulebook_given(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    path = root / "seed" / "parameters.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["parameters"]["paper_card_abolished_on"]["values"] = [{"value": date(2025, 3, 3)}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    later = hr.Rulebook.load(root=root)
    seen: Counter[str] = Counter()

    @settings(max_examples=200, database=None, derandomize=True)  # a count of draws: the same every run
    @given(members(rulebook=later, start=date(2024, 6, 1), paper_card=True, certificate=True))
    def check(member: hr.Member) -> None:
        assert_possible(member, abolished=date(2025, 3, 3))
        if member.paper_card is not None and member.paper_card.issued_on >= ABOLISHED:
            seen["paper card issued between the shipped and the later abolition"] += 1

    check()
    assert seen["paper card issued between the shipped and the later abolition"] >= 10, seen


# --- parameters -----------------------------------------------------------------------------


@st.composite
def choices(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of members(): a window, a kind, a day of eligibility, each document or not."""
    start = draw(st.dates(date(2012, 1, 1), date(2031, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 6000)))
    chosen: dict[str, Any] = {"start": start, "end": end}
    if draw(st.booleans()):
        chosen["eligible_on"] = start + timedelta(days=draw(st.integers(0, (end - start).days)))
    for name in ("kind", "paper_card", "my_number_card", "certificate"):
        options = ("insured", "dependant", None) if name == "kind" else (True, False, None)
        chosen[name] = draw(st.sampled_from(options))
    return chosen


def feasible(chosen: dict[str, Any]) -> bool:
    return not (
        (chosen["paper_card"] and chosen["start"] >= ABOLISHED)
        or (chosen["certificate"] and chosen["end"] < ABOLISHED)
        or (chosen["my_number_card"] and chosen["end"] < MY_NUMBER_CARDS_FROM)
    )


@settings(max_examples=150)
@given(choices(), st.data())
def test_every_parameter_holds_or_is_refused(chosen: dict[str, Any], data: st.DataObject) -> None:
    if not feasible(chosen):
        with pytest.raises(InvalidArgument):
            members(**chosen)
        return
    member = data.draw(members(**chosen))
    assert_possible(member)
    assert all(chosen["start"] <= day <= chosen["end"] for day in dates_of(member)), member
    if chosen["kind"]:
        assert member.kind == chosen["kind"]
    if "eligible_on" in chosen:
        day = chosen["eligible_on"]
        assert member.enrolled_on <= day and (member.loss_on is None or day < member.loss_on)
    for name in ("paper_card", "my_number_card", "certificate"):
        if chosen[name] is not None:
            assert (getattr(member, name) is not None) == chosen[name], name


@settings(max_examples=60)
@given(members(eligible_on=date(2025, 12, 2)), st.sampled_from([hr.Rulebook.load(["seed"]), BOOK]))
def test_a_member_eligible_on_a_day_is_eligible_by_the_rules(member: hr.Member, book: hr.Rulebook) -> None:
    assert book.evaluate(member, date(2025, 12, 2))["member.eligible"].outcome == "yes"


@settings(max_examples=30)
@given(members(st.sampled_from(["A-1", "B:2", "c.3"]), kind="insured", voluntary_continuation=True),
       members(employer="E7", household=st.just("H9")))
def test_ids_employers_and_households_are_taken_as_given(voluntary: hr.Member, employed: hr.Member) -> None:
    assert voluntary.id in ("A-1", "B:2", "c.3") and voluntary.voluntary_continuation and voluntary.employer is None
    assert employed.employer == "E7" and employed.household == "H9" and not employed.voluntary_continuation


@pytest.mark.parametrize("make", [
    lambda: members(kind="employee"),  # type: ignore[arg-type]
    lambda: members(start=date(2030, 1, 1), end=date(2029, 1, 1)),
    lambda: members(start="2025-01-01"),  # type: ignore[arg-type]
    lambda: members(eligible_on=date(2040, 1, 1)),
    lambda: members(paper_card="yes"),  # type: ignore[arg-type]
    lambda: members(kind="dependant", voluntary_continuation=True),
    lambda: members(voluntary_continuation=True, employer="E1"),
    lambda: members(paper_card=True, start=ABOLISHED),
    lambda: members(certificate=True, end=ABOLISHED - timedelta(days=1)),
    lambda: members(my_number_card=True, end=date(2015, 12, 31)),
    lambda: members(member_id=7),  # type: ignore[arg-type]
    lambda: members(rulebook="seed"),  # type: ignore[arg-type]
    lambda: memberships(min_size=5, max_size=2),
    lambda: situations(power_cut="no"),  # type: ignore[arg-type]
], ids=["kind", "window", "start-type", "eligible-outside", "flag-type", "voluntary-dependant", "voluntary-employer",
        "paper-card-after-abolition", "certificate-before-law", "card-before-2016", "id-type", "rulebook-type",
        "sizes", "situation-flag"])
def test_arguments_that_cannot_be_met_are_refused_when_the_strategy_is_made(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()


@settings(max_examples=40)
@given(situations(online_verification=False, smartphone=True), evaluation_dates(BOOK, start=date(2025, 1, 1), end=date(2025, 12, 31)))
def test_situations_and_dates_take_their_parameters(counter: hr.Situation, on: date) -> None:
    assert not counter.online_verification and counter.smartphone
    assert date(2025, 1, 1) <= on <= date(2025, 12, 31)


def test_members_reach_the_situations_the_invariants_need_in_a_narrow_window_too() -> None:
    # The rare-but-real cases stay reachable when a downstream team asks for the transition only.
    seen: Counter[str] = Counter()

    @settings(max_examples=200, database=None)
    @given(members(start=date(2024, 6, 1), end=date(2027, 12, 31)))
    def sample(member: hr.Member) -> None:
        seen["members"] += 1
        card, certificate = member.paper_card, member.certificate
        seen["re-enrolment"] += card is not None and card.enrolled_on not in (None, member.enrolled_on)
        seen["certificate taking effect later"] += certificate is not None and certificate.takes_effect_on is not None
        seen["loss near the certificate"] += (certificate is not None and member.loss_on is not None
                                              and abs((member.loss_on - certificate.issued_on).days) <= 60)

    sample()
    assert all(seen[name] >= seen["members"] // 50 for name in seen), seen


# --- memberships ----------------------------------------------------------------------------


@settings(max_examples=40)
@given(memberships(max_size=30))
def test_a_membership_is_households_of_an_insured_and_their_dependants(people: list[hr.Member]) -> None:
    assert 1 <= len(people) <= 30
    assert len({m.id for m in people}) == len(people)
    households: dict[str, list[hr.Member]] = defaultdict(list)
    for member in people:
        assert_possible(member)
        if member.household is None:
            assert member.kind == "insured"
        else:
            households[member.household].append(member)
    for group in households.values():
        head, *dependants = group
        assert head.kind == "insured" and all(m.kind == "dependant" for m in dependants)
        assert 1 <= len(group) <= max(8, LIMIT + 3)
        assert head.employer is None if head.voluntary_continuation else head.employer is not None
        for m in dependants:
            assert m.employer == head.employer and not m.voluntary_continuation
            assert m.enrolled_on >= head.enrolled_on
            assert head.loss_on is None or (m.loss_on is not None and m.loss_on <= head.loss_on)


def test_memberships_reach_large_households_voluntary_insured_and_employers_for_boxes() -> None:
    seen: Counter[str] = Counter()
    parcel = BOOK.params_on(date(2024, 10, 23))["parcel_envelope_max"]
    assert isinstance(parcel, int)

    @settings(max_examples=30, database=None)
    @given(memberships(max_size=30, large_employer=True, eligible_on=date(2024, 9, 12)))
    def sample(people: list[hr.Member]) -> None:
        seen["memberships"] += 1
        sizes = Counter(m.household for m in people if m.household is not None)
        seen["a household over the ML-1 limit"] += any(n > LIMIT for n in sizes.values())
        seen["a voluntary continuation insured"] += any(m.voluntary_continuation for m in people)
        seen["two employers or more"] += len({m.employer for m in people if m.employer}) >= 2
        per_employer = Counter(m.employer for m in people if m.employer)
        seen["an employer at or over the ML-2 limit"] += max(per_employer.values(), default=0) >= parcel
        assert all(day <= date(2024, 9, 12) for day in (m.enrolled_on for m in people))

    sample()
    assert seen["an employer at or over the ML-2 limit"] == seen["memberships"], seen
    for name in ("a household over the ML-1 limit", "a voluntary continuation insured", "two employers or more"):
        assert seen[name] >= seen["memberships"] // 4, seen


def test_a_large_employer_fills_boxes_in_the_initial_mailing() -> None:
    boxes: list[int] = []

    @settings(max_examples=20, database=None)
    @given(memberships(max_size=4, large_employer=True, eligible_on=date(2024, 9, 12)))
    def sample(people: list[hr.Member]) -> None:
        plan = hr.plan_mailing(people, BOOK, on=date(2024, 10, 23), mailing="initial")
        boxes.append(sum(p.packaging == "box" for p in plan.parcels))

    sample()
    assert sum(1 for n in boxes if n) >= 2, boxes


# --- the example downstream suite -----------------------------------------------------------


def test_the_example_downstream_suite_passes(tmp_path: Path) -> None:
    # Run as a downstream team would: pytest on the folder, from a folder of their own.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(DOWNSTREAM)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_the_example_suite_catches_a_system_that_forgets_the_loss_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(DOWNSTREAM))
    for name in ("my_system", "test_my_system"):  # the shipped example's files, not a module of that name met before
        monkeypatch.delitem(sys.modules, name, raising=False)
    import my_system  # type: ignore[import-not-found]
    import test_my_system  # type: ignore[import-not-found]

    honest = my_system.certificate_validity

    def forgetful(member: hr.Member) -> tuple[date, date] | None:
        found = honest(member.model_copy(update={"loss_on": None}))
        return None if found is None or honest(member) is None else found

    monkeypatch.setattr(my_system, "certificate_validity", forgetful)
    body = test_my_system.test_we_print_the_validity_the_rules_give.hypothesis.inner_test

    def caught(case: tuple[hr.Member, date]) -> bool:
        try:
            body(*case)
        except AssertionError:
            return True
        return False

    # The kit's generated members and days hold a member the suite's test fails on (about one
    # in nine shows the bug; its own 40 random examples miss it now and then): searched for,
    # the same examples every time, on a loaded machine too.
    thorough = settings(max_examples=2_000, derandomize=True, database=None, deadline=None,
                        suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    member, on = find(st.tuples(members(certificate=True), evaluation_dates(BOOK, start=date(2024, 12, 1))), caught,
                      settings=thorough)
    monkeypatch.setattr(my_system, "certificate_validity", honest)
    body(member, on)  # the honest system passes on that very member
