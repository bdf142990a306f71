"""The columnar path gives exactly the rows of per-member evaluation (membership/columnar.py).

Generated memberships (both rulebooks, any day) are written as rows of cells in every
accepted form (ISO, slashes, wareki; Japanese kinds and flags), some cells spoiled
(unreadable values, dates out of order, texts the models refuse, empty required
cells), and read both ways:

- each row's flat fact from :class:`ChunkReader` is ``to_record(parse_row(row))``, and a
  row it hands back (None) is one ``parse_row`` refuses;
- the wide record batch built column by column (``encoding.arrow_batch``) equals the
  one built from rows;
- ``evaluate_many`` over the rows (the columnar path) yields, row for row, what
  ``parse_row`` and the per-member ``Rulebook.evaluate`` give: the same error rows, and
  for every decided member the same outcome, rule and data for every question.
"""

from __future__ import annotations

import string
from datetime import date, timedelta

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.facts.record import to_record
from hokensho_rules.facts.table import FactTable
from hokensho_rules.law.calendar import format_wareki
from hokensho_rules.membership.batch import TableRows
from hokensho_rules.evaluation.outcomes import OutcomeEvaluator
from hokensho_rules.membership import columnar
from hokensho_rules.membership.columnar import ChunkReader
from hokensho_rules.membership.decide import _chunk as decide_chunk, _Job as Job
from hokensho_rules.membership.decided import DecidedChunk
from hokensho_rules.membership.encoding import arrow_batch, record_batch
from hokensho_rules.membership.shapes import wide_shape
from hokensho_rules.membership.columns import COLUMNS, Header, ja_header, member_cells, parse_row
from hokensho_rules.testing import evaluation_dates, memberships

BOOK = hr.Rulebook.load()
SEED = hr.Rulebook.load(["seed"])
NAMES = tuple(COLUMNS)
ONE = timedelta(days=1)
SPOILED = ("x", "2020-13-01", "令和99年1月1日", "1900-01-01", "2099-12-31", "R2.4.1", "2020/4/1", "有", "無",
           "true", "0", "被扶養者", "=1+1", " ", "M 1", "123456789018", "E1", "2020-04-01T00:00")


def _form(name: str, cell: str, style: int) -> str:
    """``cell`` as an export may write it: ISO, slashed or wareki dates; Japanese kinds and flags."""
    kind = COLUMNS[name].kind
    if not cell:
        return cell
    if kind == "date":
        day = date.fromisoformat(cell)
        return (cell, day.strftime("%Y/%m/%d"), format_wareki(day))[style % 3]
    if kind == "bool" and style % 2:
        return {"true": "有", "false": "無"}[cell]
    if kind == "kind" and style % 2:
        return {"insured": "被保険者", "dependant": "被扶養者"}[cell]
    return cell


@st.composite
def tables(draw: st.DrawFn, book: hr.Rulebook) -> tuple[Header, list[list[str]], date]:
    people = draw(memberships(max_size=12, rulebook=book))
    ja = draw(st.booleans())
    header = Header.resolve([ja_header(n) if ja else n for n in NAMES])
    rows = []
    for member in people:
        style = draw(st.integers(0, 5))
        cells = member_cells(member)
        rows.append([_form(name, cells[name], style) for name in NAMES])
    # Spoil some cells: a copy of another row's cell (dates out of order), or a value from SPOILED.
    for _ in range(draw(st.integers(0, 2 * len(rows)))):
        row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(NAMES) - 1))
        other = draw(st.integers(0, len(rows) - 1))
        rows[row][column] = draw(st.sampled_from((*SPOILED, rows[other][column], "")))
    on = draw(evaluation_dates(book))
    # Variants of a row: the same cells filled, one date moved (to another of its dates, next to it, or next
    # to the day): the order of its dates, or whether an event is known yet, may differ from the original's.
    dates = [j for j, name in enumerate(NAMES) if COLUMNS[name].kind == "date"]
    for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=6)):
        variant = list(rows[i])
        filled = [j for j in dates if variant[j].strip()]
        if filled:
            j, k = draw(st.sampled_from(filled)), draw(st.sampled_from(filled))
            moved = draw(st.sampled_from((variant[k], *(d.isoformat() for d in (on, on + ONE, on - ONE)))))
            variant[j] = moved
        rows.append(variant)
    # Repeated rows share a signature with their original.
    rows += [list(rows[i]) for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=3))]
    return header, rows, on


