"""pandas DataFrames in and out (the ``pandas`` extra).

>>> import pandas as pd
>>> from datetime import date
>>> from hokensho_rules.membership.frames import evaluate_frame
>>> members = pd.DataFrame({"id": ["M1"], "kind": ["insured"], "enrolled_on": ["2020-04-01"],
...                         "paper_card.issued_on": ["2020-04-01"]})
>>> wide = evaluate_frame(members, date(2025, 12, 2), processes=1)
>>> wide.loc[0, "paper_card.usable.outcome"], wide.loc[0, "paper_card.usable.rule"]
('no', 'PC-3')

A DataFrame in has one row per member and the columns of ``hokensho_rules.membership.columns``
(English names or the Japanese headers; cells as text or typed). Frames out are
built from Arrow record batches with Arrow-backed dtypes, so every chunk and every
Dask partition has the same dtypes whatever its values (a column of dates stays a
date column when a chunk has none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa

from .batch import DEFAULT_CHUNK, Result, TableRows, _evaluate_chunks
from .columns import Header
from .encoding import arrow_batch, arrow_schema, record_batch
from ..rulebook.book import Rulebook
from .shapes import Shape, ShapeName, shape_named

__all__ = ["evaluate_frame", "frame_rows", "to_frame"]


class _ArrowChunk:
    """A chunk's results as one Arrow record batch of a shape (made in the worker)."""

    def __init__(self, shape: Shape):
        self.shape = shape

    def __call__(self, results: Sequence[Result]) -> Any:
        return arrow_batch(self.shape, results)


def _frame(shape: Shape, batches: Iterable[Any]) -> pd.DataFrame:
    table = pa.Table.from_batches(list(batches), schema=arrow_schema(shape))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def frame_rows(frame: pd.DataFrame) -> TableRows:
    """A DataFrame of members as the rows :func:`~hokensho_rules.evaluate_many` reads (header checked)."""
    header = Header.resolve(frame.columns)
    return TableRows(header, frame.itertuples(index=False, name=None), len(frame))


def evaluate_frame(
    frame: pd.DataFrame,
    on: date,
    *,
    shape: ShapeName = "wide",
    rulebook: Rulebook | None = None,
    processes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: bool | None = None,
    first_row: int = 1,
) -> pd.DataFrame:
    """Every member of ``frame`` on ``on``, as a DataFrame of ``shape``: ``"wide"`` (one
    row per member), ``"long"`` (per member and question) or ``"actions"`` (the action list).

    Rows that cannot be decided are error rows (``error`` … ``error_value``), in place.
    Raises SchemaError naming an unknown, missing or refused column.
    """
    book = rulebook if rulebook is not None else Rulebook.load()
    chosen = shape_named(shape, book)
    batches = _evaluate_chunks(frame_rows(frame), on, rulebook=book, processes=processes, chunk_size=chunk_size,
                               progress=progress, decisions=False, cache=True, transform=_ArrowChunk(chosen),
                               first_row=first_row)
    return _frame(chosen, batches)


def to_frame(results: Iterable[Result], rulebook: Rulebook, shape: ShapeName = "wide") -> pd.DataFrame:
    """Results of :func:`~hokensho_rules.evaluate_many` as a DataFrame of ``shape``."""
    chosen = shape_named(shape, rulebook)
    return _frame(chosen, [record_batch(chosen, chosen.rows(list(results)))])
