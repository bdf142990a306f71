"""Output files of a membership run, written atomically, and the provenance written into them.

Each output is written through :func:`~hokensho_rules.render.atomic.atomic_path`: a
hidden temporary file beside the final name, renamed into place only after the last
row, the Parquet footer (with the run's provenance) and an fsync; any failure leaves
nothing at the final name. ``-`` writes CSV or JSON Lines to stdout (which cannot be
taken back: a failure there ends the run with an error and a non-zero exit instead).

The provenance (:func:`provenance`) is what a reader needs to tell a complete file and
where it came from: the input's name, size and SHA-256, the rows read, decided and in
error (read = decided + errors), the day, the packs, a fingerprint of the rule files
and the library's version. Parquet outputs hold it as key-value metadata
(``hokensho_rules.*`` keys); ``--summary`` writes it as a JSON file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from ..render.atomic import atomic_open, atomic_path
from ..rulebook.book import Rulebook
from .encoding import FileFormat, arrow_schema, csv_line
from .shapes import Shape

try:  # optional: the ``files`` extra
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - exercised only without the extra
    pa = pq = None

__all__ = ["METADATA_PREFIX", "Writer", "file_digest", "provenance", "rules_fingerprint", "write_json"]

METADATA_PREFIX = "hokensho_rules."
"""The prefix of the key-value metadata keys of a Parquet output."""

# Rows per Parquet row group: chunks are gathered up to it, as a reader of the file
# wants groups of thousands of rows, not one per chunk of 2,000. Measured on 100,000 members:
# a group per chunk made the file 1.6 times larger; 65,536 rows would make it 8 % smaller
# still, for 55 MiB more memory held while gathering.
ROW_GROUP_ROWS = 16_384


class Writer:
    """Appends encoded chunks to one output file (``-``: stdout, for CSV and JSON Lines).

    Entered on ``stack``: the file appears at its name only when the stack closes
    without an error, after :meth:`finish`.
    """

    def __init__(self, path: str | Path, kind: FileFormat, shape: Shape, encoding: str, stack: ExitStack):
        self.kind = kind
        self.parquet: Any = None
        self.stream: IO[bytes] | None = None
        self._batches: list[Any] = []  # Parquet record batches not yet written as a row group
        self._rows = 0
        to_stdout = str(path) == "-"
        if kind == "parquet":
            if to_stdout:
                raise ValueError("Parquet cannot be written to stdout: give a file name")
            temporary = stack.enter_context(atomic_path(path))
            self.parquet = stack.enter_context(pq.ParquetWriter(str(temporary), arrow_schema(shape), compression="zstd"))
            return
        self.stream = sys.stdout.buffer if to_stdout else stack.enter_context(atomic_open(path))
        if kind == "csv":
            # A UTF-8 file starts with a BOM so that Excel reads it as UTF-8; a pipe does not.
            bom = b"\xef\xbb\xbf" if encoding == "utf-8-sig" and not to_stdout else b""
            self.stream.write(bom + csv_line(shape.names, encoding.replace("-sig", "")))

    def write(self, payload: Any) -> None:
        """Append one chunk's payload (bytes, or an Arrow record batch for Parquet)."""
        if self.parquet is not None:
            if payload.num_rows:
                self._batches.append(payload)
                self._rows += payload.num_rows
                if self._rows >= ROW_GROUP_ROWS:
                    self._row_group()
        else:
            assert self.stream is not None
            self.stream.write(payload)

    def finish(self, facts: Mapping[str, object]) -> None:
        """The run is complete: write ``facts`` (the provenance) into a Parquet file's footer."""
        if self.parquet is not None:
            self._row_group()
            self.parquet.add_key_value_metadata({METADATA_PREFIX + k: _text(v) for k, v in facts.items()})
        elif self.stream is not None:
            self.stream.flush()


    def _row_group(self) -> None:
        if self._batches:
            self.parquet.write_table(pa.Table.from_batches(self._batches), row_group_size=self._rows)
            self._batches, self._rows = [], 0


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def file_digest(path: str | Path) -> tuple[int | None, str | None]:
    """The size in bytes and the SHA-256 (hex) of a file; ``(None, None)`` for stdin (``-``)."""
    if str(path) == "-":
        return None, None
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
        return stream.tell(), digest.hexdigest()


def rules_fingerprint(book: Rulebook) -> str:
    """SHA-256 over the rule files of ``book``'s packs: each ``*.yaml`` of their folders,
    by its path within the rules folder and its bytes, in name order."""
    folders = sorted({path.parent for path in book.origin.values()})
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            digest.update(f"{folder.name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def provenance(source: str | Path, on: date, book: Rulebook, *, rows: int, decided: int, errors: int,
               actions: int, outputs: Mapping[str, str]) -> dict[str, object]:
    """The facts a reader needs to check an output: see the module's docstring. ``outputs``: kind → file name."""
    size, sha256 = file_digest(source)
    try:
        version = metadata.version("hokensho-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        version = "unknown"
    return {
        "complete": True,
        "input": str(source),
        "input_bytes": size,
        "input_sha256": sha256,
        "rows_read": rows,
        "rows_decided": decided,
        "rows_error": errors,
        "action_rows": actions,
        "on": on.isoformat(),
        "packs": list(book.packs),
        "rules_sha256": rules_fingerprint(book),
        "library_version": version,
        "outputs": dict(outputs),
    }


def write_json(facts: Mapping[str, object], path: str | Path) -> None:
    """``facts`` as a JSON file at ``path``, atomically (``-``: stdout)."""
    text = (json.dumps(facts, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if str(path) == "-":
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
        return
    with atomic_open(path) as stream:
        stream.write(text)
