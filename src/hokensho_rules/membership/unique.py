"""Duplicate member ids in one input: the first row with an id is decided, every later one is an error row.

A membership file is one row per member; two rows with one id would give two answers,
two action rows, two envelopes, with nothing to say which is right. So the later rows
are error rows of kind ``DuplicateId`` naming the first row (the policy of the files
API and the CLI; ``evaluate_many(..., unique_ids=True)``). Ids are compared as the
``id`` cell's text, trimmed. The ids seen are held in memory (a few tens of bytes each).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..evaluation.rows import RowError
from ..facts.member import Member
from ..facts.privacy import contains_my_number
from .columns import Header, SchemaError

__all__ = ["unique_rows"]

_DUPLICATE = ("member id {id} is also on row {first}: each member must appear once; this later row is not decided",
              "加入者番号 {id} は {first}行目にもあります。同じ加入者は1行にしてください（この行は判定しません）")


def unique_rows(rows: Iterable[Any], header: Header | None, first_row: int) -> Iterator[Any]:
    """``rows``, each later row with an id already seen replaced by its error row (``DuplicateId``)."""
    seen: dict[str, int] = {}
    position = [c.name for c in header.columns].index("id") if header is not None else None
    keys: dict[tuple[str, ...], str | None] = {}
    for number, row in enumerate(rows, start=first_row):
        member_id = _id_of(row, position, keys)
        if member_id is None:
            yield row
            continue
        first = seen.setdefault(member_id, number)
        if first == number:
            yield row
            continue
        shown_id = None if contains_my_number(member_id) else member_id
        en, ja = (text.format(id=shown_id or "(not shown)", first=first) for text in _DUPLICATE)
        yield RowError(number, shown_id, en, "DuplicateId", problem_ja=ja)


def _id_of(row: Any, position: int | None, keys: dict[tuple[str, ...], str | None]) -> str | None:
    """The id cell of a row (a Member, cells, or a mapping), as text; None when there is none."""
    if position is not None and type(row) is list and len(row) > position and type(row[position]) is str:
        return row[position].strip() or None  # a file's row of text cells: most of them
    if isinstance(row, Member):
        return row.id
    cell: object = None
    if isinstance(row, Mapping):
        names = tuple(str(k) for k in row)
        if names not in keys:
            try:
                resolved = Header.resolve(names)
                keys[names] = names[[c.name for c in resolved.columns].index("id")]
            except SchemaError:
                keys[names] = None
        key = keys[names]
        cell = row.get(key) if key is not None else None
    elif position is not None and isinstance(row, (list, tuple)) and len(row) > position:
        cell = row[position]
    if isinstance(cell, bool) or cell is None:
        return None
    text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell).strip()
    return text or None
