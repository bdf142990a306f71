"""A membership's timelines written as one table file: Parquet, CSV or JSON Lines, streamed.

The chunks of ``results.timelines.collect_chunks`` are written as they come, so memory
stays bounded on a file of any size. The file appears complete at its name or not at
all (``render/atomic.py``); ``-`` writes CSV to stdout. Parquet keeps the types of
``Timelines.to_arrow`` (dates as ``date32``, question, outcome and rule dictionary-encoded)
and holds the window, the packs and the counts as ``hokensho_rules.*`` metadata. Every
CSV cell is formula-safe (``facts/privacy.py``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..evaluation.rows import RowError
from ..facts.privacy import shown, spreadsheet_safe
from ..render.atomic import atomic_open, atomic_path
from ..results.timelines import COLUMNS, Timelines
from .writers import METADATA_PREFIX

__all__ = ["TimelineSummary", "timeline_format", "write_timelines"]

_FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl"}


def timeline_format(path: str | Path) -> str:
    """``parquet``, ``csv`` or ``jsonl`` by the name's suffix (``-``: CSV); ValueError naming the path otherwise."""
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(f"cannot tell the format of {shown(str(path))}: name it .parquet, .csv or .jsonl")
    return _FORMATS[suffix]


@dataclass
class TimelineSummary:
    """What a run wrote: members in the table, interval rows, and the members in error."""

    members: int = 0
    intervals: int = 0
    errors: list[RowError] = field(default_factory=list)


def write_timelines(chunks: Iterable[Timelines], path: str | Path, *, packs: Iterable[str] = ()) -> TimelineSummary:
    """Write every chunk's rows to ``path`` (format by its suffix) and return the counts."""
    kind = timeline_format(path)
    summary = TimelineSummary()
    with ExitStack() as stack:
        writer: Any = None
        stream: IO[bytes] | None = None
        window: tuple[str, str] | None = None
        if kind != "parquet":
            stream = sys.stdout.buffer if str(path) == "-" else stack.enter_context(atomic_open(path))
            if kind == "csv":
                stream.write(_csv([COLUMNS]))
        for chunk in chunks:
            window = (chunk.start.isoformat(), chunk.end.isoformat())
            summary.members += len(chunk.members)
            summary.intervals += len(chunk)
            summary.errors += chunk.errors
            if kind == "parquet":
                table = chunk.to_arrow()
                if writer is None:
                    import pyarrow.parquet as pq  # noqa: PLC0415 - the ``files`` extra

                    temporary = stack.enter_context(atomic_path(path))
                    writer = stack.enter_context(pq.ParquetWriter(str(temporary), table.schema, compression="zstd"))
                if table.num_rows:
                    writer.write_table(table)
            elif kind == "csv":
                assert stream is not None
                stream.write(_csv(row.values() for row in chunk.to_rows()))
            else:
                assert stream is not None
                stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in chunk.to_rows()).encode("utf-8"))
        if writer is not None:
            facts = {"start": window[0] if window else None, "end": window[1] if window else None,
                     "packs": list(packs), "members": summary.members, "intervals": summary.intervals,
                     "errors": len(summary.errors)}
            writer.add_key_value_metadata({METADATA_PREFIX + k: json.dumps(v, ensure_ascii=False) for k, v in facts.items()})
        elif stream is not None:
            stream.flush()
    return summary


def _csv(rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([spreadsheet_safe(str(value)) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")
