"""Tests for hokensho_rules.law.calendar: statutory periods and wareki dates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hokensho_rules.membership.columns import parse_date
from hokensho_rules.law.calendar import (
    WarekiError,
    civil_period_end,
    default_eras_file,
    end_of_month,
    end_of_month_after,
    format_wareki,
    load_eras,
    parse_wareki,
    within_days_deadline,
)

FIRST_SUPPORTED = date(1926, 12, 25)


def _last_day_of_month(year: int, month: int) -> date:
    """Independent of the code under test: the day before the next month's 1st."""
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return next_first - timedelta(days=1)


def _shift_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


# --- periods ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "months", "expected"),
    [
        (date(2025, 12, 2), 5, 0, date(2030, 12, 1)),
        (date(2024, 2, 29), 5, 0, date(2029, 2, 28)),
        (date(2024, 2, 29), 4, 0, date(2028, 2, 28)),  # 2028-02-29 exists
        (date(2025, 2, 28), 1, 0, date(2026, 2, 27)),
        (date(2025, 1, 31), 0, 1, date(2025, 2, 28)),  # no 02-31: month's last day
        (date(2025, 3, 1), 0, 1, date(2025, 3, 31)),
        (date(2024, 3, 31), 0, 1, date(2024, 4, 30)),  # no 04-31
        (date(2024, 1, 30), 0, 1, date(2024, 2, 29)),  # no 02-30, leap year
        (date(2024, 1, 29), 0, 1, date(2024, 2, 28)),  # 02-29 exists
        (date(2025, 1, 15), 0, 1, date(2025, 2, 14)),
        (date(2025, 12, 15), 0, 1, date(2026, 1, 14)),  # crosses a year
        (date(2025, 8, 31), 1, 6, date(2027, 2, 28)),  # years and months combined
        (date(2025, 4, 1), 0, 14, date(2026, 5, 31)),
    ],
)
def test_civil_period_end_examples(start: date, years: int, months: int, expected: date) -> None:
    assert civil_period_end(start, years=years, months=months) == expected


@pytest.mark.parametrize(
    ("years", "months", "named"),
    [(-1, 0, "years"), (0, -1, "months"), (2, -1, "months"), (0, 0, "years and months")],
)
def test_civil_period_end_rejects_bad_lengths(years: int, months: int, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        civil_period_end(date(2025, 1, 1), years=years, months=months)


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(0, 50), st.integers(0, 600))
def test_civil_period_end_bounds(start: date, years: int, months: int) -> None:
    if years == 0 and months == 0:
        months = 1
    end = civil_period_end(start, years=years, months=months)
    year, month = _shift_months(start, years * 12 + months)
    last_day = _last_day_of_month(year, month)
    clamped = date(year, month, min(start.day, last_day.day))
    assert clamped - timedelta(days=1) <= end <= last_day
    if start.day <= last_day.day:
        assert end + timedelta(days=1) == date(year, month, start.day)
    else:
        assert end == last_day


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(1, 50))
def test_civil_period_end_years_equal_twelve_months(start: date, years: int) -> None:
    assert civil_period_end(start, years=years) == civil_period_end(start, months=12 * years)


def test_within_days_deadline_example() -> None:
    assert within_days_deadline(date(2025, 4, 1), 5) == date(2025, 4, 6)


def test_within_days_deadline_crosses_month() -> None:
    assert within_days_deadline(date(2025, 1, 30), 14) == date(2025, 2, 13)


@pytest.mark.parametrize("days", [0, -3])
def test_within_days_deadline_rejects_non_positive(days: int) -> None:
    with pytest.raises(ValueError, match="days"):
        within_days_deadline(date(2025, 4, 1), days)


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(1, 3650))
def test_within_days_deadline_is_n_days_later(event: date, days: int) -> None:
    assert within_days_deadline(event, days) - event == timedelta(days=days)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 2, 10), date(2025, 2, 28)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 4, 30), date(2025, 4, 30)),
        (date(2025, 12, 31), date(2025, 12, 31)),
    ],
)
def test_end_of_month(d: date, expected: date) -> None:
    assert end_of_month(d) == expected


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2025, 2, 10), 3, date(2025, 5, 31)),
        (date(2025, 2, 10), 0, date(2025, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2025, 10, 1), 14, date(2026, 12, 31)),
    ],
)
def test_end_of_month_after(d: date, months: int, expected: date) -> None:
    assert end_of_month_after(d, months) == expected


