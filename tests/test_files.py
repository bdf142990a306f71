"""Files and frames: CSV in UTF-8 and CP932, JSON Lines, Parquet; wide, long and action tables; pandas."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hokensho_rules as hr
from hokensho_rules.membership.columns import COLUMNS, SchemaError, ja_header, member_cells
from hokensho_rules.membership.files import detect_encoding, evaluate_file, read_members
from hokensho_rules.membership.frames import evaluate_frame, to_frame

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
from membership import generate

ON = date(2025, 12, 2)
SAMPLE = EXAMPLES / "members_sample.csv"


def write_csv(path: Path, members: list[hr.Member], *, encoding: str, japanese: bool,
              extra: list[list[str]] | None = None) -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow([ja_header(c) if japanese else c for c in COLUMNS])
        for member in members:
            writer.writerow(list(member_cells(member).values()))
        for row in extra or []:
            writer.writerow(row)
    return path


def test_the_shipped_sample_is_cp932_with_japanese_headers_and_wareki_dates() -> None:
    raw = SAMPLE.read_bytes()
    assert detect_encoding(raw) == "cp932"
    text = raw.decode("cp932")
    assert text.startswith("加入者番号,区分,資格取得日") and "令和" in text
    with read_members(SAMPLE) as table:
        assert sum(1 for _ in table.rows) == 50


@pytest.mark.parametrize(("encoding", "japanese"), [("cp932", True), ("utf-8-sig", False), ("utf-8", True)])
def test_csv_to_parquet_gives_the_answers_of_evaluate_many(
    tmp_path: Path, book: hr.Rulebook, encoding: str, japanese: bool
) -> None:
    members = generate(120)
    bad = ["BAD1", "insured", "2020-13-01"] + [""] * (len(COLUMNS) - 3)
    source = write_csv(tmp_path / "m.csv", members, encoding=encoding, japanese=japanese, extra=[bad])
    summary = evaluate_file(source, tmp_path / "r.parquet", ON, actions=tmp_path / "a.csv", rulebook=book,
                            processes=1, chunk_size=50)
    assert (summary.rows, summary.errors) == (121, 1) and not summary.ok
    assert "row 121 (member BAD1), column" in summary.first_errors[0]
    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    expected = list(hr.evaluate_many(members, ON, rulebook=book, processes=1))
    assert [r["row"] for r in table] == list(range(1, 122))
    for row, result in zip(table, expected, strict=False):
        assert isinstance(result, hr.MemberResult)
        for question, answer in result.answers.items():
            assert (row[f"{question}.outcome"], row[f"{question}.rule"]) == (answer.outcome, answer.rule_id)
            for key, value in answer.data.items():
                assert row[f"{question}.{key}"] == value
    assert table[-1]["error_column"] in ("enrolled_on", "資格取得日") and table[-1]["error_value"] == "2020-13-01"
    with open(tmp_path / "a.csv", encoding="utf-8-sig") as listed:
        actions = list(csv.DictReader(listed))
    assert len(actions) == summary.actions == sum(len(r.actions) for r in expected if isinstance(r, hr.MemberResult))
    assert {"member_id", "action", "action_ja", "due", "overdue", "rule_id"} <= set(actions[0])


def test_jsonl_in_long_jsonl_and_cp932_csv_out(tmp_path: Path, book: hr.Rulebook) -> None:
    members = generate(30)
    source = tmp_path / "m.jsonl"
    with open(source, "w", encoding="utf-8") as out:
        for member in members:
            cells = {k: v for k, v in member_cells(member).items() if v}
            out.write(json.dumps(cells, ensure_ascii=False) + "\n")
        out.write(json.dumps({"id": "X1", "kind": "insured", "enrolled_on": "2020-04-01", "colour": "red"}) + "\n")
    summary = evaluate_file(source, tmp_path / "long.jsonl", ON, shape="long", actions=tmp_path / "a.csv",
                            output_encoding="cp932", rulebook=book, processes=1)
    assert (summary.rows, summary.errors) == (31, 1)
    lines = [json.loads(line) for line in (tmp_path / "long.jsonl").read_text(encoding="utf-8").splitlines()]
    decided = [line for line in lines if line["error"] is None]
    assert len(decided) == 30 * len(next(r for r in hr.evaluate_many(members[:1], ON, rulebook=book, processes=1)).answers)
    assert "unknown column 'colour'" in lines[-1]["error"] and lines[-1]["row"] == 31
    assert "資格確認書" in (tmp_path / "a.csv").read_bytes().decode("cp932")


def test_a_header_that_cannot_be_used_fails_before_anything_is_written(tmp_path: Path, book: hr.Rulebook) -> None:
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on,my_number\nM1,insured,2020-04-01,123412341234\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="'my_number' is not accepted") as caught:
        evaluate_file(source, tmp_path / "out.csv", ON, rulebook=book, processes=1)
    assert "123412341234" not in str(caught.value)
    assert not (tmp_path / "out.csv").exists()


def test_parquet_in_with_typed_columns(tmp_path: Path, book: hr.Rulebook) -> None:
    frame = pd.DataFrame([member_cells(m) for m in generate(40)]).replace("", None)
    frame["enrolled_on"] = pd.to_datetime(frame["enrolled_on"])
    frame.to_parquet(tmp_path / "m.parquet")
    summary = evaluate_file(tmp_path / "m.parquet", tmp_path / "r.csv", ON, rulebook=book, processes=1)
    assert (summary.rows, summary.errors) == (40, 0)


# Per unit of each type: a day in 2019 (midnight), and a day beyond year 9999 or before year 1,
# which pyarrow stores and Python's date cannot hold.
# (Nanoseconds since 1970 reach only the years 1677 to 2262.)
UNITS = {pa.date32(): 1, pa.date64(): 86_400_000, pa.timestamp("us"): 86_400_000_000,
         pa.timestamp("ms"): 86_400_000}


@pytest.mark.parametrize("kind", list(UNITS))
def test_a_parquet_date_beyond_python_s_is_that_row_s_error(tmp_path: Path, book: hr.Rulebook,
                                                            kind: pa.DataType) -> None:
    unit = UNITS[kind]
    enrolled = pa.array([18_000 * unit, 3_000_000 * unit, -3_000_000 * unit], kind)
    pq.write_table(pa.table({"id": ["M1", "M2", "M3"], "kind": ["insured"] * 3, "enrolled_on": enrolled}),
                   tmp_path / "m.parquet")
    with read_members(tmp_path / "m.parquet") as table:
        results = list(hr.evaluate_many(table, ON, rulebook=book, processes=1))
    assert [type(r).__name__ for r in results] == ["MemberResult", "RowError", "RowError"]
    assert [r.row for r in results] == [1, 2, 3]
    assert all(isinstance(r, hr.RowError) and r.column == "enrolled_on" for r in results[1:]), results


def test_dataframes_in_and_out_wide_long_and_actions(book: hr.Rulebook) -> None:
    members = generate(60)
    frame = pd.DataFrame([member_cells(m) for m in members])
    wide = evaluate_frame(frame, ON, rulebook=book, processes=1, chunk_size=25)
    results = list(hr.evaluate_many(members, ON, rulebook=book, processes=1))
    pd.testing.assert_frame_equal(wide, to_frame(results, book))
    assert list(wide["row"]) == list(range(1, 61)) and str(wide["on"].dtype).startswith("date32")
    assert wide.loc[0, "member.eligible.outcome"] == results[0].answers["member.eligible"].outcome  # type: ignore[union-attr]
    long = evaluate_frame(frame, ON, shape="long", rulebook=book, processes=1)
    assert len(long) == 60 * len(results[0].answers)  # type: ignore[union-attr]
    actions = evaluate_frame(frame, ON, shape="actions", rulebook=book, processes=1)
    assert len(actions) == sum(len(r.actions) for r in results)  # type: ignore[union-attr]


def test_cp932_output_never_replaces_a_character_silently(tmp_path: Path, book: hr.Rulebook) -> None:
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on,employer\nM1,insured,2020-04-01,E髙\n", encoding="utf-8")
    summary = evaluate_file(source, tmp_path / "r.csv", ON, output_encoding="cp932", rulebook=book, processes=1)
    assert summary.ok  # the employer is not in the results, so nothing needs it
    earlier = (tmp_path / "r.csv").read_bytes()
    # A bad cell's value is written in its error row: this one has no CP932 form.
    source.write_text("id,kind,enrolled_on,employer\nM1,insured,2020-04-01😀,E1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be written in cp932; write the output as utf-8"):
        evaluate_file(source, tmp_path / "r.csv", ON, output_encoding="cp932", rulebook=book, processes=1)
    # The run failed: the earlier file is left as it was, and no temporary file stays.
    assert (tmp_path / "r.csv").read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "r.csv"]


def test_parquet_row_groups_gather_chunks(tmp_path: Path, book: hr.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 50 rows are written as row groups of at least ROW_GROUP_ROWS (here 120), the rest at the end:
    # the same rows, in order, as one chunk gives.
    from hokensho_rules.membership import writers

    monkeypatch.setattr(writers, "ROW_GROUP_ROWS", 120)
    source = write_csv(tmp_path / "m.csv", generate(310), encoding="utf-8", japanese=False)
    evaluate_file(source, tmp_path / "gathered.parquet", ON, rulebook=book, processes=1, chunk_size=50)
    evaluate_file(source, tmp_path / "whole.parquet", ON, rulebook=book, processes=1, chunk_size=400)
    gathered = pq.ParquetFile(tmp_path / "gathered.parquet")
    groups = [gathered.metadata.row_group(i).num_rows for i in range(gathered.metadata.num_row_groups)]
    assert groups == [150, 150, 10]
    assert gathered.read().equals(pq.read_table(tmp_path / "whole.parquet"))
    assert gathered.metadata.metadata[b"hokensho_rules.rows_read"] == b"310"
