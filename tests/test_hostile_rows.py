"""Hostile rows stay rows, and nothing personal or executable leaves.

Properties: for random mixes of good and hostile rows (CSV, JSON Lines, Parquet),
rows read = decided + errors and every input row appears exactly once in the results;
for a My Number (in any spelling) or a spreadsheet formula planted in any cell, no
output file and no message holds it raw.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.facts.privacy import check_digit, spreadsheet_safe
from hokensho_rules.membership.files import evaluate_file
from hokensho_rules.membership.messages import MAX_LINE

ON = date(2025, 12, 2)
COLUMNS = ["id", "kind", "enrolled_on", "loss_on", "employer", "household", "paper_card.issued_on", "my_number_held"]
GOOD = {"id": "M1", "kind": "insured", "enrolled_on": "2020-04-01", "loss_on": "", "employer": "E1",
        "household": "H1", "paper_card.issued_on": "2020-04-01", "my_number_held": "true"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROFILE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def book() -> hr.Rulebook:
    return hr.Rulebook.load()


# --- planted values -----------------------------------------------------------------------

@st.composite
def my_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the 12 digits, as planted): plain, in groups with spaces or hyphens, full-width."""
    eleven = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=11, max_size=11)))
    digits = eleven + str(check_digit(eleven))
    separator = draw(st.sampled_from(["", " ", "-", "\u3000", "－"]))
    text = separator.join((digits[:4], digits[4:8], digits[8:]))
    if draw(st.booleans()):
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return digits, draw(st.sampled_from(["", "x", "ID "])) + text


formulas = st.builds(lambda start, body: start + body, st.sampled_from(FORMULA_START),
                     st.sampled_from(['HYPERLINK("http://x","c")', "1+1", "cmd|' /C calc'!A0", "SUM(A1:A9)"]))


def _contains_digits(text: str, digits: str) -> bool:
    folded = unicodedata.normalize("NFKC", text)
    squeezed = re.sub(r"(?<=\d)[ \-\u2212](?=\d)", "", folded)
    return digits in squeezed


def _occurrences(text: str, part: str) -> list[int]:
    found, start = [], text.find(part)
    while start != -1:
        found.append(start)
        start = text.find(part, start + 1)
    return found


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return [cell for row in csv.reader(stream) for cell in row]


@PROFILE
@given(column=st.sampled_from(COLUMNS), planted=my_numbers(), formula=formulas, row=st.integers(0, 2),
       kind=st.sampled_from(["csv", "jsonl", "parquet"]))
def test_a_planted_my_number_or_formula_never_comes_out_raw(tmp_path: Path, book: hr.Rulebook, column: str,
                                                            planted: tuple[str, str], formula: str, row: int,
                                                            kind: str) -> None:
    digits, my_number = planted
    rows = [dict(GOOD, id=f"M{i}") for i in range(3)]
    rows[row][column] = my_number
    rows[(row + 1) % 3][column] = formula
    source = tmp_path / f"m.{kind}"
    _write([("good", r) for r in rows], source, kind)
    outputs = {name: tmp_path / name for name in ("r.csv", "a.csv", "l.jsonl", "s.json")}
    summary = evaluate_file(source, outputs["r.csv"], ON, actions=outputs["a.csv"], rulebook=book, processes=1,
                            summary=outputs["s.json"])
    long = evaluate_file(source, outputs["l.jsonl"], ON, shape="long", rulebook=book, processes=1)
    messages = "\n".join(summary.first_errors + long.first_errors)
    for path in outputs.values():
        assert not _contains_digits(path.read_text(encoding="utf-8-sig"), digits), f"{path.name} holds the My Number"
    assert not _contains_digits(messages, digits)
    # Every CSV cell a spreadsheet would run is written as text.
    for name in ("r.csv", "a.csv"):
        for cell in _csv_cells(outputs[name]):
            assert not cell.startswith(FORMULA_START), f"{name}: {cell!r}"
    # In messages too, a formula only ever comes marked as text.
    assert all(messages[i - 1: i] == "'" for i in _occurrences(messages, formula)), messages
    assert summary.rows == summary.decided + summary.errors == 3


