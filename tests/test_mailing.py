"""The mailing plan of the eligibility notices: ML-1 envelopes, ML-2 parcels, ML-3 routes."""

from __future__ import annotations

import doctest
import functools
import json
import math
import random
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.results import mailing
from hokensho_rules.results.mailing import MailingLimits, RouteCounts
from hokensho_rules.law.loader import rules_dir
from hokensho_rules.testing import members as any_member

ON = date(2024, 10, 23)  # the seed's shipping day (§2-1 発送予定日)


def member(
    member_id: str, employer: str | None = "E1", household: str | None = None, *, voluntary: bool = False
) -> hr.Member:
    # On the roll at the snapshot with a My Number held: in the initial mailing (EN-1).
    return hr.Member(
        # A voluntary continuation lasts at most 2 years (B-10): enrolled within them.
        id=member_id, kind="insured", enrolled_on=date(2023, 4, 1) if voluntary else date(2020, 4, 1), my_number_held=True,
        employer=None if voluntary else employer, household=household, voluntary_continuation=voluntary,
    )


def household(name: str, size: int, employer: str | None = "E1") -> list[hr.Member]:
    return [member(f"{name}-{i:02d}", employer, name) for i in range(size)]


def singles(count: int, employer: str = "E1") -> list[hr.Member]:
    """``count`` members without a household: one envelope each."""
    return [member(f"S{i:05d}", employer) for i in range(count)]


Plan = Callable[[Iterable[hr.Member]], hr.MailingPlan]


@pytest.fixture(scope="module")
def plan_of(book: hr.Rulebook) -> Plan:
    return lambda members: hr.plan_mailing(members, book, on=ON)


def test_the_module_example_runs() -> None:
    assert doctest.testmod(mailing).failed == 0


# --- the data -----------------------------------------------------------------------

def test_the_mailing_parameters_are_cited_data(book: hr.Rulebook) -> None:
    limits = MailingLimits.from_params(book.params_on(ON))
    assert (limits.household_envelope_max_members, limits.parcel_envelope_max, limits.box_capacity) == (5, 100, 300)
    assert "プライバシーガード" in limits.courier
    for name in ("household_envelope_max_members", "parcel_envelope_max", "box_capacity",
                 "box_dimensions_mm", "notice_courier"):
        parameter = book.parameters[name]
        assert parameter.citation.source == "seed" and parameter.citation.sections, name
        assert parameter.title.ja and parameter.title.en