def _same_facts(header: Header, rows: list[list[str]], on: date) -> None:
    reader = ChunkReader(header, on)
    read, table = reader.table(rows, 1)
    facts = reader.facts(rows, 1)
    assert read == [i for i, fact in enumerate(facts) if fact is not None]
    # The table's columns (templates with each row's own cells put in) are the facts' values, key by key.
    kept = [fact for fact in facts if fact is not None]
    # So are those of the facts themselves as a table (each row its own template: evaluate_many's Members).
    for columns in (table, FactTable.of_facts(kept)):
        for key in sorted({key for fact in kept for key in fact} | {"absent"}):
            assert columns.column(key).tolist() == [fact.get(key) for fact in kept], key
            assert columns.has(key, np.arange(len(kept))).tolist() == [key in fact for fact in kept], key
    for number, (row, fact) in enumerate(zip(rows, facts, strict=True), start=1):
        parsed = parse_row(header, row, number)
        if fact is None:
            assert isinstance(parsed, hr.RowError), (number, row)
        else:
            assert isinstance(parsed, hr.Member), (number, row, parsed)
            assert fact == to_record(parsed, on), (number, row)


def same_decided(book: hr.Rulebook, items: list[object], on: date, header: Header | None = None) -> None:
    """One chunk of ``items`` kept as the walk's columns (DecidedChunk) reads as the results of
    deciding each item alone, and its wide batch, error rows and count of actions are theirs.
    A Member among a table's rows is decided alone and its answers folded into the columns."""
    items = [*items, hr.Member(id="ALONE", kind="insured", enrolled_on=date(2020, 4, 1),
                               paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))]
    given = TableRows(header, items) if header is not None else items  # type: ignore[arg-type]
    results = list(hr.evaluate_many(given, on, rulebook=book, processes=1, chunk_size=len(items), columnar=False))
    decided = decide_chunk(OutcomeEvaluator(book), 1, items, Job(on, False, header, lambda d: d))
    assert isinstance(decided, DecidedChunk)
    assert list(decided) == results
    wide = wide_shape(book)
    assert arrow_batch(wide, decided).equals(record_batch(wide, wide.rows(results)))  # type: ignore[arg-type]
    assert decided.errors() == [r for r in results if isinstance(r, hr.RowError)]
    assert decided.action_count() == sum(len(r.actions) for r in results if isinstance(r, hr.MemberResult))


def _same_results(book: hr.Rulebook, header: Header, rows: list[list[str]], on: date) -> None:
    results = list(hr.evaluate_many(TableRows(header, rows), on, rulebook=book, processes=1, chunk_size=7))
    assert [r.row for r in results] == list(range(1, len(rows) + 1))
    assert results == list(hr.evaluate_many(TableRows(header, rows), on, rulebook=book, processes=1, chunk_size=7,
                                            columnar=False))
    # JSON Lines rows: mappings from the header's names to cells, read as the rows of their values.
    mappings = [dict(zip(header.names, row, strict=True)) for row in rows]
    assert results == list(hr.evaluate_many(TableRows(header, mappings), on, rulebook=book, processes=1, chunk_size=7))
    # The wide record batch built column by column is the one built from its rows.
    wide = wide_shape(book)
    assert arrow_batch(wide, results).equals(record_batch(wide, wide.rows(results)))
    same_decided(book, rows, on, header)  # type: ignore[arg-type]
    for number, (row, result) in enumerate(zip(rows, results, strict=True), start=1):
        parsed = parse_row(header, row, number)
        if isinstance(parsed, hr.RowError):
            assert result == parsed
            continue
        try:
            decision = book.evaluate(parsed, on)
        except (hr.DecisionError, ValueError) as error:
            assert isinstance(result, hr.RowError) and result.member_id == parsed.id, (number, error)
            continue
        assert isinstance(result, hr.MemberResult), (number, result)
        expected = {q: (v.outcome, v.rule_id, dict(v.data)) for q, v in decision.items()}
        got = {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in result.answers.items()}
        assert got == {q: expected[q] for q in got} and got, number


@given(tables(BOOK))
@settings(max_examples=25, deadline=None)
def test_columnar_rows_are_those_of_the_per_member_path(table: tuple[Header, list[list[str]], date]) -> None:
    header, rows, on = table
    _same_facts(header, rows, on)
    _same_results(BOOK, header, rows, on)


@given(tables(SEED))
@settings(max_examples=10, deadline=None)
def test_under_the_seed_alone_too(table: tuple[Header, list[list[str]], date]) -> None:
    header, rows, on = table
    _same_facts(header, rows, on)
    _same_results(SEED, header, rows, on)