def test_the_issue_s_employer_formula_and_date_formula(tmp_path: Path, book: hr.Rulebook) -> None:
    source = tmp_path / "m.csv"
    source.write_text('id,kind,enrolled_on,事業所\nM1,insured,2020-04-01,"=HYPERLINK(""http://x"",""c"")"\n'
                      "M2,insured,=1+1,E1\nM3,insured,2020-04-01,123456789018\n", encoding="utf-8")
    summary = evaluate_file(source, tmp_path / "r.csv", ON, rulebook=book, processes=1)
    assert summary.errors == 3
    table = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert table[0]["error_column"] == "事業所" and table[0]["error_value"].startswith("'=HYPERLINK")
    assert "事業所は文字・数字" in table[0]["error_ja"] and "pattern" not in table[0]["error"]
    assert table[1]["error_value"] == "'=1+1" and "=1+1" not in table[1]["error"]
    assert table[2]["error_value"] == "" and "123456789018" not in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_spreadsheet_safe_marks_every_formula_start() -> None:
    assert [spreadsheet_safe(s) for s in ("=1", "+1", "-1", "@A", "\tx", "\rx", "＝1", "M1", "")] == [
        "'=1", "'+1", "'-1", "'@A", "'\tx", "'\rx", "'＝1", "M1", ""]


# --- hostile rows ---------------------------------------------------------------------------

# Malformed, nested beyond the line limit, nested within it (json's RecursionError), not an object, cut.
HOSTILE_JSON = ["{not json", "[" * 100_000 + "]" * 100_000, "[" * 50_000 + "]" * 50_000, '"a string"', "[1, 2]",
                '{"id": "M1", "kind": ',
                '{"id": {"nested": [1, {"deep": true}]}, "kind": "insured", "enrolled_on": "2020-04-01"}']


@st.composite
def mixes(draw: st.DrawFn) -> list[tuple[str, object]]:
    """A file's rows: good ones, ones with a bad cell, repeated ids, hostile lines; each as (kind, payload)."""
    kinds = draw(st.lists(st.sampled_from(["good", "good", "bad_date", "duplicate", "long_cell", "huge_line",
                                           "hostile"]), min_size=1, max_size=12))
    out: list[tuple[str, object]] = []
    for i, kind in enumerate(kinds):
        row = dict(GOOD, id=f"M{i}")
        if kind == "bad_date":
            # No such day; a number too large for a C integer (once a crash of the whole run).
            row["enrolled_on"] = draw(st.sampled_from(["2020-02-30", "令和1年1月2147483648日", "R99999999999999999999.1.1"]))
        elif kind == "duplicate":
            row["id"] = "M0"
        elif kind == "long_cell":
            row["employer"] = "E" * 100_000
        elif kind == "huge_line":
            row["id"] = f"L{i}"  # read as no row at all in a CSV: its id is never seen
            row["household"] = "H" * (MAX_LINE + 10)
        elif kind == "hostile":
            out.append((kind, draw(st.sampled_from(HOSTILE_JSON))))
            continue
        out.append((kind, row))
    return out


def _write(rows: list[tuple[str, object]], path: Path, kind: str) -> None:
    if kind == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for what, payload in rows:
                # A hostile line in a CSV: one cell too many, or a line of a million characters.
                cells = [payload.get(c, "") for c in COLUMNS] if isinstance(payload, dict) else [str(payload)[:50], "x"]
                writer.writerow(cells)
    elif kind == "jsonl":
        with open(path, "w", encoding="utf-8") as out:
            # The first line is good so that the header is known; the rest are the mix.
            for _, payload in rows:
                out.write((json.dumps(payload, ensure_ascii=False) if isinstance(payload, dict) else str(payload)) + "\n")
    else:
        table = [payload if isinstance(payload, dict) else dict(GOOD, id=str(payload)[:300]) for _, payload in rows]
        pq.write_table(pa.Table.from_pylist(table), path)