def test_end_of_month_after_rejects_negative() -> None:
    with pytest.raises(ValueError, match="months"):
        end_of_month_after(date(2025, 2, 10), -1)


@given(st.dates(date(1, 1, 1), date(9000, 12, 31)), st.integers(0, 120))
def test_end_of_month_after_is_a_month_end(d: date, months: int) -> None:
    year, month = _shift_months(d, months)
    assert end_of_month_after(d, months) == _last_day_of_month(year, month)


# --- wareki ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年12月2日", date(2024, 12, 2)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("R6.12.2", date(2024, 12, 2)),
        ("R06.12.02", date(2024, 12, 2)),
        ("R6/12/2", date(2024, 12, 2)),
        ("令和6.12.2", date(2024, 12, 2)),
        ("r6.12.2", date(2024, 12, 2)),
        ("H31.4.30", date(2019, 4, 30)),
        ("h1.1.8", date(1989, 1, 8)),
        ("S64.1.7", date(1989, 1, 7)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("令和６年１２月２日", date(2024, 12, 2)),
        ("Ｒ６．１２．２", date(2024, 12, 2)),
        ("令和 6年 12月 2日", date(2024, 12, 2)),
        ("  令和6年12月2日\n", date(2024, 12, 2)),
        ("\u3000令和6年12月2日\u3000", date(2024, 12, 2)),
        ("㋿6年12月2日", date(2024, 12, 2)),
        ("平成2年1月1日", date(1990, 1, 1)),
    ],
)
def test_parse_wareki(text: str, expected: date) -> None:
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("明治5年1月1日", "unknown era '明治'"),
        ("X6.12.2", "unknown era 'X'"),
        ("", "malformed"),
        ("令和6年12月", "malformed"),
        ("R6.12/2", "malformed"),
        ("2024-12-02", "malformed"),
        ("令和6年12月2日生", "malformed"),
        ("令和0年1月1日", "year 0"),
        ("R00.5.1", "year 0"),
        ("令和6年2月30日", "no such date 2024-02-30"),
        ("R6.13.1", "no such date 2024-13-01"),
        ("平成32年1月1日", "after 平成 ended on 2019-04-30"),
        ("平成31年5月1日", "after 平成 ended on 2019-04-30"),
        ("令和元年4月30日", "before 令和 began on 2019-05-01"),
        ("平成元年1月7日", "before 平成 began on 1989-01-08"),
        ("S64.1.8", "after 昭和 ended on 1989-01-07"),
    ],
)
def test_parse_wareki_errors(text: str, problem: str) -> None:
    with pytest.raises(WarekiError) as caught:
        parse_wareki(text)
    message = str(caught.value)
    assert repr(text) in message
    assert problem in message


# Texts shaped like dates, with numbers of any length: a cell typed wrong, or a My Number in a date column.
numbers = st.integers(0, 10**30).map(str) | st.text("0123456789０１２", min_size=1, max_size=40)
date_shaped = st.builds(lambda era, y, m, d, form: form.format(era, y, m, d),
                        st.sampled_from(["令和", "平成", "R", "h", "㋿", "元"]), numbers | st.just("元"), numbers, numbers,
                        st.sampled_from(["{}{}年{}月{}日", "{}{}.{}.{}", "{}{}-{}-{}", "{}{}/{}/{}"]))


@given(date_shaped)
def test_parse_wareki_gives_a_date_or_a_wareki_error_for_any_numbers(text: str) -> None:
    try:
        parsed = parse_wareki(text)
    except WarekiError as error:
        assert "123456789018" not in str(error)
    else:
        assert format_wareki(parsed, "short")  # a date of a known era