def test_the_numbers_come_from_the_rule_files(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    path = root / "seed" / "mailing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["parameters"]["household_envelope_max_members"]["values"] = [{"value": 2}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = hr.plan_mailing(household("H1", 3), hr.Rulebook.load(root=root), on=ON)
    assert [e.kind for e in plan.envelopes] == ["individual"] * 3


def test_a_rulebook_without_the_mailing_parameters_is_named(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    (root / "seed" / "mailing.yaml").unlink()
    with pytest.raises(ValueError, match="household_envelope_max_members"):
        hr.plan_mailing(singles(1), hr.Rulebook.load(root=root), on=ON)


# --- ML-1: envelopes ----------------------------------------------------------------

def test_a_household_of_five_shares_one_envelope(plan_of: Plan) -> None:
    plan = plan_of(household("H1", 5))
    assert plan.envelopes == (hr.Envelope("E1", "H1", tuple(f"H1-{i:02d}" for i in range(5)), "household"),)


def test_a_household_of_six_gets_an_envelope_per_member(plan_of: Plan) -> None:
    plan = plan_of(household("H1", 6))
    assert [e.member_ids for e in plan.envelopes] == [(f"H1-{i:02d}",) for i in range(6)]
    assert {e.kind for e in plan.envelopes} == {"individual"}


def test_members_without_a_household_each_get_an_envelope(plan_of: Plan) -> None:
    plan = plan_of([member("B"), member("A"), *household("H1", 2)])
    assert [(e.household, e.member_ids) for e in plan.envelopes] == [
        ("H1", ("H1-00", "H1-01")), (None, ("A",)), (None, ("B",)),
    ]


def test_a_household_split_across_employers_gets_an_envelope_per_employer(plan_of: Plan) -> None:
    # 8 members in all, but 4 per employer: each employer's part fits one envelope.
    plan = plan_of(household("H1", 4, "E1") + [member(f"H1-x{i}", "E2", "H1") for i in range(4)])
    assert [(e.route, len(e.member_ids), e.kind) for e in plan.envelopes] == [
        ("E1", 4, "household"), ("E2", 4, "household"),
    ]
    assert [p.employer for p in plan.parcels] == ["E1", "E2"]


# --- ML-3: routes -------------------------------------------------------------------

def test_a_voluntary_continuation_insured_is_mailed_directly(plan_of: Plan) -> None:
    family = household("H1", 2) + [member("H1-vc", household="H1", voluntary=True)]
    plan = plan_of(family)
    assert plan.direct == (hr.Envelope(None, "H1", ("H1-vc",), "household"),)
    assert plan.envelope_of("H1-vc").direct
    assert plan.envelope_of("H1-00").member_ids == ("H1-00", "H1-01")
    assert all(e.route == "E1" for p in plan.parcels for e in p.envelopes)


def test_a_member_without_an_employer_is_mailed_directly(plan_of: Plan) -> None:
    plan = plan_of([member("A", employer=None)])
    assert plan.parcels == () and plan.direct[0].member_ids == ("A",)


def test_parcels_carry_the_courier_from_the_rule_files(plan_of: Plan, book: hr.Rulebook) -> None:
    plan = plan_of(singles(3))
    assert plan.parcels[0].carrier == book.params_on(ON)["notice_courier"]


# --- ML-2: parcels ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("envelopes", "packaging", "sizes"),
    [
        (1, "non_standard_envelope", [1]),
        (100, "non_standard_envelope", [100]),
        (101, "box", [101]),
        (300, "box", [300]),
        (301, "box", [300, 1]),
        (601, "box", [300, 300, 1]),
    ],
)
def test_an_employer_s_envelopes_are_packed_by_count(
    plan_of: Plan, envelopes: int, packaging: str, sizes: list[int]
) -> None:
    plan = plan_of(singles(envelopes))
    assert [(p.packaging, len(p.envelopes)) for p in plan.parcels] == [(packaging, n) for n in sizes]
    assert [(p.index, p.of) for p in plan.parcels] == [(i, len(sizes)) for i in range(1, len(sizes) + 1)]


def test_ml2_counts_envelopes_not_members(plan_of: Plan) -> None:
    # 500 members, but 100 households of 5: 100 envelopes fit one non-standard envelope.
    plan = plan_of([m for h in range(100) for m in household(f"H{h:03d}", 5)])
    assert [(p.packaging, len(p.envelopes), p.members) for p in plan.parcels] == [("non_standard_envelope", 100, 500)]


def test_each_employer_is_packed_on_its_own(plan_of: Plan) -> None:
    plan = plan_of(singles(101, "E2") + [member(f"X{i}", "E1") for i in range(100)])
    assert [(p.employer, p.packaging) for p in plan.parcels] == [("E1", "non_standard_envelope"), ("E2", "box")]


# --- output -------------------------------------------------------------------------

def test_counts_rows_and_text(plan_of: Plan) -> None:
    plan = plan_of(singles(301) + household("H1", 6, "E2") + [member("V", voluntary=True)])
    counts = plan.counts()
    assert counts["E1"] == RouteCounts(301, 301, 301, 0, 0, 2)
    assert counts["E2"] == RouteCounts(6, 6, 0, 6, 1, 0)
    assert counts[None] == RouteCounts(1, 1, 1, 0, 0, 0)
    rows = plan.to_rows()
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows
    assert len(rows) == len(plan.envelopes) == 308
    assert rows[300]["parcel"] == 2 and rows[300]["envelope"] == 301 and rows[300]["packaging"] == "box"
    assert rows[-1] | {"member_ids": None} == {
        "route": None, "direct": True, "envelope": 1, "household": None, "kind": "household", "member_ids": None,
        "members": 1, "packaging": None, "parcel": None, "parcels": None, "carrier": None,
    }
    ja, en = plan.render("ja"), plan.render("en")
    assert "E1: 加入者 301 人・封筒 301 通 → 段ボール箱 2（300 + 1 通）" in ja
    assert "直接送付" in ja and "ML-3" in ja
    assert "E2: 6 members, 6 envelopes → one non-standard envelope" in en
    assert "<table>" in plan._repr_html_()
    with pytest.raises(ValueError, match="lang"):
        plan.render("fr")  # type: ignore[arg-type]


def test_the_plan_does_not_depend_on_input_order(plan_of: Plan) -> None:
    people = singles(150) + household("H2", 7) + household("H1", 3, "E3") + [member("V", voluntary=True)]
    shuffled = people[:]
    random.Random(1).shuffle(shuffled)
    assert plan_of(shuffled) == plan_of(people)


def test_an_unknown_member_is_named(plan_of: Plan) -> None:
    with pytest.raises(KeyError, match="'nobody'"):
        plan_of(singles(1)).envelope_of("nobody")


def test_the_day_is_required_and_must_be_a_date(book: hr.Rulebook) -> None:
    with pytest.raises(TypeError, match="on"):
        hr.plan_mailing(singles(1), book)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="datetime.date"):
        hr.plan_mailing(singles(1), book, on=datetime(2024, 10, 23))