@PROFILE
@given(rows=mixes(), kind=st.sampled_from(["csv", "jsonl", "parquet"]))
def test_every_row_comes_out_once_and_read_is_decided_plus_errors(tmp_path: Path, book: hr.Rulebook,
                                                                   rows: list[tuple[str, object]], kind: str) -> None:
    if kind == "jsonl":
        rows = [("good", dict(GOOD, id="FIRST")), *rows]
    source = tmp_path / f"m.{kind}"
    _write(rows, source, kind)
    summary = evaluate_file(source, tmp_path / "r.parquet", ON, rulebook=book, processes=1, chunk_size=4)
    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [r["row"] for r in table] == list(range(1, len(rows) + 1))
    assert summary.rows == len(rows) == summary.decided + summary.errors
    assert summary.errors == sum(1 for r in table if r["error"] is not None)
    # Every error row speaks both languages, and never a regular expression or pydantic's words.
    assert all(r["error_ja"] and "pattern" not in r["error"] and "should" not in r["error"] for r in table if r["error"])
    meta = pq.ParquetFile(tmp_path / "r.parquet").metadata.metadata
    assert int(meta[b"hokensho_rules.rows_read"]) == int(meta[b"hokensho_rules.rows_decided"]) + int(
        meta[b"hokensho_rules.rows_error"]) == len(rows)
    seen: set[object] = set()
    for (what, payload), out in zip(rows, table, strict=True):
        member = payload.get("id") if isinstance(payload, dict) else None
        repeated = member in seen
        seen.add(member)
        if what in ("bad_date", "long_cell", "huge_line", "hostile"):
            assert out["error"] is not None and out["error_ja"], (what, out["error"])
            assert len(out["error_value"] or "") < 100  # shortened, never echoed whole
        if repeated and member is not None:
            assert out["error_kind"] == "DuplicateId"


def test_a_duplicate_id_is_an_error_row_naming_the_first(tmp_path: Path, book: hr.Rulebook) -> None:
    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on\nM1,insured,2020-04-01\nM2,insured,2020-04-01\nM1,dependant,2021-04-01\n",
                      encoding="utf-8")
    summary = evaluate_file(source, tmp_path / "r.csv", ON, rulebook=book, processes=1)
    assert (summary.rows, summary.decided, summary.errors) == (3, 2, 1)
    last = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))[-1]
    assert last["error_kind"] == "DuplicateId" and "also on row 1" in last["error"] and "1行目" in last["error_ja"]


def test_the_summary_file_lets_a_reader_check_the_output(tmp_path: Path, book: hr.Rulebook) -> None:
    import hashlib

    source = tmp_path / "m.csv"
    source.write_text("id,kind,enrolled_on\nM1,insured,2020-04-01\nM2,insured,2020-13-01\n", encoding="utf-8")
    evaluate_file(source, tmp_path / "r.jsonl", ON, rulebook=book, processes=1, summary=tmp_path / "s.json")
    facts = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert facts["input_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert facts["input_bytes"] == source.stat().st_size
    assert (facts["rows_read"], facts["rows_decided"], facts["rows_error"]) == (2, 1, 1)
    assert facts["on"] == "2025-12-02" and facts["packs"] == list(book.packs) and len(facts["rules_sha256"]) == 64
    assert facts["library_version"] and facts["complete"] is True


@given(row=st.integers(1, 10**6), member=st.none() | st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True),
       column=st.none() | st.sampled_from(COLUMNS), value=st.none() | st.text(max_size=20))
def test_an_error_row_reads_in_one_language(row: int, member: str | None, column: str | None,
                                            value: str | None) -> None:
    error = hr.RowError(row, member, "not a date", "BadCell", column, value, problem_ja="日付として読めません")
    # What the line says around the row's own id, column name and value: no word of the other language.
    said = {lang: error.message(lang) for lang in ("ja", "en")}
    for part in (member, column, None if value is None else repr(spreadsheet_safe(value))):
        if part:
            said = {lang: text.replace(part, "") for lang, text in said.items()}
    assert not re.search(r"[A-Za-z]", said["ja"]), said["ja"]
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", said["en"]), said["en"]
