"""Timelines of a whole membership (``Rulebook.timelines``): exactly ``Rulebook.timeline`` per member."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.cli.main import main
from hokensho_rules.evaluation.timelines import TimelineEvaluator
from hokensho_rules.testing import memberships
from rule_files import lost_card

SEED = hr.Rulebook.load(["seed"])
IN_FORCE = hr.Rulebook.load()


def expected(book: hr.Rulebook, member: hr.Member, start: date, end: date) -> list[dict[str, object]] | Exception:
    try:
        return book.timeline(member, start, end).to_rows()
    except (hr.DecisionError, ValueError) as error:
        return error


def assert_same_as_per_member(book: hr.Rulebook, members: list[hr.Member], start: date, end: date) -> hr.Timelines:
    table = book.timelines(members, start, end)
    errors = {e.member_id: e for e in table.errors}
    assert len(errors) == len(table.errors)
    for row, member in enumerate(members, start=1):
        reference = expected(book, member, start, end)
        if isinstance(reference, Exception):
            error = errors[member.id]
            assert (error.row, error.kind, error.problem) == (row, type(reference).__name__, str(reference))
            assert member.id not in table.members
        else:
            assert member.id not in errors
            assert table.rows_of(member.id) == reference
    assert table.members == tuple(m.id for m in members if m.id not in errors)
    return table


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(st.dates(date(2023, 6, 1), date(2028, 12, 31)))
    return start, start + timedelta(days=draw(st.integers(0, 7 * 365)))


# Each example runs Rulebook.timeline for every member too (the slow reference), so few are run.
@settings(max_examples=30)
@given(memberships(max_size=8), st.sampled_from([SEED, IN_FORCE]), windows())
def test_the_batch_gives_exactly_each_members_timeline(
    members: list[hr.Member], book: hr.Rulebook, window: tuple[date, date]
) -> None:
    assert_same_as_per_member(book, members, *window)


def test_the_table_is_the_members_rows_in_input_order() -> None:
    members = [
        hr.Member(id="B", kind="insured", enrolled_on=date(2020, 4, 1), paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))),
        hr.Member(id="A", kind="insured", enrolled_on=date(2020, 4, 1), loss_on=date(2026, 3, 31)),
    ]
    start, end = date(2024, 10, 1), date(2031, 1, 1)
    table = IN_FORCE.timelines(members, start, end)
    assert table.to_rows() == [row for m in members for row in IN_FORCE.timeline(m, start, end).to_rows()]
    assert len(table) == len(table.to_rows()) and list(table) == table.to_rows()
    assert table.members == ("B", "A") and table.errors == ()
    assert hr.timelines(members, start, end, rulebook=IN_FORCE) == table


def test_arrow_and_pandas_have_dates_as_dates_and_categories() -> None:
    member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), loss_on=date(2026, 3, 31))
    table = IN_FORCE.timelines([member], date(2024, 10, 1), date(2027, 1, 1))
    arrow = table.to_arrow()
    assert arrow.schema.field("start").type == pa.date32() and arrow.schema.field("end").type == pa.date32()
    assert pa.types.is_dictionary(arrow.schema.field("question").type)
    assert pa.types.is_dictionary(arrow.schema.field("rule_id").type)
    assert arrow.num_rows == len(table)
    assert arrow.column("start").to_pylist() == [date.fromisoformat(r["start"]) for r in table.to_rows()]
    frame = table.to_pandas()
    assert str(frame["outcome"].dtype) == "category" and list(frame["days"]) == [r["days"] for r in table.to_rows()]


def test_a_conflict_is_an_error_row_naming_its_member_and_day_even_from_the_cache(conflicting_book: hr.Rulebook) -> None:
    fine = hr.Member(id="M-FINE", kind="insured", enrolled_on=date(2020, 4, 1))
    members = [lost_card("M-LOST-1"), fine, lost_card("M-LOST-2")]
    table = assert_same_as_per_member(conflicting_book, members, date(2024, 10, 1), date(2026, 1, 1))
    first, second = table.errors
    assert (first.kind, first.row, second.row) == ("ConflictError", 1, 3)
    assert "member M-LOST-2, question paper_card.usable, on 2025-01-05" in second.problem
    assert table.members == ("M-FINE",)


def test_a_datum_beyond_the_calendar_is_the_same_error_row() -> None:
    member = hr.Member(id="LATE", kind="insured", enrolled_on=date(9990, 4, 1),
                       certificate=hr.Certificate(issued_on=date(9998, 6, 1)))
    table = assert_same_as_per_member(IN_FORCE, [member], date(9997, 1, 1), date(9999, 12, 31))
    assert [e.kind for e in table.errors] == ["ValueError"]


def test_members_alike_but_for_their_ids_share_the_engines_work() -> None:
    evaluator = TimelineEvaluator(IN_FORCE)
    start, end = date(2024, 10, 1), date(2031, 1, 1)
    alike = [lost_card(f"M{i}") for i in range(20)]
    first = evaluator.runs(alike[0], start, end)
    calls = evaluator.engine_calls
    assert calls > 0
    assert all(evaluator.runs(m, start, end) == first for m in alike[1:])
    assert evaluator.engine_calls == calls  # every stratum of every point came from the cache


def test_bad_calls_name_what_was_wrong() -> None:
    member = lost_card("M1")
    with pytest.raises(TypeError, match="start must be a datetime.date"):
        IN_FORCE.timelines([member], datetime(2025, 1, 1), date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start must be on or before end"):
        IN_FORCE.timelines([member], date(2026, 1, 1), date(2025, 1, 1))
    with pytest.raises(ValueError, match="'M1' appears more than once"):
        IN_FORCE.timelines([member, member], date(2025, 1, 1), date(2026, 1, 1))
    with pytest.raises(TypeError, match="member must be a hokensho_rules.Member, got dict"):
        IN_FORCE.timelines([{"id": "M2"}], date(2025, 1, 1), date(2026, 1, 1))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="got one Member"):
        IN_FORCE.timelines(member, date(2025, 1, 1), date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rulebook must be"):
        hr.timelines([member], date(2025, 1, 1), date(2026, 1, 1), rulebook="seed")  # type: ignore[arg-type]
    empty = IN_FORCE.timelines([], date(2025, 1, 1), date(2026, 1, 1))
    assert (len(empty), empty.members, empty.errors) == (0, (), ())


def test_the_summary_reads_in_both_languages(conflicting_book: hr.Rulebook) -> None:
    members = [*(lost_card(f"M{i}") for i in range(7)), hr.Member(id="M9", kind="insured", enrolled_on=date(2020, 4, 1))]
    table = conflicting_book.timelines(members, date(2024, 10, 1), date(2026, 1, 1))
    ja, en = table.render("ja"), table.render("en")
    assert ja.startswith("加入者 1 人：令和6年10月1日から令和8年1月1日まで") and "計算できなかった加入者 7 人" in ja
    assert "■ この日に健康保険証を交付（再交付）できるか：変化 1 件（加入者 1 人）" in ja
    assert "… ほか 2 人" in ja and "row 1 (member M0)" in ja  # the first 5 (a conflict has no Japanese wording)
    assert en.startswith("Members 1: how the answers change from 2024-10-01 to 2026-01-01")
    assert "Members that could not be computed: 7" in en and "… 2 more" in en and "row 1 (member M0)" in en
    assert "<table>" in table._repr_html_() and "M9" in table.html("en") and "令和" in table.html("ja")
    assert repr(table) == f"Timelines(2024-10-01..2026-01-01: 1 members, {len(table)} intervals, 7 errors)"


MEMBERS_CSV = (
    "id,kind,enrolled_on,loss_on,paper_card.issued_on\n"
    "M1,insured,2020-04-01,,2020-04-01\n"
    "M2,insured,2020-04-01,2026-03-31,\n"
    "M3,insured,soon,,\n"
)


def test_the_cli_writes_the_whole_files_timelines(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(MEMBERS_CSV, encoding="utf-8")
    out = tmp_path / "timelines.parquet"
    result = CliRunner().invoke(main, ["timeline", str(source), "--from", "2024-10-01", "--to", "令和13年1月1日", "-o", str(out)])
    assert result.exit_code == 1, result.output  # one row could not be read
    assert "M3" in result.output or "row 3" in result.output
    written = pq.read_table(out)
    members = [
        hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1), paper_card=hr.PaperCard(issued_on=date(2020, 4, 1))),
        hr.Member(id="M2", kind="insured", enrolled_on=date(2020, 4, 1), loss_on=date(2026, 3, 31)),
    ]
    assert written.to_pylist() == IN_FORCE.timelines(members, date(2024, 10, 1), date(2031, 1, 1)).to_arrow().to_pylist()
    csv_out = tmp_path / "timelines.csv"
    CliRunner().invoke(main, ["timeline", str(source), "--from", "2024-10-01", "--to", "2031-01-01", "-o", str(csv_out)])
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "member_id,question,start,end,days,outcome,rule_id"
    assert len(lines) == 1 + len(written)