# --- bad input ----------------------------------------------------------------------

def test_a_duplicate_member_id_is_named(plan_of: Plan) -> None:
    with pytest.raises(ValueError, match="'A'"):
        plan_of([member("A"), member("B"), member("A", "E2")])


@pytest.mark.parametrize("bad", [[{"id": "A"}], [member("A"), None], member("A"), "AB"])
def test_anything_but_members_is_refused_by_type(plan_of: Plan, bad: object) -> None:
    with pytest.raises(TypeError, match="dict|NoneType|Member|str"):
        plan_of(bad)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------

ROUTES = ("E1", "E2", "E3", "none", "voluntary")
HOUSEHOLDS = ("H1", "H2", "H3", None)
BOUNDARIES = (99, 100, 101, 299, 300, 301, 600, 601)


# Members are immutable: building each once keeps hundreds of examples fast.
@functools.cache
def _routed(member_id: str, route: str, household_id: str | None) -> hr.Member:
    employer = None if route in ("none", "voluntary") else route
    return member(member_id, employer, household_id, voluntary=route == "voluntary")


@st.composite
def populations(draw: st.DrawFn) -> list[hr.Member]:
    """Households of 1–8 on random routes (sharing names across routes), and one employer
    with a number of single members around the ML-2 boundaries."""
    people: list[hr.Member] = []
    blocks = st.tuples(st.sampled_from(ROUTES), st.sampled_from(HOUSEHOLDS), st.integers(1, 8))
    for route, household_id, size in draw(st.lists(blocks, max_size=15)):
        people += [_routed(f"M{len(people) + k}", route, household_id) for k in range(size)]
    bulk = draw(st.one_of(st.just(0), st.sampled_from(BOUNDARIES), st.integers(0, 700)))
    people += [_routed(f"B{k}", "E9", None) for k in range(bulk)]
    # One drawn seed, not st.permutations or st.randoms: a draw per element would be slow.
    random.Random(draw(st.integers(0, 2**32))).shuffle(people)
    return people


def _route_of(m: hr.Member) -> str | None:
    return None if m.voluntary_continuation else m.employer


# Populations of hundreds, each member evaluated: fewer examples keep these to seconds.
populations_settings = settings(max_examples=40)


@populations_settings
@given(populations())
def test_every_member_is_in_exactly_one_envelope(book: hr.Rulebook, people: list[hr.Member]) -> None:
    plan = hr.plan_mailing(people, book, on=ON)
    placed = Counter(i for e in plan.envelopes for i in e.member_ids)
    assert placed == Counter(m.id for m in people) and not plan.left_out
    assert sum(c.members for c in plan.counts().values()) == len(people) == plan.members
    assert sum(len(p.envelopes) for p in plan.parcels) == sum(1 for e in plan.envelopes if not e.direct)
    assert all(e.route == p.employer for p in plan.parcels for e in p.envelopes)
    assert all(e.direct for e in plan.direct)