def test_typed_cells_of_a_frame_take_the_same_path() -> None:
    # Parquet and pandas give typed cells: dates, booleans, None, NaN; 1 and True are different cells.
    header = Header.resolve(["id", "kind", "enrolled_on", "voluntary_continuation", "my_number_held", "loss_on"])
    rows = [
        ["M1", "insured", date(2020, 4, 1), False, True, None],
        ["M2", "insured", date(2020, 4, 1), 1, True, float("nan")],
        ["M3", "dependant", date(2020, 4, 1), True, 1, None],  # a dependant on voluntary continuation: refused
        ["M4", "insured", date(2020, 4, 1), 2, True, None],  # 2 is no flag
        [5, "insured", "2020-04-01", False, False, date(2020, 4, 1)],  # lost on the day of enrolment: refused
        ["M6", "insured", date(2020, 4, 1), False, True, ["2021-04-01"]],  # a cell no dict can hold: no date
    ]
    on = date(2025, 12, 2)
    _same_facts(header, rows, on)  # type: ignore[arg-type]
    facts = ChunkReader(header, on).facts(rows, 1)
    assert [f is None for f in facts] == [False, False, True, True, True, True]
    _same_results(BOOK, header, rows, on)  # type: ignore[arg-type]


def test_rows_alike_but_for_the_order_of_their_dates_are_told_apart() -> None:
    # The same cells filled: the first row is valid, the second has its card expire before it was
    # issued, the third lost its loss date before enrolment, the fourth's card is issued after the day.
    header = Header.resolve(["id", "kind", "enrolled_on", "loss_on", "paper_card.issued_on", "paper_card.expires_on"])
    rows = [
        ["M1", "insured", "2020-04-01", "2026-04-01", "2020-04-01", "2024-03-31"],
        ["M2", "insured", "2020-04-01", "2026-04-01", "2024-03-31", "2020-04-01"],
        ["M3", "insured", "2026-04-01", "2020-04-01", "2020-04-01", "2024-03-31"],
        ["M4", "insured", "2020-04-01", "2026-04-01", "2025-12-03", "2026-03-31"],
        ["M5", "insured", "2020-04-01", "2026-04-01", "2025-12-02", "2026-03-31"],
    ]
    on = date(2025, 12, 2)
    _same_facts(header, rows, on)  # type: ignore[arg-type]
    facts = ChunkReader(header, on).facts(rows, 1)  # type: ignore[arg-type]
    assert [f is None for f in facts] == [False, True, True, False, False]
    assert "paper_card" not in facts[3] and facts[4]["paper_card"] is True  # type: ignore[index]
    _same_results(BOOK, header, rows, on)  # type: ignore[arg-type]


def _member_accepts(field: str, value: str) -> bool:
    try:
        hr.Member.model_validate({"id": "A", "kind": "insured", "enrolled_on": date(2000, 1, 1), field: value})
    except ValueError:
        return False
    return True


# Ids as they come: ASCII of the id alphabet (short and long, any first character), some with
# runs of digits that are or are not a My Number (123456789018 has a valid check digit), any text.
_IDS = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "._:- ", max_size=80),
    st.tuples(st.sampled_from("Aa0._"), st.integers(55, 75)).map(lambda t: t[0] * t[1]),  # about the longest id
    st.builds("".join, st.lists(st.sampled_from(["M", "0", "9", "-", ".", "_", ":", "123456789018", "123456789012",
                                                 "1234-5678-9018"]), min_size=1, max_size=8)),
    st.text(max_size=70),
)


_TEXT_COLUMNS = [c for c in COLUMNS.values() if c.kind == "text" and c.document is None]


@settings(max_examples=400, deadline=None)
@example(value="A" * 64, column=COLUMNS["id"]).via("the longest id")
@example(value="A" * 65, column=COLUMNS["id"]).via("one character too many")
@example(value="A" * 201, column=COLUMNS["household"]).via("one character too many")
@example(value="A12345678901", column=COLUMNS["id"]).via("11 digits")
@example(value="123456789018", column=COLUMNS["employer"]).via("a My Number")
@given(value=_IDS, column=st.sampled_from(_TEXT_COLUMNS))
def test_the_reader_accepts_an_id_exactly_when_the_member_does(value: str, column: object) -> None:
    # The reader's shortcut for plain ids must never accept what Member refuses, nor refuse what it accepts.
    assert columnar._valid_text(column, value) == _member_accepts(column.field, value)  # type: ignore[attr-defined]
