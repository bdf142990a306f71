"""The input schema: English columns and Japanese headers, cells as insurers write them, clear errors."""

from __future__ import annotations

from datetime import date

import pytest

import hokensho_rules as hr
from hokensho_rules.membership.columns import (
    COLUMNS,
    JA_HEADERS,
    REQUIRED,
    Header,
    SchemaError,
    member_cells,
    parse_date,
    parse_row,
)


def one(cells: dict[str, object]) -> hr.Member | hr.RowError:
    return parse_row(Header.resolve(cells), list(cells.values()), 1)


def test_columns_are_the_models_fields_and_every_japanese_header_names_one() -> None:
    assert REQUIRED == ("id", "kind", "enrolled_on")
    assert {"paper_card.issued_on", "my_number_card.registered_for_insurance_on", "abroad.japanese_national",
            "requests.certificate_on_enrolment_form"} <= set(COLUMNS)
    headers = [h for name, aliases in JA_HEADERS.items() if name in COLUMNS for h in aliases]
    assert len(headers) == len(set(headers))
    assert [c.name for c in Header.resolve(["加入者番号", "区分", "資格取得日", "保険証交付日"]).columns] == [
        "id", "kind", "enrolled_on", "paper_card.issued_on"]


def test_japanese_headers_wareki_dates_and_flags_make_the_member_english_columns_make() -> None:
    japanese = one({"加入者番号": "M1", "区分": "被扶養者", "資格取得日": "令和2年4月1日", "個人番号保有": "有",
                    "保険証交付日": "2020/4/1", "資格確認書交付希望": "1", "資格喪失日": ""})
    english = one({"id": "M1", "kind": "dependant", "enrolled_on": "2020-04-01", "my_number_held": "true",
                   "paper_card.issued_on": "2020-04-01", "requests.certificate_on_enrolment_form": "TRUE",
                   "loss_on": None})
    assert japanese == english
    assert isinstance(english, hr.Member) and english.loss_on is None and english.paper_card is not None


def test_typed_cells_from_dataframes_and_parquet_are_read_as_they_are() -> None:
    import numpy as np
    import pandas as pd

    member = one({"id": np.int64(42), "kind": "insured", "enrolled_on": pd.Timestamp("2020-04-01"),
                  "voluntary_continuation": np.bool_(False), "loss_on": pd.NaT, "employer": float("nan"),
                  "household": pd.NA, "paper_card.issued_on": date(2020, 4, 1)})
    assert isinstance(member, hr.Member)
    assert (member.id, member.enrolled_on, member.loss_on, member.employer) == ("42", date(2020, 4, 1), None, None)


def test_a_document_is_held_when_any_of_its_cells_is_filled_and_its_required_date_is_named() -> None:
    error = one({"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01", "paper_card.issued_on": "",
                 "paper_card.expires_on": "2030-01-01"})
    assert isinstance(error, hr.RowError)
    assert error.column == "paper_card.issued_on" and "required" in error.problem


@pytest.mark.parametrize(("column", "value", "says"), [
    ("enrolled_on", "2020-02-30", "not a date"),
    ("enrolled_on", "令和0年1月1日", "not a date"),
    ("my_number_held", "maybe", "not a flag"),
    ("kind", "boss", "not a kind"),
])
def test_one_bad_cell_is_an_error_row_naming_row_column_and_value(column: str, value: str, says: str) -> None:
    cells: dict[str, object] = {"id": "M9", "kind": "insured", "enrolled_on": "2020-04-01", "my_number_held": ""}
    cells[column] = value
    error = parse_row(Header.resolve(cells), list(cells.values()), 17)
    assert isinstance(error, hr.RowError)
    assert (error.row, error.member_id, error.column, error.value) == (17, "M9", column, value)
    assert says in error.problem


def test_an_invalid_member_names_the_rule_of_the_models() -> None:
    error = one({"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01", "loss_on": "2019-01-01"})
    assert isinstance(error, hr.RowError) and error.kind == "ValidationError"
    assert error.problem == "loss_on (2019-01-01) must be after enrolled_on (2020-04-01)"
    assert error.problem_ja == "「loss_on」（2019-01-01）は「enrolled_on」（2020-04-01）より後の日付にしてください"


@pytest.mark.parametrize("header", ["my_number", "My Number", "マイナンバー", "個人番号"])
def test_a_my_number_column_is_never_accepted(header: str) -> None:
    with pytest.raises(SchemaError, match="is not accepted: hokensho-rules never reads a My Number"):
        Header.resolve(["id", "kind", "enrolled_on", header])


def test_an_id_that_could_be_a_my_number_is_never_repeated() -> None:
    error = one({"id": "123456789012", "kind": "insured", "enrolled_on": "2020-04-01", "my_number_held": "x"})
    assert isinstance(error, hr.RowError) and error.member_id is None
    assert "123456789012" not in str(error)
    bad_id = one({"id": "12345678901 2", "kind": "insured", "enrolled_on": "2020-04-01"})
    assert isinstance(bad_id, hr.RowError) and bad_id.column == "id" and bad_id.value is None
    assert "12345678901" not in str(bad_id)


def test_unknown_missing_and_repeated_columns_are_named() -> None:
    with pytest.raises(SchemaError, match="unknown column 'shoe_size'"):
        Header.resolve(["id", "kind", "enrolled_on", "shoe_size"])
    with pytest.raises(SchemaError, match="missing required column\\(s\\): enrolled_on"):
        Header.resolve(["id", "kind"])
    with pytest.raises(SchemaError, match="column 'id' is given twice: as 'id' and as '加入者番号'"):
        Header.resolve(["id", "kind", "enrolled_on", "加入者番号"])


def test_dates_in_every_accepted_form() -> None:
    for text in ("2025-12-02", "2025/12/02", "2025/12/2", "令和7年12月2日", "R7.12.2", "２０２５－１２－０２"):
        assert parse_date(text) == date(2025, 12, 2), text
    with pytest.raises(ValueError, match="2020-04-01, 2020/04/01 or 令和2年4月1日"):
        parse_date("next tuesday")


def test_a_member_written_as_cells_reads_back_the_same() -> None:
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), my_number_held=True,
                       insurer_registered_on=date(2021, 3, 8), employer="E1",
                       paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)),
                       abroad=hr.Abroad(departed_on=date(2026, 1, 1), japanese_national=True))
    cells = member_cells(member)
    assert one(cells) == member
