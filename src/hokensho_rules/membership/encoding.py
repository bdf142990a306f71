"""Encoding a chunk's results as the bytes (or Arrow record batch) of an output file, in the worker.

Every CSV cell goes through :func:`~hokensho_rules.facts.privacy.spreadsheet_safe`: a
text a spreadsheet would run (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
return) is written with a leading apostrophe, as OWASP advises. JSON Lines and Parquet
keep values as they are (no spreadsheet opens them as formulas).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np

from ..evaluation.rows import RowError
from ..facts.privacy import FORMULA_START
from ..facts.table import objects
from .batch import Result
from .decided import DecidedChunk
from .shapes import ColumnType, Shape

try:  # optional: the ``files`` extra
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover - exercised only without the extra
    pa = pc = None

__all__ = ["SHOWN_ERRORS", "Chunk", "Encoder", "Encoders", "FileFormat", "arrow_schema", "csv_line", "arrow_batch", "need_arrow", "record_batch"]

FileFormat = Literal["csv", "jsonl", "parquet"]


def need_arrow(what: str) -> None:
    """RuntimeError saying how to install pyarrow, when it is missing."""
    if pa is None:
        raise RuntimeError(f"{what} needs pyarrow: pip install 'hokensho-rules[files]'")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A text a spreadsheet would run as a formula is written as text (facts/privacy.py);
    # tested inline: this runs for every cell of a whole membership.
    return "'" + text if text and text[0] in FORMULA_START else text


# Characters Unicode and CP932 disagree on: CP932 (as Windows maps it) has the full-width
# forms instead. Anything else it cannot hold is an error, never a silent "?".
_CP932_FORMS = str.maketrans({"\u301c": "\uff5e", "\u2212": "\uff0d", "\u2016": "\u2225", "\u2014": "\u2015",
                              "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2"})


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp932":
        text = text.translate(_CP932_FORMS)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{error.object[error.start:error.end]!r} cannot be written in {encoding}; write the output as utf-8"
        ) from None


def csv_line(cells: Sequence[object], encoding: str) -> bytes:
    """One CSV line of ``cells`` (a header, say), formula-safe, in ``encoding``."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([_cell(c) for c in cells])
    return _encode(out.getvalue(), encoding)