@populations_settings
@given(populations())
def test_envelopes_follow_ml1_and_ml3(book: hr.Rulebook, people: list[hr.Member]) -> None:
    limit = MailingLimits.from_params(book.params_on(ON)).household_envelope_max_members
    plan = hr.plan_mailing(people, book, on=ON)
    by_id = {m.id: m for m in people}
    groups: dict[tuple[str | None, str], int] = Counter(
        (_route_of(m), m.household) for m in people if m.household is not None
    )
    for e in plan.envelopes:
        inside = [by_id[i] for i in e.member_ids]
        assert {(_route_of(m), m.household) for m in inside} == {(e.route, e.household)}
        assert e.member_ids == tuple(sorted(e.member_ids))
        if len(inside) > 1:
            assert e.kind == "household" and e.household is not None and len(inside) <= limit
        group = groups.get((e.route, e.household), 1) if e.household is not None else 1
        assert e.kind == ("household" if group <= limit else "individual")
        assert len(inside) == (group if group <= limit else 1)


@populations_settings
@given(populations())
def test_parcels_follow_ml2(book: hr.Rulebook, people: list[hr.Member]) -> None:
    limits = MailingLimits.from_params(book.params_on(ON))
    plan = hr.plan_mailing(people, book, on=ON)
    per_employer: dict[str, list[hr.Parcel]] = defaultdict(list)
    for p in plan.parcels:
        per_employer[p.employer].append(p)
    for parcels in per_employer.values():
        total = sum(len(p.envelopes) for p in parcels)
        if total <= limits.parcel_envelope_max:
            assert [p.packaging for p in parcels] == ["non_standard_envelope"]
        else:
            assert {p.packaging for p in parcels} == {"box"}
            assert len(parcels) == math.ceil(total / limits.box_capacity)
            assert all(len(p.envelopes) == limits.box_capacity for p in parcels[:-1])
        assert all(0 < len(p.envelopes) <= limits.box_capacity for p in parcels)
        assert [(p.index, p.of) for p in parcels] == [(i, len(parcels)) for i in range(1, len(parcels) + 1)]


@populations_settings
@given(populations())
def test_the_plan_is_the_same_for_any_input_order(book: hr.Rulebook, people: list[hr.Member]) -> None:
    assert hr.plan_mailing(people, book, on=ON) == hr.plan_mailing(sorted(people, key=lambda m: m.id), book, on=ON)


@settings(max_examples=60)
@given(st.lists(st.integers(0, 12), unique=True, max_size=6).flatmap(
    lambda ids: st.tuples(*(any_member(member_id=f"G{i}") for i in ids))
))
def test_a_plan_holds_exactly_the_members_its_mailing_assigns_and_lists_the_rest_with_why(
    book: hr.Rulebook, people: tuple[hr.Member, ...]
) -> None:
    # Ruling X-15: the plan of a mailing is the members notice.mailing assigns to it.
    for mailing in ("initial", "later_batch", "on_enrolment"):
        plan = hr.plan_mailing(people, book, on=ON, mailing=mailing)
        assigned = {m.id for m in people if book.evaluate(m, ON)["notice.mailing"].outcome == mailing}
        assert sorted(i for e in plan.envelopes for i in e.member_ids) == sorted(assigned)
        assert all(plan.envelope_of(i).direct == (_route_of(m) is None) for m in people if (i := m.id) in assigned)
        assert [row.member_id for row in plan.left_out] == sorted(m.id for m in people if m.id not in assigned)
        assert all(row.verdict.question == "notice.mailing" and row.verdict.outcome != mailing for row in plan.left_out)


def test_a_member_without_a_my_number_held_is_left_out_of_the_initial_mailing_with_the_reason(book: hr.Rulebook) -> None:
    unknown = hr.Member(id="U1", kind="insured", enrolled_on=date(2020, 4, 1), employer="E1")
    plan = hr.plan_mailing([member("A"), unknown], book, on=ON)
    assert plan.members == 1 and [row.to_dict() for row in plan.left_out] == [
        {"member_id": "U1", "mailing": "none_my_number_not_held", "rule_id": "EN-2"},
    ]
    assert "この便の対象外 1 人：送付しない（マイナンバーの届出がない） 1" in plan.render("ja")
    assert "Not in this mailing: 1 members" in plan.render("en")
    with pytest.raises(ValueError, match="mailing must be one of initial, .*got 'monthly'"):
        hr.plan_mailing([member("A")], book, on=ON, mailing="monthly")
