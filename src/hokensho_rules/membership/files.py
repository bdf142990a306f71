"""Membership files in, result files out, streamed: CSV (UTF-8 or Shift_JIS/CP932), JSON Lines, Parquet.

>>> from datetime import date
>>> from hokensho_rules.membership.files import evaluate_file
>>> summary = evaluate_file("members.csv", "results.parquet", on=date(2025, 12, 2),
...                         actions="actions.csv")                     # doctest: +SKIP

Input is read in chunks and each chunk's output is encoded in the worker that
evaluated it (CSV or JSON text, or an Arrow record batch) and appended to the output
file by this process: memory stays flat however many members the file holds.

Formats come from the file name (``.csv``, ``.jsonl``/``.ndjson``, ``.parquet``) or
``format=``. A CSV file's encoding is detected (UTF-8, with or without BOM, else
CP932, the Windows form of Shift_JIS that insurers' systems export) unless given.
Parquet needs ``pyarrow`` (the ``files`` extra).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal

from .batch import DEFAULT_CHUNK, TableRows, _evaluate_chunks
from .columns import Header, SchemaError
from .encoding import SHOWN_ERRORS, Encoder, Encoders, FileFormat, need_arrow
from .messages import MAX_LINE, Problem, line_too_long, not_json
from .writers import Writer, provenance, write_json
from ..evaluation.rows import RowError
from ..facts.privacy import shown
from ..rulebook.book import Rulebook
from .shapes import Shape, ShapeName, shape_named

try:  # optional: the ``files`` extra
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - exercised only without the extra
    pq = None

__all__ = [
    "FileFormat",
    "Summary",
    "detect_encoding",
    "evaluate_file",
    "file_format",
    "read_members",
    "read_table",
]

_SUFFIXES: dict[str, FileFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                                    ".pq": "parquet"}
# Shift_JIS as Windows writes it: CP932 adds the NEC and IBM characters (①, ㈱, 髙) that
# plain shift_jis cannot decode, and every Shift_JIS file is valid CP932.
_ENCODING_NAMES = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "s-jis": "cp932", "ms932": "cp932",
                   "windows-31j": "cp932"}
_SAMPLE = 1 << 20  # bytes read to detect the encoding


def file_format(path: str | Path, given: str | None = None) -> FileFormat:
    """The format of ``path``: ``given`` if set, else from its suffix (``-``: CSV); ValueError naming the file otherwise."""
    if given is not None:
        if given not in ("csv", "jsonl", "parquet"):
            raise ValueError(f"format must be csv, jsonl or parquet, got {shown(given)}")
        return given  # type: ignore[return-value]
    if str(path) == "-":
        return "csv"  # stdin and stdout: CSV unless told otherwise
    found = _SUFFIXES.get(Path(str(path)).suffix.lower())
    if found is None:
        raise ValueError(f"{path}: cannot tell the format from the name; use .csv, .jsonl or .parquet, or give the format")
    return found


def _codec(encoding: str) -> str:
    name = _ENCODING_NAMES.get(encoding.lower(), encoding)
    codecs.lookup(name)  # LookupError naming an unknown encoding
    return name


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig`` if ``sample`` (a file's first bytes) is UTF-8, else ``cp932``."""
    try:
        # An incremental decoder accepts a character cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8-sig"  # also strips a byte-order mark, which Excel writes


# --- reading ----------------------------------------------------------------------------


@contextmanager
def _text(path: str | Path, encoding: str | None) -> Iterator[IO[str]]:
    if str(path) == "-":
        raw = sys.stdin.buffer
        sample = raw.peek(_SAMPLE) if hasattr(raw, "peek") else b""
        name = _codec(encoding) if encoding else detect_encoding(sample)
        yield io.TextIOWrapper(raw, encoding=name, newline="")
        return
    with open(path, "rb") as raw:
        name = _codec(encoding) if encoding else detect_encoding(raw.read(_SAMPLE))
        raw.seek(0)
        with io.TextIOWrapper(raw, encoding=name, newline="") as text:
            yield text


def _lines(text: IO[str], too_long: set[int]) -> Iterator[str]:
    """The lines of ``text``, each at most :data:`MAX_LINE` characters held at once.

    A longer line is read to its end in bounded pieces and dropped; in its place comes
    :data:`_TOO_LONG`, and its number (counting from 1) goes into ``too_long``.
    """
    number = 0
    while piece := text.readline(MAX_LINE):
        number += 1
        if len(piece) == MAX_LINE and not piece.endswith(("\n", "\r")):
            while (rest := text.readline(MAX_LINE)) and not rest.endswith(("\n", "\r")):
                pass
            too_long.add(number)
            yield _TOO_LONG
            continue
        yield piece


