"""Deadlines counted in days end on a working day (ruling X-21).

The days off come from ``rules/seed/parameters.yaml`` (``deadline_days_off``) and the
national holidays from the ``holidays`` package; ``jpholiday``, an independent
calendar, checks them on every day of 2024–2032.
"""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.law.calendar import parse_days_off


LAW = hr.Rulebook.load().parameters["deadline_days_off"].values[0].value
assert isinstance(LAW, str)
DAYS_OFF = parse_days_off(LAW)


def _off_by_statute(day: date) -> bool:
    """行政機関の休日に関する法律 第1条, with jpholiday's national holidays."""
    return day.weekday() >= 5 or jpholiday.is_holiday(day) or (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)


def test_days_off_agree_with_an_independent_calendar_on_every_day_2024_to_2032() -> None:
    day, wrong = date(2024, 1, 1), []
    while day <= date(2032, 12, 31):
        if (DAYS_OFF.reason(day) is not None) != _off_by_statute(day):
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []


@given(st.dates(date(2024, 1, 1), date(2032, 12, 20)))
def test_next_working_day_is_the_first_day_not_off(day: date) -> None:
    moved = DAYS_OFF.next_working_day(day)
    assert not _off_by_statute(moved)
    assert all(_off_by_statute(day + timedelta(days=i)) for i in range((moved - day).days))


@pytest.mark.parametrize(
    ("text", "word"),
    [("saturday funday", "funday"), ("13-01/01-03", "13-01/01-03"), ("", "empty"), ("02-30/03-01", "02-30/03-01")],
)
def test_a_malformed_days_off_parameter_names_the_word(text: str, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        parse_days_off(text)


def _enrolled(on: date, **extra: object) -> hr.Member:
    return hr.Member(id="W1", kind="insured", enrolled_on=on, employer="E1", **extra)  # type: ignore[arg-type]


@given(st.dates(date(2024, 6, 1), date(2032, 12, 20)))
def test_the_enrolment_notification_is_due_on_the_first_working_day_from_the_fifth(enrolled: date) -> None:
    """X-21 on EM-1: the 5th day after enrolment, moved past days off."""
    verdict = hr.Rulebook.load().evaluate(_enrolled(enrolled), on=enrolled)["enrolment_notification.due"]
    fifth = enrolled + timedelta(days=5)
    assert verdict.data["due_on"] == DAYS_OFF.next_working_day(fifth)
    assert not _off_by_statute(verdict.data["due_on"])


def test_a_notification_filed_on_the_moved_deadline_is_on_time_and_the_explanation_says_why() -> None:
    # Enrolled 2025-12-26: the 5th day is 12-31 (year end); 01-03 is a Saturday, so 2026-01-05.
    book = hr.Rulebook.load()
    member = _enrolled(date(2025, 12, 26), enrolment_notified_on=date(2026, 1, 5))
    decision = book.evaluate(member, on=date(2026, 1, 6))
    assert decision["enrolment_notification.status"].outcome == "on_time"
    text = decision.explain("ja", question="enrolment_notification.due")
    assert "令和8年1月5日" in text and "末日の令和7年12月31日が年末年始の休日のため翌営業日まで延長" in text
    english = decision.explain("en", question="enrolment_notification.due")
    assert "moved from 2025-12-31, a year-end day off, to the next working day" in english


def test_on_a_working_fifth_day_nothing_moves_and_nothing_is_said() -> None:
    decision = hr.Rulebook.load().evaluate(_enrolled(date(2025, 4, 1)), on=date(2025, 4, 2))
    assert decision["enrolment_notification.due"].data["due_on"] == date(2025, 4, 7)  # 04-06 is a Sunday
    assert "延長" in decision.explain("ja", question="enrolment_notification.due")
    decision = hr.Rulebook.load().evaluate(_enrolled(date(2025, 4, 2)), on=date(2025, 4, 2))
    assert decision["enrolment_notification.due"].data["due_on"] == date(2025, 4, 7)
    assert "延長" not in decision.explain("ja", question="enrolment_notification.due")


def test_an_insurer_that_does_not_move_deadlines_sets_the_parameter_to_none(rules_copy) -> None:  # type: ignore[no-untyped-def]
    path = rules_copy / "seed" / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'value: "saturday sunday national_holiday 12-29/01-03"', 'value: "none"'), encoding="utf-8")
    book = hr.Rulebook.load(root=rules_copy)
    decision = book.evaluate(_enrolled(date(2025, 12, 26)), on=date(2025, 12, 26))
    assert decision["enrolment_notification.due"].data["due_on"] == date(2025, 12, 31)


def test_the_direct_certificate_return_moves_past_days_off_too() -> None:
    """X-21 on B-7.direct: a voluntary continuation insured returns the certificate within 5 days."""
    book = hr.Rulebook.load()
    member = hr.Member(
        id="W2", kind="insured", voluntary_continuation=True, enrolled_on=date(2025, 1, 1), loss_on=date(2026, 4, 28),
        certificate=hr.Certificate(issued_on=date(2025, 12, 2)),
    )
    verdict = book.evaluate(member, on=date(2026, 4, 28))["certificate.must_return"]
    assert verdict.outcome == "direct"
    # 05-03 is the 5th day (Constitution Day), then 05-04, 05-05, 05-06 (a substitute holiday).
    assert verdict.data["due_on"] == date(2026, 5, 7)
