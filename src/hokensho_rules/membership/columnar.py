"""A chunk of table rows read column by column: flat facts without a Member per row.

:func:`~hokensho_rules.membership.columns.parse_row` reads one row into a pydantic
:class:`~hokensho_rules.Member`, and ``to_record`` flattens it for the engine: about
half the cost of deciding a member from a file. A :class:`ChunkReader` does the same
for a whole chunk at once, with the same functions, so that its answers are those of
``parse_row`` by construction:

1. each column's cells are parsed once per distinct value, by ``parse_row``'s own
   cell parsers (a membership has a few thousand distinct dates in hundreds of
   thousands of cells);
2. a top-level text cell (``id``, ``employer``, ``household``) is checked by the
   field's own validator, taken from Member's core schema: its constraints and field
   validators (they read no other field);
3. every other row is given a *signature* (numpy, for the whole chunk): which cells are
   filled, each flag, kind and document text, and the order of every pair of its dates
   and of each date against the day of evaluation. Member's validators only compare
   dates with each other, test presence and read flags and kinds, and ``forget_later``
   only compares dates with the day: two rows of one signature are valid or invalid
   together and lose the same events;
4. one row of each distinct signature is read by ``parse_row`` and flattened by
   ``to_record``: that record, with each row's own cells put in, is every row's record.

A row with a cell that cannot be read, an invalid text, or whose signature's
representative is invalid is handed back (``None``) to be read by ``parse_row`` itself,
which gives its exact error row. ``tests/test_columnar.py`` checks both paths agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from pydantic_core import SchemaValidator

from ..facts.member import Member
from ..facts.record import Value, to_record
from ..facts.table import FactTable, objects
from .columns import HELD, Column, Header, _CellError, _is_empty, _PARSERS, parse_row

__all__ = ["ChunkReader", "chunk_table", "reader_for"]

_BAD = object()  # a cell that cannot be read, or a text the Member refuses
_MISS = object()
# Distinct values remembered per column, and signatures per reader (bounded: forgotten all at once when full).
_CELLS_KEPT = 1 << 14
_SIGNATURES_KEPT = 1 << 14
# Any valid Member, to check one top-level text field at a time.
_PROBE: dict[str, object] = {"id": "A", "kind": "insured", "enrolled_on": date(2000, 1, 1)}


def _parse(column: Column, value: object) -> object:
    """A cell as ``parse_row`` reads it: None when empty, the parsed value, or _BAD."""
    if (not value or value.isspace()) if type(value) is str else _is_empty(value):
        return None
    try:
        return _PARSERS[column.kind](value)
    except _CellError:
        return _BAD


def _field_schemas() -> dict[str, SchemaValidator]:
    """A validator per top-level field of Member, built from the model's own core schema (its
    constraints and field validators, nothing else); empty if that schema is not laid out as expected."""
    schema: Any = Member.__pydantic_core_schema__
    try:
        while schema["type"] != "model-fields":
            schema = schema["schema"]
        return {name: SchemaValidator(field["schema"], {"strict": True}) for name, field in schema["fields"].items()
                if field["type"] == "model-field"}
    except (KeyError, TypeError):  # pragma: no cover - another pydantic's layout: the minimal Member below
        return {}


_FIELDS = _field_schemas()


# ASCII letters and digits first, then those and . _ : -, at most 64 characters: inside every id
# field's own pattern and lengths (test_columnar holds them to it), so that with fewer than 12
# digits (a My Number's) such an id is valid without asking pydantic: most ids, each read once.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def _valid_text(column: Column, value: str) -> bool:
    """Whether Member accepts ``value`` as its top-level text field (validators of that field only)."""
    if _PLAIN.fullmatch(value) is not None and (len(value) < 12 or sum(map(str.isdigit, value)) < 12):
        return True
    field = _FIELDS.get(column.field)
    try:
        if field is not None:
            field.validate_python(value)
        else:  # pragma: no cover
            Member.model_validate({**_PROBE, column.field: value})
    except ValueError:
        return False
    return True


class _Cells(NamedTuple):
    """A column of a chunk as parsed: each distinct cell's value once (None when empty, _BAD when
    unreadable), and each row's index into them."""

    distinct: list[object]
    of_row: Any

    def per_row(self, per_distinct: list[Any], dtype: Any) -> Any:
        """Each row's value of ``per_distinct`` (one per distinct cell), as an array of ``dtype``."""
        return np.array(per_distinct, dtype=dtype)[self.of_row]

    def cell(self, row: int) -> object:
        return self.distinct[self.of_row[row]]


