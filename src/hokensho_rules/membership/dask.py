"""Beyond one machine: a Dask DataFrame of members evaluated partition by partition (the ``dask`` extra).

>>> import dask.dataframe as dd
>>> from datetime import date
>>> from hokensho_rules.dask import evaluate_dataframe
>>> members = dd.read_csv("members-*.csv", dtype=str, keep_default_na=False)   # doctest: +SKIP
>>> results = evaluate_dataframe(members, date(2025, 12, 2))                    # doctest: +SKIP
>>> results.to_parquet("results/")                                              # doctest: +SKIP

Each partition is evaluated inside the Dask worker that holds it, with that worker
process's own Rulebook: loaded on the first partition the process sees (by pack names
and root, ``loaded_rulebook``) and kept for the next, so one engine per process, as
``engine/adapter.py`` explains, and nothing but pack names travels to the workers. Run the
workers as processes (``dask worker --nthreads 1`` or ``LocalCluster(processes=True,
threads_per_worker=1)``): threads of one process would share its engine through a
lock and gain nothing. Results are those of ``evaluate_frame`` (and so of
``evaluate_many``) on the same rows: same columns, dtypes, row numbers and values.
See docs/dask.md.
"""

from __future__ import annotations

from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd

from .frames import _frame, evaluate_frame
from ..rulebook.book import Rulebook, loaded_rulebook
from .shapes import ShapeName, shape_named

__all__ = ["evaluate_dataframe"]


def _partition(
    part: pd.DataFrame, on: date, packs: tuple[str, ...], root: Path | None, shape: ShapeName,
    offsets: tuple[int, ...], partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    # Row numbers continue across partitions: this partition starts after the ones before it.
    number = partition_info["number"] if partition_info is not None else 0
    book = loaded_rulebook(packs, root)
    # In this process: the Dask worker is the process; a pool inside it would compete for its cores.
    return evaluate_frame(part, on, shape=shape, rulebook=book, processes=1, progress=False,
                          first_row=offsets[number])


def evaluate_dataframe(
    frame: dd.DataFrame,
    on: date,
    *,
    shape: ShapeName = "wide",
    packs: tuple[str, ...] | None = None,
    root: Path | None = None,
) -> dd.DataFrame:
    """``frame``'s members evaluated on ``on``, partition by partition, lazily (a Dask DataFrame).

    ``shape`` as in :func:`~hokensho_rules.membership.frames.evaluate_frame`; ``packs`` and ``root``
    choose the rulebook (default: the rules in force, shipped with the library; a root
    must be readable at the same path on every worker).

    Partition lengths are computed first (one pass over the input) so that ``row``
    numbers the members of the whole frame from 1, as ``evaluate_many`` does.
    """
    book = Rulebook.load(packs, root=root)
    # dask's own annotations vary between releases: use the frame untyped here.
    parts: Any = frame
    lengths = parts.map_partitions(len).compute()
    offsets = tuple(accumulate(lengths, initial=1))[:-1] if len(lengths) else (1,)
    meta = _frame(shape_named(shape, book), [])
    result: dd.DataFrame = parts.map_partitions(_partition, on, book.packs, book.root, shape, offsets, meta=meta,
                                                align_dataframes=False)
    return result