# What stands for an over-long line: a NUL cell no export writes.
_TOO_LONG = "\x00\n"


def _error(problem: Problem, kind: str) -> RowError:
    # Numbered by the batch (decide._one), which knows the row's place in the input.
    return RowError(0, None, problem.en, kind, problem_ja=problem.ja)


def _csv_rows(reader: Any, path: str | Path) -> Iterator[Sequence[object] | RowError]:
    """The rows of a CSV reader; a row it cannot read (a cell beyond the limit, an over-long line) is an error row."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield _error(line_too_long(), "LineTooLong")
            continue
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: cannot decode byte {error.start} of a line as {error.encoding}; "
                             "give the encoding") from None
        if row == ["\x00"]:
            yield _error(line_too_long(), "LineTooLong")
        elif row:
            yield row


@contextmanager
def read_members(path: str | Path, *, format: str | None = None, encoding: str | None = None,
                 chunk_size: int = DEFAULT_CHUNK) -> Iterator[TableRows]:
    """The members of a file as :class:`~hokensho_rules.membership.batch.TableRows`, read lazily.

    Raises SchemaError naming a bad column (before any row is read), ValueError for an
    undecodable CSV, FileNotFoundError for a missing file. A row that cannot be read
    (malformed or deeply nested JSON, a line over :data:`~.messages.MAX_LINE`
    characters, a cell over the CSV limit) comes as a RowError in its place: one
    error row, read in bounded memory, and the rest of the file is decided.
    """
    kind = file_format(path, format)
    if kind == "csv":
        with _text(path, encoding) as text:
            too_long: set[int] = set()
            reader = csv.reader(_lines(text, too_long))
            try:
                first = next(reader)
            except StopIteration:
                raise SchemaError(f"{path}: the file is empty; the first line must name the columns") from None
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}: the header is not {error.encoding}; give the encoding") from None
            except csv.Error:
                raise SchemaError(f"{path}: the first line is too long to be a header") from None
            header = Header.resolve(first)
            yield TableRows(header, _csv_rows(reader, path))
    elif kind == "jsonl":
        with _text(path, encoding or "utf-8") as text:
            yield _jsonl_rows(text, path)
    else:
        need_arrow("Parquet")
        parquet = pq.ParquetFile(path)
        header = Header.resolve(parquet.schema_arrow.names)
        yield TableRows(header, _parquet_rows(parquet, chunk_size), parquet.metadata.num_rows)


def _jsonl_rows(text: IO[str], path: str | Path) -> TableRows:
    lines = (line for line in _lines(text, set()) if line.strip())
    # The first object's keys are checked up front, so a wrong file fails before any
    # work; each line is then read by its own keys (a missing key is an empty cell, an
    # unknown one that row's error). Unreadable lines before it are error rows.
    before: list[RowError] = []
    first_row: dict[str, Any] | None = None
    for line in lines:
        item = _json_object(line)
        if isinstance(item, RowError):
            before.append(item)
            continue
        first_row = item
        break
    if first_row is None:
        raise SchemaError(f"{path}: no line is a JSON object" if before else f"{path}: the file is empty")
    header = Header.resolve(first_row.keys())
    found = first_row

    def rows() -> Iterator[dict[str, Any] | RowError]:
        yield from before
        yield found
        for line in lines:
            yield _json_object(line)

    return TableRows(header, rows())


def _json_object(line: str) -> dict[str, Any] | RowError:
    if line == _TOO_LONG:
        return _error(line_too_long(), "LineTooLong")
    try:
        value = json.loads(line)
    except RecursionError:
        return _error(not_json("nested"), "JSONError")
    except ValueError:  # JSONDecodeError, and an integer of too many digits
        return _error(not_json("malformed"), "JSONError")
    if not isinstance(value, dict):
        return _error(not_json("not_object"), "JSONError")
    return value


def _parquet_rows(parquet: Any, chunk_size: int) -> Iterator[Sequence[object]]:
    for batch in parquet.iter_batches(batch_size=chunk_size):
        yield from zip(*(_cells(column) for column in batch.columns), strict=True)


def _cells(column: Any) -> list[object]:
    """A Parquet column's values as Python's; a value Python cannot hold is a text saying so."""
    try:
        cells: list[object] = column.to_pylist()
    except (OverflowError, ValueError):  # a date or time before year 1 or after 9999: one cell's error
        return [_cell(value, column.type) for value in column]
    return cells


def _cell(value: Any, kind: Any) -> object:
    try:
        return value.as_py()
    except (OverflowError, ValueError):
        return f"out of range for {kind}"


def read_table(path: str | Path, *, format: str | None = None, encoding: str | None = None) -> list[dict[str, object]]:
    """Every row of a (small) membership file as a dict of header → cell; for ``explain`` and friends.

    A row that could not be read (see :func:`read_members`) raises ValueError naming it.
    """
    out: list[dict[str, object]] = []
    with read_members(path, format=format, encoding=encoding) as table:
        for number, row in enumerate(table.rows, start=1):
            if isinstance(row, RowError):
                raise ValueError(f"{path}: {replace(row, row=number)}")
            out.append(dict(row) if isinstance(row, Mapping) else dict(zip(table.header.names, row, strict=False)))
    return out


@dataclass
class Summary:
    """What a file-to-file run did: rows read, errors, action rows, and the first few error messages.

    ``rows`` (read) = ``decided`` + ``errors``, always. ``provenance`` is what was written
    into the outputs (Parquet metadata, the ``summary`` JSON file): see
    :func:`~hokensho_rules.membership.writers.provenance`.
    """

    rows: int = 0
    errors: int = 0
    actions: int = 0
    first_errors: list[str] = field(default_factory=list)
    provenance: dict[str, object] = field(default_factory=dict)

    @property
    def decided(self) -> int:
        """Rows decided: every row read that is not an error row."""
        return self.rows - self.errors

    @property
    def ok(self) -> bool:
        """Whether every row was decided."""
        return self.errors == 0


def evaluate_file(
    source: str | Path,
    output: str | Path | None,
    on: date,
    *,
    actions: str | Path | None = None,
    shape: ShapeName = "wide",
    rulebook: Rulebook | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    actions_format: str | None = None,
    encoding: str | None = None,
    output_encoding: str = "utf-8",
    processes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: bool | None = None,
    summary: str | Path | None = None,
    columnar: bool = True,
) -> Summary:
    """Evaluate every member of ``source`` on ``on``; write one row per member to ``output``
    (``shape`` ``"wide"`` or ``"long"``) and, from the same pass, the action list to ``actions``.

    Streams: memory stays flat in the number of members. An input row that cannot be
    decided becomes an error row in ``output`` (and counts in the returned Summary);
    so does a later row with the id of an earlier one (``DuplicateId``). A header that
    cannot be used raises SchemaError before anything is written.
    ``output_encoding`` applies to CSV output (``cp932`` for Shift_JIS; ``utf-8``
    writes a BOM so Excel reads it). ``summary``: also write the run's provenance
    (rows read, decided, in error; the input's SHA-256; packs, rule files; version) as JSON.
    ``columnar``: read the rows column by column (same output; off only to compare).

    Every file appears at its name complete or not at all (``render/atomic.py``): on
    any failure an earlier file there is left intact. A failure to write raises
    :class:`~hokensho_rules.render.atomic.OutputError`; a worker process that dies twice
    on one chunk, :class:`~hokensho_rules.membership.batch.WorkerDied`.
    """
    book = rulebook if rulebook is not None else Rulebook.load()
    out_codec = "utf-8-sig" if _codec(output_encoding) in ("utf-8", "utf_8", "utf-8-sig") else _codec(output_encoding)
    targets: list[tuple[str | Path, FileFormat, Shape]] = []
    if output is not None:
        targets.append((output, file_format(output, output_format), shape_named(shape, book)))
    if actions is not None:
        targets.append((actions, file_format(actions, actions_format), shape_named("actions", book)))
    if not targets:
        raise ValueError("nothing to write: give an output file, an actions file, or both")
    if any(kind == "parquet" for _, kind, _ in targets):
        need_arrow("Parquet")
    encoders = Encoders(tuple(Encoder(s, kind, out_codec.replace("-sig", "")) for _, kind, s in targets))
    result = Summary()
    with read_members(source, format=input_format, encoding=encoding, chunk_size=chunk_size) as table, ExitStack() as stack:
        writers = [Writer(path, kind, s, out_codec, stack) for path, kind, s in targets]
        for chunk in _evaluate_chunks(table, on, rulebook=book, processes=processes, chunk_size=chunk_size,
                                      progress=progress, decisions=False, cache=True, transform=encoders,
                                      unique_ids=True, columnar=columnar):
            for writer, payload in zip(writers, chunk.payloads, strict=True):
                writer.write(payload)
            result.rows += chunk.rows
            result.errors += chunk.errors
            result.actions += chunk.actions
            room = SHOWN_ERRORS - len(result.first_errors)
            result.first_errors.extend(chunk.first_errors[:max(0, room)])
        names = {"results" if s.name != "actions" else "actions": str(path) for path, _, s in targets}
        result.provenance = provenance(source, on, book, rows=result.rows, decided=result.decided,
                                       errors=result.errors, actions=result.actions, outputs=names)
        for writer in writers:
            writer.finish(result.provenance)
    # The summary is written once every output is in place: its presence says they are complete.
    if summary is not None:
        write_json(result.provenance, summary)
    return result