class _Template:
    """The record shared by one signature's rows, and where each row's own cells go."""

    __slots__ = ("keys", "positions", "record")

    def __init__(self, record: dict[str, Value], keys: tuple[str, ...], positions: tuple[int, ...]):
        self.record = record
        self.keys = keys
        self.positions = positions


class ChunkReader:
    """Flat facts for chunks of rows of one header on one day (see the module's docstring).

    One per worker process, header and day (:func:`reader_for`); it remembers parsed
    cells and signatures between chunks.
    """

    def __init__(self, header: Header, on: date):
        self.header = header
        self.on = on
        self.columns = header.columns
        self.width = len(header.columns)
        self._cells: list[dict[object, object]] = [{} for _ in header.columns]
        self._templates: dict[bytes, _Template | None] = {}
        self._dates = [j for j, c in enumerate(self.columns) if c.kind == "date"]
        self._coded = [j for j, c in enumerate(self.columns) if c.kind in ("bool", "kind")
                       or (c.kind == "text" and c.document is not None)]
        self._codes: list[dict[object, int]] = [{} for _ in header.columns]
        # The record's keys each column fills (the id is also the member's own field).
        self._keys = tuple(
            () if c.field == HELD else ("id", "member__id") if c.name == "id" else (f"{c.document or 'member'}__{c.field}",)
            for c in self.columns
        )
        count = len(self._dates)
        self._pairs = [(a, b) for a in range(count) for b in range(a + 1, count)]

    def _column(self, j: int, cells: Sequence[object]) -> _Cells:
        column, cache = self.columns[j], self._cells[j]
        keys: Sequence[object] = cells
        if set(map(type, cells)) != {str}:  # typed cells (Parquet, a DataFrame): 1, 1.0 and True are different cells
            keys = [v if type(v) is str else (type(v), v) for v in cells]
        try:
            index = {v: k for k, v in enumerate(dict.fromkeys(keys))}
        except TypeError:  # a cell that cannot be a key (a list, say): every cell on its own
            return _Cells([self._parsed(column, cache, v) for v in cells], np.arange(len(cells)))
        of_row = list(map(index.__getitem__, keys))
        # Looked up here rather than in _parsed: most distinct cells of a chunk were met in an earlier one.
        seen = list(index)
        distinct = [cache.get(v, _MISS) if type(v) is str else _MISS for v in seen]
        for k, found in enumerate(distinct):
            if found is _MISS:
                v = seen[k]
                distinct[k] = self._read(column, cache, v if type(v) is str else v[1])  # type: ignore[index]
        return _Cells(distinct, np.array(of_row, dtype=np.int64))

    def _parsed(self, column: Column, cache: dict[object, object], cell: object) -> object:
        found = cache.get(cell, _MISS) if type(cell) is str else _MISS
        return self._read(column, cache, cell) if found is _MISS else found

    def _read(self, column: Column, cache: dict[object, object], cell: object) -> object:
        """``cell`` parsed (and checked as Member checks it), remembered when it is text."""
        parsed = _parse(column, cell)
        if column.kind == "text" and column.document is None and isinstance(parsed, str) and not _valid_text(column, parsed):
            parsed = _BAD
        if type(cell) is str and column.name != "id":  # ids are all distinct: not worth keeping
            if len(cache) >= _CELLS_KEPT:
                cache.clear()  # bounded; dropping the oldest one by one would cost a scan each
            cache[cell] = parsed
        return parsed

    def facts(self, rows: Sequence[Sequence[object]], first_row: int) -> list[dict[str, Value] | None]:
        """Each row's flat fact on the reader's day, or None for a row ``parse_row`` must read itself.

        ``rows`` are lists or tuples of ``header``'s width; row ``i`` is input row ``first_row + i``.
        """
        read, table = self.table(rows, first_row)
        out: list[dict[str, Value] | None] = [None] * len(rows)
        for k, i in enumerate(read):
            out[i] = table.fact(k)
        return out

    def table(self, rows: Sequence[Sequence[object]], first_row: int) -> tuple[list[int], FactTable]:
        """The rows read (their positions in ``rows``, in order) and their flat facts as a table;
        a row not read is one ``parse_row`` must read itself. Arguments as :meth:`facts`."""
        if not rows:
            return [], FactTable([], np.zeros(0, dtype=np.int64))
        values = [self._column(j, cells) for j, cells in enumerate(zip(*rows, strict=True))]
        n = len(rows)
        ok = np.ones(n, dtype=bool)
        for column in values:
            ok &= column.per_row([v is not _BAD for v in column.distinct], bool)
        signature = self._signature(values)
        keys = np.ascontiguousarray(signature).view(np.dtype((np.void, signature.shape[1] * signature.itemsize)))[:, 0]
        candidates = np.flatnonzero(ok)
        _, first, inverse = np.unique(keys[candidates], return_index=True, return_inverse=True)
        templates = [self._template(keys[i].tobytes(), rows[i], values, int(i), first_row + int(i))
                     for i in candidates[first].tolist()]
        kept = np.array([t is not None for t in templates], dtype=bool)
        inverse = inverse.reshape(-1)
        taken = kept[inverse]
        read = candidates[taken]
        # Templates renumbered without the invalid ones; each row read points at its own.
        renumber = np.cumsum(kept) - 1
        which = renumber[inverse[taken]]
        used = [t for t in templates if t is not None]
        own: dict[str, tuple[Any, Any]] = {}
        for j in sorted({j for t in used for j in t.positions}):
            cells = objects([c.toordinal() if isinstance(c, date) else c for c in values[j].distinct])[values[j].of_row[read]]
            for name in self._keys[j]:
                takes = np.array([name in t.keys for t in used], dtype=bool)[which]
                if takes.any():
                    own[name] = (cells, takes)
        return read.tolist(), FactTable([t.record for t in used], which, own)

    def _signature(self, values: list[_Cells]) -> Any:
        if any(len(codes) >= _CELLS_KEPT for codes in self._codes):
            # Codes are part of the signatures remembered: both are forgotten together.
            for codes in self._codes:
                codes.clear()
            self._templates.clear()
        parts: list[Any] = [np.stack([c.per_row([v is not None for v in c.distinct], np.int8) for c in values], axis=1)]
        for j in self._coded:
            codes = self._codes[j]
            parts.append(values[j].per_row([-1 if v is None or v is _BAD else codes.setdefault((type(v), v), len(codes))
                                            for v in values[j].distinct], np.int32)[:, None])
        if self._dates:
            days = np.stack([values[j].per_row([v.toordinal() if isinstance(v, date) else 0 for v in values[j].distinct],
                                               np.int64) for j in self._dates], axis=1)
            parts.append(np.sign(days - self.on.toordinal()).astype(np.int8))
            if self._pairs:
                left = np.array([a for a, _ in self._pairs])
                right = np.array([b for _, b in self._pairs])
                parts.append(np.sign(days[:, left] - days[:, right]).astype(np.int8))
        return np.concatenate([p.astype(np.int32) for p in parts], axis=1)

    def _template(self, key: bytes, row: Sequence[object], values: list[_Cells], index: int,
                  number: int) -> _Template | None:
        if key in self._templates:
            return self._templates[key]
        member = parse_row(self.header, row, number)
        template = None
        if isinstance(member, Member):
            record = to_record(member, self.on)
            filled = [(name, j) for j, names in enumerate(self._keys) if values[j].cell(index) is not None
                      for name in names if name in record]
            template = _Template(record, tuple(n for n, _ in filled), tuple(j for _, j in filled))
        if len(self._templates) >= _SIGNATURES_KEPT:
            self._templates.clear()
        self._templates[key] = template
        return template