def _json_cell(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Encoder:
    """Turns a chunk's results into the bytes (or record batch) of one output file, in a worker."""

    shape: Shape
    format: FileFormat
    encoding: str

    def __call__(self, results: Sequence[Result]) -> Any:
        if self.format == "parquet":
            return arrow_batch(self.shape, results)
        rows = self.shape.rows(results)
        if self.format == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerows([_cell(v) for v in row] for row in rows)
            return _encode(out.getvalue(), self.encoding)
        if self.format == "jsonl":
            names = self.shape.names
            text = "".join(
                json.dumps(dict(zip(names, map(_json_cell, row), strict=True)), ensure_ascii=False) + "\n" for row in rows
            )
            return text.encode("utf-8")
        raise AssertionError(f"unknown format {self.format!r}")


_ARROW_TYPES: dict[ColumnType, str] = {"int": "int64", "str": "string", "date": "date32", "bool": "bool"}


def arrow_schema(shape: Shape) -> Any:
    """The Arrow schema of a shape (every column nullable)."""
    need_arrow("Arrow output")
    return pa.schema([(name, pa.type_for_alias(_ARROW_TYPES[kind])) for name, kind in shape.columns])


def record_batch(shape: Shape, rows: Sequence[Sequence[object]]) -> Any:
    schema = arrow_schema(shape)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in shape.columns]
    arrays = []
    for (name, _), values, arrow_field in zip(shape.columns, columns, schema, strict=True):
        if name in shape.mixed:
            values = tuple(_json_cell(v) if isinstance(v, date) else v for v in values)
        arrays.append(pa.array(values, type=arrow_field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


_EPOCH = date(1970, 1, 1).toordinal()  # Arrow's date32 counts days from here


def arrow_batch(shape: Shape, results: Sequence[Result]) -> Any:
    """A chunk's results as one record batch of ``shape``: for the wide shape, built column by
    column from the packed answers (dates as day numbers straight into ``date32``), equal to
    ``record_batch(shape, shape.rows(results))``. A :class:`DecidedChunk`'s columns are taken
    from its distinct answers by index, with no result per row."""
    if shape.name != "wide":
        return record_batch(shape, shape.rows(results))
    if isinstance(results, DecidedChunk):
        return _taken_batch(shape, results)
    decided = [None if isinstance(r, RowError) else {a[0]: a for a in r.packed_answers()} for r in results]
    errors = [r if isinstance(r, RowError) else None for r in results]
    columns: list[list[Any]] = [
        [r.row for r in results], [r.member_id for r in results],
        [None if d is None else r.on.toordinal() for r, d in zip(results, decided, strict=True)],  # type: ignore[union-attr]
        *([None if e is None else getattr(e, name) for e in errors]
          for name in ("problem", "problem_ja", "kind", "column", "value")),
    ]
    for question, keys in shape.questions:
        columns.extend(_answer_columns([None if d is None else d.get(question) for d in decided], keys))
    return _batch(shape, columns)


def _answer_columns(found: Sequence[Any], keys: Sequence[str]) -> list[list[Any]]:
    """A question's outcome, rule and data columns of packed answers (None: no answer)."""
    columns = [[None if a is None else a[1] for a in found], [None if a is None else a[2] for a in found]]
    if keys:
        # One pass over each answer's (datum, value) pairs into the question's data columns:
        # a dict per answer and a lookup per column cost twice as much (the last pair wins, as in a dict).
        place = {key: k for k, key in enumerate(keys)}
        data: list[list[Any]] = [[None] * len(found) for _ in keys]
        for i, a in enumerate(found):
            if a is not None:
                for datum, value in a[3]:
                    k = place.get(datum)
                    if k is not None:
                        data[k][i] = value
        columns.extend(data)
    return columns


def _taken_batch(shape: Shape, chunk: DecidedChunk) -> Any:
    """The wide batch of a DecidedChunk: each question's columns built over its distinct answers, then taken by row."""
    n = len(chunk)
    errors = chunk.error_rows()
    member_ids = list(chunk.member_ids)
    error_at = np.zeros(n, dtype=np.int64)  # each row's error (1, 2, …), 0 for none
    for k, (i, error) in enumerate(errors, start=1):
        member_ids[i] = error.member_id
        error_at[i] = k
    # The row, the member and the day; the error's fields. Each column is taken by its indices where it has some.
    columns: list[Any] = [
        np.arange(chunk.first_row, chunk.first_row + n), member_ids, [None, chunk.on.toordinal()],
        *([None, *(getattr(e, name) for _, e in errors)] for name in ("problem", "problem_ja", "kind", "column", "value")),
    ]
    takes: list[Any] = [None, None, chunk.decided.astype(np.int64), *[error_at] * 5]
    answers = chunk.answers
    for question, keys in shape.questions:
        position = answers.order[question]
        given, which = answers.given[position], answers.which[position]
        outcome, rule, *data = _answer_columns(given, keys)
        columns += [outcome, rule]
        takes += [which, which]
        for key, values in zip(keys, data, strict=True):
            held = answers.column(question, key)
            if held is None:
                columns.append(values)
                takes.append(which)
            else:  # the data computed as columns, over those of the answers given
                full = objects(values)[which]
                rows = held != None  # noqa: E711 - elementwise over an object array
                full[rows] = held[rows]
                columns.append(full)
                takes.append(None)
    return _batch(shape, columns, takes)


def _batch(shape: Shape, columns: Sequence[Sequence[Any]], takes: Sequence[Any] | None = None) -> Any:
    """The record batch of ``shape`` from its columns of Python values (dates as day numbers),
    each column first taken by its indices in ``takes`` where given."""
    schema = arrow_schema(shape)
    arrays = []
    for k, ((name, kind), values, arrow_field) in enumerate(zip(shape.columns, columns, schema, strict=True)):
        if kind == "date":
            # Shifted to Arrow's epoch by one pyarrow subtraction for the whole column, not a
            # Python expression per cell (nulls stay null).
            days = pc.subtract(pa.array(values, type=pa.int64()), _EPOCH)
            array = days.cast(pa.int32()).cast(pa.date32())
        elif name in shape.mixed:
            array = pa.array([date.fromordinal(v).isoformat() if type(v) is int else v for v in values],
                             type=arrow_field.type)
        else:
            array = pa.array(values, type=arrow_field.type)
        if takes is not None and takes[k] is not None:
            array = array.take(takes[k])
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


@dataclass(frozen=True)
class Chunk:
    """What one chunk sends back: each output's payload and the counts the summary needs."""

    payloads: tuple[Any, ...]
    rows: int
    errors: int
    actions: int
    first_errors: tuple[str, ...]


@dataclass(frozen=True)
class Encoders:
    encoders: tuple[Encoder, ...]

    def __call__(self, results: Sequence[Result]) -> Chunk:
        if isinstance(results, DecidedChunk):  # counted from its columns, with no result per row
            errors, actions = results.errors(), results.action_count()
        else:
            errors = [r for r in results if isinstance(r, RowError)]
            actions = sum(len(r.actions) for r in results if not isinstance(r, RowError))
        return Chunk(tuple(e(results) for e in self.encoders), len(results), len(errors), actions,
                     tuple(_both(e) for e in errors[:SHOWN_ERRORS]))


def _both(error: RowError) -> str:
    """An error row as the CLI shows it: in Japanese, then in English on the next line."""
    english = error.message("en")
    return f"{error.message('ja')}\n    {english}" if error.problem_ja else english


SHOWN_ERRORS = 5
