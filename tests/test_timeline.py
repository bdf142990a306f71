"""Timelines: intervals from change points agree with evaluating every day."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.law.loader import rules_dir
from hokensho_rules.testing import boundary_dates, members
from hokensho_rules.evaluation.change_points import change_points, rulebook_dates
from hokensho_rules.evaluation.trace import Trace

BOOK = hr.Rulebook.load(["seed"])  # the concrete cases below are the seed's
IN_FORCE = hr.Rulebook.load()
START, END = date(2024, 10, 1), date(2031, 1, 1)


def enrolled_2020(**changes: object) -> hr.Member:
    fields: dict[str, object] = {
        "id": "M1", "kind": "insured", "enrolled_on": date(2020, 4, 1),
        "paper_card": hr.PaperCard(issued_on=date(2020, 4, 1)),
    }
    return hr.Member.model_validate({**fields, **changes})


def runs(timeline: hr.Timeline, question: str) -> list[tuple[date, date, str, str]]:
    return [(r.start, r.end, r.outcome, r.rule_id) for r in timeline[question]]


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(st.dates(date(2024, 1, 1), date(2026, 6, 30)))
    return start, start + timedelta(days=draw(st.integers(3 * 365, 5 * 365)))


# Each example evaluates every day of a 3–5-year window (~1,500 evaluations), so few
# are run; the explicit ones make sure every kind of change point is among them.
@settings(max_examples=40)
@given(members(), windows())
@example(  # a validity end derived from the issue date (period_end), and a loss date
    enrolled_2020(loss_on=date(2030, 9, 1), certificate=hr.Certificate(issued_on=date(2024, 12, 20))),
    (date(2024, 6, 1), date(2029, 12, 31)),
)
@example(  # an expiry compared with "before the date": the outcome changes the day after it
    enrolled_2020(
        my_number_held=True,
        insurer_registered_on=date(2024, 3, 1),
        my_number_card=hr.MyNumberCard(
            registered_for_insurance_on=date(2025, 2, 1), certificate_expires_on=date(2027, 6, 30)
        ),
    ),
    (date(2024, 1, 1), date(2028, 1, 1)),
)
@example(  # a request, a certificate expiring on its printed date, a dependant's late enrolment
    enrolled_2020(
        kind="dependant",
        enrolled_on=date(2025, 1, 10),
        paper_card=None,
        certificate=hr.Certificate(issued_on=date(2025, 1, 10), expires_on=date(2026, 7, 31)),
        requests=hr.Requests(certificate_on_enrolment_form=True, certificate_for_circumstances_on=date(2027, 2, 1)),
    ),
    (date(2024, 11, 1), date(2028, 10, 31)),
)
def test_the_timeline_agrees_with_evaluating_every_day(member: hr.Member, window: tuple[date, date]) -> None:
    start, end = window
    timeline = IN_FORCE.timeline(member, start, end)
    for question, intervals in timeline.items():
        assert intervals[0].start == start and intervals[-1].end == end
        for earlier, later in itertools.pairwise(intervals):
            assert later.start == earlier.end + timedelta(days=1)
            assert (earlier.outcome, earlier.rule_id) != (later.outcome, later.rule_id), question
    day = start
    while day <= end:
        decision = IN_FORCE.evaluate(member, day)
        for question, interval in timeline.at(day).items():
            verdict = decision[question]
            assert (interval.outcome, interval.rule_id) == (verdict.outcome, verdict.rule_id), (question, day)
        day += timedelta(days=1)


def test_a_paper_card_of_2020_is_usable_to_2025_12_01_then_not() -> None:
    timeline = BOOK.timeline(enrolled_2020(), START, END)
    assert runs(timeline, "paper_card.usable") == [
        (START, date(2025, 12, 1), "yes", "PC-2"),
        (date(2025, 12, 2), END, "no", "PC-3"),
    ]
    issuance = timeline["certificate.issuance"]
    assert [r.start for r in issuance] == [START, date(2024, 12, 2), date(2025, 12, 2)]
    # Due by the card's last day while it is usable, and still by that day once it is not.
    assert [(r.outcome, r.rule_id, r.verdict.data.get("deadline")) for r in issuance[1:]] == [
        ("ex_officio", "EC-1", date(2025, 12, 1)), ("ex_officio", "EC-1.no_paper_card", date(2025, 12, 1)),
    ]
    assert [r.outcome for r in timeline["member.eligible"]] == ["yes"]


def test_a_loss_date_ends_eligibility_and_the_documents() -> None:
    timeline = BOOK.timeline(enrolled_2020(loss_on=date(2025, 4, 1)), START, END)
    assert runs(timeline, "member.eligible") == [
        (START, date(2025, 3, 31), "yes", "PC-5.enrolled"),
        (date(2025, 4, 1), END, "no", "PC-5"),
    ]
    assert runs(timeline, "paper_card.usable") == [
        (START, date(2025, 3, 31), "yes", "PC-2"),
        (date(2025, 4, 1), END, "no", "PC-5.paper_card"),
    ]
    must_return = timeline["paper_card.must_return"]
    assert [(r.start, r.outcome) for r in must_return] == [(START, "no"), (date(2025, 4, 1), "yes")]
    assert must_return[1].rule_id == "PC-6"
    data = timeline.at(date(2024, 12, 2))["paper_card.usable"].verdict.data
    assert data["usable_until"] == date(2025, 3, 31)


def test_a_certificate_expires_on_a_date_derived_from_its_issue_date() -> None:
    # The 5-year validity end is named by no rule nor fact: only by the certificate's data.
    member = enrolled_2020(certificate=hr.Certificate(issued_on=date(2025, 3, 10)))
    timeline = BOOK.timeline(member, START, END)
    usable = runs(timeline, "certificate.usable")
    assert [(r[0], r[2]) for r in usable] == [(START, "no"), (date(2025, 3, 10), "yes"), (date(2030, 3, 10), "no")]
    assert usable[2][3] == "EC-4.expired"


def test_a_change_of_rule_alone_is_a_change() -> None:
    # Issued ex officio before and after 2025-12-02, but for a different reason.
    timeline = BOOK.timeline(enrolled_2020(), START, END)
    issuance = timeline["certificate.issuance"]
    assert [(r.outcome, r.rule_id) for r in issuance[1:]] == [("ex_officio", "EC-1"), ("ex_officio", "EC-1.no_paper_card")]
    assert "申請によらず職権で交付（変わらず）" in timeline.render("ja")
    assert "issued ex officio without application (unchanged)" in timeline.render("en")


def test_far_fewer_evaluations_than_days(monkeypatch: pytest.MonkeyPatch) -> None:
    book = hr.Rulebook.load()
    calls: list[date] = []
    trace = book.trace

    def counted(member: hr.Member, on: date, **options: object) -> Trace:
        calls.append(on)
        return trace(member, on, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(book, "trace", counted)
    member = enrolled_2020(
        loss_on=date(2027, 6, 1),
        my_number_held=True,
        insurer_registered_on=date(2024, 9, 12),
        my_number_card=hr.MyNumberCard(
            registered_for_insurance_on=date(2025, 2, 1), certificate_expires_on=date(2029, 6, 30)
        ),
        certificate=hr.Certificate(issued_on=date(2025, 1, 15)),
    )
    timeline = book.timeline(member, date(2024, 6, 1), date(2030, 6, 1))
    assert len(calls) == len(set(calls)) == len(timeline.points) < 60
    assert timeline.points == change_points(book, member, date(2024, 6, 1), date(2030, 6, 1))


def test_change_points_start_the_window_and_stay_inside_it() -> None:
    member = enrolled_2020(loss_on=date(2040, 1, 1))
    points = change_points(BOOK, member, date(2025, 1, 1), date(2026, 1, 1))
    assert points[0] == date(2025, 1, 1)
    assert list(points) == sorted(set(points))
    assert all(date(2025, 1, 1) <= p <= date(2026, 1, 1) for p in points)
    assert date(2025, 12, 2) in points  # named by a parameter


def test_boundary_dates_come_from_the_rulebook_dates() -> None:
    named = rulebook_dates(BOOK)
    assert date(2024, 12, 2) in named and date(2025, 12, 1) in named  # the abolition, the transition's last day
    assert set(boundary_dates(BOOK)) == {d + timedelta(days=s) for d in named for s in (-1, 0, 1)}


def test_a_one_day_timeline() -> None:
    timeline = BOOK.timeline(enrolled_2020(), date(2025, 12, 2), date(2025, 12, 2))
    assert all(len(intervals) == 1 for intervals in timeline.values())
    assert timeline.changes() == ()
    assert "変化：なし" in timeline.render("ja")
    assert "Changes: none" in timeline.render("en")


def test_the_changes_are_dated_and_ordered() -> None:
    changes = BOOK.timeline(enrolled_2020(), START, END).changes()
    assert [(c.on, c.question) for c in changes] == [
        (date(2024, 12, 2), "paper_card.issuable"),
        (date(2024, 12, 2), "certificate.ex_officio_target"),
        (date(2024, 12, 2), "certificate.issuance"),
        (date(2024, 12, 2), "certificate.delivery"),
        (date(2025, 12, 2), "paper_card.usable"),
        (date(2025, 12, 2), "certificate.issuance"),
        (date(2025, 12, 2), "coverage.route"),
    ]
    card = changes[4]
    assert (card.before.rule_id, card.after.rule_id) == ("PC-2", "PC-3")


def test_the_text_says_what_changes_when_and_why() -> None:
    timeline = BOOK.timeline(enrolled_2020(), START, END)
    ja = timeline.render("ja")
    assert ja.splitlines()[0] == "加入者 M1：令和6年10月1日から令和13年1月1日までの変化"
    line = next(x for x in ja.splitlines() if "令和7年12月2日　" in x)
    assert "健康保険証を使用できるか：使用できる → 使用できない" in line
    # The title quotes the transition's last day from the parameter, as 令和.
    assert "PC-3「令和7年12月1日より後は、健康保険証は使用できない」" in line and "前: PC-2" in line
    en = timeline.render("en")
    assert "2025-12-02  Is the paper card usable: usable → not usable" in en
    assert 'PC-3 "After 2025-12-01 no paper card is usable"; before: PC-2' in en
    assert len([x for x in en.splitlines() if x.startswith("  20")]) == 7
    with pytest.raises(ValueError, match="lang"):
        timeline.render("fr")  # type: ignore[arg-type]


def test_the_timeline_as_data() -> None:
    timeline = BOOK.timeline(enrolled_2020(), START, END)
    data = json.loads(json.dumps(timeline.to_dict()))
    assert data["member_id"] == "M1" and data["start"] == "2024-10-01"
    assert data["intervals"]["paper_card.usable"][1] == {
        "question": "paper_card.usable", "start": "2025-12-02", "end": "2031-01-01",
        "outcome": "no", "rule_id": "PC-3", "data": {"replace_by": "2025-12-01"},
    }
    assert data["changes"][4]["to"] == {"outcome": "no", "rule_id": "PC-3"}
    rows = json.loads(json.dumps(timeline.to_rows()))
    assert len(rows) == sum(len(i) for i in timeline.values())
    assert sum(r["days"] for r in rows if r["question"] == "member.eligible") == (END - START).days + 1
    assert repr(timeline) == "Timeline(member='M1', 2024-10-01..2031-01-01: 7 changes in 18 questions)"
    assert "<table>" in timeline._repr_html_()


def test_at_a_day_outside_and_an_unknown_question() -> None:
    timeline = BOOK.timeline(enrolled_2020(), START, END)
    assert timeline.at(END)["paper_card.usable"].outcome == "no"
    with pytest.raises(ValueError, match="outside"):
        timeline.at(END + timedelta(days=1))
    with pytest.raises(KeyError, match="paper_card.usable"):
        timeline["paper_card.used"]


@pytest.mark.parametrize(
    ("start", "end", "error", "message"),
    [
        (datetime(2025, 1, 1, 9), date(2026, 1, 1), TypeError, "start must be a datetime.date"),
        (date(2025, 1, 1), "2026-01-01", TypeError, "end must be a datetime.date, got '2026-01-01'"),
        (date(2026, 1, 1), date(2025, 1, 1), ValueError, "start=2026-01-01, end=2025-01-01"),
    ],
)
def test_bad_windows_are_refused(start: object, end: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        BOOK.timeline(enrolled_2020(), start, end)  # type: ignore[arg-type]


def test_a_member_must_be_a_member() -> None:
    with pytest.raises(TypeError, match="member must be"):
        BOOK.timeline({"id": "M1"}, START, END)  # type: ignore[arg-type]


def test_dates_computed_from_the_evaluation_date_name_no_change_point() -> None:
    # Ex officio issuance carries the validity a certificate issued that day would have:
    # a new value every day, which must not multiply the points.
    member = enrolled_2020()
    points = change_points(BOOK, member, START, END)
    prospective = BOOK.evaluate(member, date(2024, 12, 2))["certificate.issuance"].data
    assert prospective["valid_until_if_issued_on_date"] == date(2029, 12, 1)
    assert date(2029, 12, 2) not in points and len(points) < 10


def test_a_rule_comparing_with_a_date_that_moves_every_day_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    path = root / "seed" / "certificate.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == "EC-6")
    moving = {"outcome": "certificate.issuance", "data": "valid_until_if_issued_on_date"}
    rule["when"].append({"fact": "date", "lte": moving})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book = hr.Rulebook.load(root=root)
    with pytest.raises(ValueError, match="rule EC-6 compares with certificate.issuance.valid_until_if_issued_on_date"):
        book.timeline(enrolled_2020(), START, END)
    assert boundary_dates(book)  # the rulebook's own dates are still known