_READERS: dict[tuple[Header, date], ChunkReader] = {}


def reader_for(header: Header, on: date) -> ChunkReader:
    """The ChunkReader of this process for ``header`` and ``on`` (a few kept)."""
    found = _READERS.get((header, on))
    if found is None:
        if len(_READERS) >= 8:
            del _READERS[next(iter(_READERS))]
        found = _READERS[(header, on)] = ChunkReader(header, on)
    return found


def chunk_table(header: Header, on: date, items: Sequence[object]) -> tuple[list[int], FactTable]:
    """The items of a chunk of ``header``'s rows on ``on`` read column by column (their positions,
    in order) and their flat facts; every other item is read alone.

    A mapping whose keys are the header's names, in order (a JSON Lines row), is read as
    the row of its values. Other items (an error row of the reader, a repeated id, a row
    of another width or keys, a Member) are not read here: the batch handles them as before.
    """
    width = len(header.columns)
    names = list(header.names)
    items = [list(item.values()) if isinstance(item, dict) and list(item) == names else item for item in items]
    table = [i for i, item in enumerate(items) if type(item) in (list, tuple) and len(item) == width]  # type: ignore[arg-type]
    read, facts = reader_for(header, on).table([items[i] for i in table], 1)  # type: ignore[misc]
    return [table[k] for k in read], facts