@given(date_shaped | st.builds("{}/{}/{}".format, numbers, numbers, numbers))
def test_a_date_cell_is_a_date_or_says_which_forms_are_accepted(text: str) -> None:
    try:
        parse_date(text)
    except ValueError as error:
        assert "not a date" in str(error)


def test_wareki_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_wareki("令和6年2月30日")


@pytest.mark.parametrize(
    ("d", "kanji", "short"),
    [
        (date(2024, 12, 2), "令和6年12月2日", "R6.12.2"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (date(1927, 1, 1), "昭和2年1月1日", "S2.1.1"),
    ],
)
def test_format_wareki(d: date, kanji: str, short: str) -> None:
    assert format_wareki(d) == kanji
    assert format_wareki(d, "kanji") == kanji
    assert format_wareki(d, "short") == short


def test_format_wareki_rejects_dates_before_showa() -> None:
    with pytest.raises(WarekiError, match="1926-12-24"):
        format_wareki(date(1926, 12, 24))


def test_format_wareki_rejects_unknown_style() -> None:
    with pytest.raises(ValueError, match="style"):
        format_wareki(date(2024, 12, 2), "long")  # type: ignore[arg-type]


@given(st.dates(FIRST_SUPPORTED, date(2100, 12, 31)), st.sampled_from(["kanji", "short"]))
def test_wareki_round_trip(d: date, style: str) -> None:
    assert parse_wareki(format_wareki(d, style)) == d  # type: ignore[arg-type]


# --- era table -------------------------------------------------------------


def test_bundled_era_table() -> None:
    eras = load_eras(default_eras_file())
    assert [(e.name, e.initial, e.english, e.start, e.end) for e in eras] == [
        ("昭和", "S", "Showa", date(1926, 12, 25), date(1989, 1, 7)),
        ("平成", "H", "Heisei", date(1989, 1, 8), date(2019, 4, 30)),
        ("令和", "R", "Reiwa", date(2019, 5, 1), None),
    ]
    assert all(e.citation for e in eras)


_TAISHO_TABLE = """\
eras:
  - {name: 大正, initial: T, english: Taisho, start: 1912-07-30, citation: test}
  - {name: 昭和, initial: S, english: Showa, start: 1926-12-25, citation: test}
"""


def test_custom_era_table_extends_range(tmp_path: Path) -> None:
    path = tmp_path / "eras.yaml"
    path.write_text(_TAISHO_TABLE, encoding="utf-8")
    assert format_wareki(date(1926, 12, 24), eras_file=path) == "大正15年12月24日"
    assert parse_wareki("T15.12.24", eras_file=path) == date(1926, 12, 24)
    with pytest.raises(WarekiError, match="unknown era"):
        parse_wareki("令和6年12月2日", eras_file=path)


def _reiwa_only(name: str = "令和", initial: str = "R", start: str = "2019-05-01") -> str:
    entry = f"{{name: {name}, initial: {initial}, english: Reiwa, start: {start}, citation: x}}"
    return f"eras:\n  - {entry}\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("- just a list\n", "'eras' list"),
        ("eras: []\n", "empty"),
        ("eras:\n  - {name: 令和, initial: R}\n", "keys"),
        (_reiwa_only(start="'2019-05-01'"), "YAML date"),
        (_reiwa_only(initial="RR"), "capital"),
        (_reiwa_only(name="''"), "non-empty"),
        (
            (
                "eras:\n"
                "  - {name: 令和, initial: R, english: Reiwa, start: 2019-05-01, citation: x}\n"
                "  - {name: 平成, initial: H, english: Heisei, start: 1989-01-08, citation: x}\n"
            ),
            "increasing",
        ),
        (
            (
                "eras:\n"
                "  - {name: 平成, initial: H, english: Heisei, start: 1989-01-08, citation: x}\n"
                "  - {name: 令和, initial: H, english: Reiwa, start: 2019-05-01, citation: x}\n"
            ),
            "initials must be unique",
        ),
    ],
)
def test_load_eras_rejects_malformed_tables(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "eras.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as caught:
        load_eras(path)
    assert str(path) in str(caught.value)
