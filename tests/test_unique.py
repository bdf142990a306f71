"""Duplicate ids: the compact record of ids seen (digests in sorted runs) answers as a dict of every id would."""

from __future__ import annotations

import hashlib
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from hokensho_rules.evaluation.rows import RowError
from hokensho_rules.membership.columns import Header
from hokensho_rules.membership import unique
from hokensho_rules.membership.unique import unique_rows

HEADER = Header.resolve(("id", "kind", "enrolled_on"))
# Few distinct ids, so that repeats are common, within a block and across blocks far apart.
IDS = st.one_of(st.none(), st.sampled_from(["M1", " M1 ", "M2", "", "  ", "m1", "\udc80", "加入者1"]),
                st.text(max_size=6))


def expected(ids: list[str | None], first_row: int) -> list[int | None]:
    """Per row, the row number of the first earlier row with its id (trimmed, empty: no id), by a plain dict."""
    first: dict[str, int] = {}
    out: list[int | None] = []
    for number, cell in enumerate(ids, start=first_row):
        key = (cell or "").strip()
        if not key:
            out.append(None)
            continue
        seen = first.setdefault(key, number)
        out.append(None if seen == number else seen)
    return out


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(IDS, max_size=60), block=st.integers(1, 7), first_row=st.integers(1, 10_000),
       halves_collide=st.booleans())
def test_each_later_row_of_an_id_names_its_first_row_whatever_the_block(ids: list[str | None], block: int,
                                                                        first_row: int, halves_collide: bool) -> None:
    rows = [[cell if cell is not None else "", "insured", "2020-04-01"] for cell in ids]
    # Digests that all share their first half: the rare path where only the second half tells ids apart.
    def colliding(ids: list[str | None]) -> list[bytes | None]:
        return [None if text is None else bytes(8) + hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                                                     digest_size=8).digest() for text in ids]

    with mock.patch.object(unique, "_digests", colliding if halves_collide else unique._digests):
        out = list(unique_rows(rows, HEADER, first_row, block))
    assert len(out) == len(rows)
    for number, (row, got, want) in enumerate(zip(rows, out, expected(ids, first_row)), start=first_row):
        if want is None:
            assert got is row
        else:
            assert isinstance(got, RowError) and got.kind == "DuplicateId" and got.row == number
            assert f"also on row {want}:" in got.problem


def test_ten_thousand_repeats_of_a_hundred_ids_across_many_runs() -> None:
    ids = [f"M{i % 100}" for i in range(10_000)] + [f"N{i}" for i in range(5_000)]
    rows = [[cell, "insured", "2020-04-01"] for cell in ids]
    out = list(unique_rows(rows, HEADER, 1, 37))
    errors = [r for r in out if isinstance(r, RowError)]
    assert len(errors) == 9_900
    assert all(f"also on row {int(r.member_id[1:]) + 1}:" in r.problem for r in errors)
