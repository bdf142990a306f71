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
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal

from .batch import DEFAULT_CHUNK, Result, TableRows, _evaluate_chunks
from .columns import Header, SchemaError
from ..evaluation.rows import RowError
from ..rulebook.book import Rulebook
from .shapes import ColumnType, Shape, ShapeName, shape_named

try:  # optional: the ``files`` extra
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - exercised only without the extra
    pa = None
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

FileFormat = Literal["csv", "jsonl", "parquet"]
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
            raise ValueError(f"format must be csv, jsonl or parquet, got {given!r}")
        return given  # type: ignore[return-value]
    if str(path) == "-":
        return "csv"  # stdin and stdout: CSV unless told otherwise
    found = _SUFFIXES.get(Path(str(path)).suffix.lower())
    if found is None:
        raise ValueError(f"{path}: cannot tell the format from the name; use .csv, .jsonl or .parquet, or give the format")
    return found


def _need_arrow(what: str) -> None:
    if pa is None:
        raise RuntimeError(f"{what} needs pyarrow: pip install 'hokensho-rules[files]'")


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


def _decoded(rows: Iterator[list[str]], path: str | Path) -> Iterator[list[str]]:
    try:
        yield from rows
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: cannot decode byte {error.start} of a line as {error.encoding}; give the encoding") from None


@contextmanager
def read_members(path: str | Path, *, format: str | None = None, encoding: str | None = None,
                 chunk_size: int = DEFAULT_CHUNK) -> Iterator[TableRows]:
    """The members of a file as :class:`~hokensho_rules.membership.batch.TableRows`, read lazily.

    Raises SchemaError naming a bad column (before any row is read), ValueError for an
    undecodable CSV, FileNotFoundError for a missing file.
    """
    kind = file_format(path, format)
    if kind == "csv":
        with _text(path, encoding) as text:
            reader = csv.reader(text)
            try:
                first = next(reader)
            except StopIteration:
                raise SchemaError(f"{path}: the file is empty; the first line must name the columns") from None
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}: the header is not {error.encoding}; give the encoding") from None
            header = Header.resolve(first)
            yield TableRows(header, _decoded((row for row in reader if row), path))
    elif kind == "jsonl":
        with _text(path, encoding or "utf-8") as text:
            yield _jsonl_rows(text, path)
    else:
        _need_arrow("Parquet")
        parquet = pq.ParquetFile(path)
        header = Header.resolve(parquet.schema_arrow.names)
        yield TableRows(header, _parquet_rows(parquet, chunk_size), parquet.metadata.num_rows)


def _jsonl_rows(text: IO[str], path: str | Path) -> TableRows:
    lines = (line for line in text if line.strip())
    first = next(lines, None)
    if first is None:
        raise SchemaError(f"{path}: the file is empty")
    first_row = _json_object(first, path, 1)
    # The first line's keys are checked up front, so a wrong file fails before any
    # work; each line is then read by its own keys (a missing key is an empty cell, an
    # unknown one that row's error).
    header = Header.resolve(first_row.keys())

    def rows() -> Iterator[dict[str, Any]]:
        yield first_row
        for number, line in enumerate(lines, start=2):
            yield _json_object(line, path, number)

    return TableRows(header, rows())


def _json_object(line: str, path: str | Path, number: int) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}, line {number}: not JSON ({error.msg})") from None
    if not isinstance(value, dict):
        # The file's content is wrong, not the caller's argument: a ValueError, like bad JSON.
        raise ValueError(f"{path}, line {number}: a JSON object per line is expected")  # noqa: TRY004
    return value


def _parquet_rows(parquet: Any, chunk_size: int) -> Iterator[Sequence[object]]:
    for batch in parquet.iter_batches(batch_size=chunk_size):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def read_table(path: str | Path, *, format: str | None = None, encoding: str | None = None) -> list[dict[str, object]]:
    """Every row of a (small) membership file as a dict of header → cell; for ``explain`` and friends."""
    with read_members(path, format=format, encoding=encoding) as table:
        return [dict(zip(table.header.names, row, strict=False)) for row in table.rows]


# --- encoding chunks (in the workers) ----------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


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


def _json_cell(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class _Encoder:
    """Turns a chunk's results into the bytes (or record batch) of one output file, in a worker."""

    shape: Shape
    format: FileFormat
    encoding: str

    def __call__(self, results: list[Result]) -> Any:
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
        return _record_batch(self.shape, rows)


_ARROW_TYPES: dict[ColumnType, str] = {"int": "int64", "str": "string", "date": "date32", "bool": "bool"}


def arrow_schema(shape: Shape) -> Any:
    """The Arrow schema of a shape (every column nullable)."""
    _need_arrow("Arrow output")
    return pa.schema([(name, pa.type_for_alias(_ARROW_TYPES[kind])) for name, kind in shape.columns])


def _record_batch(shape: Shape, rows: Sequence[Sequence[object]]) -> Any:
    schema = arrow_schema(shape)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in shape.columns]
    arrays = []
    for (name, _), values, arrow_field in zip(shape.columns, columns, schema, strict=True):
        if name in shape.mixed:
            values = tuple(_json_cell(v) if isinstance(v, date) else v for v in values)
        arrays.append(pa.array(values, type=arrow_field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


@dataclass(frozen=True)
class _Chunk:
    """What one chunk sends back: each output's payload and the counts the summary needs."""

    payloads: tuple[Any, ...]
    rows: int
    errors: int
    actions: int
    first_errors: tuple[str, ...]


@dataclass(frozen=True)
class _Encoders:
    encoders: tuple[_Encoder, ...]

    def __call__(self, results: list[Result]) -> _Chunk:
        errors = [r for r in results if isinstance(r, RowError)]
        actions = sum(len(r.actions) for r in results if not isinstance(r, RowError))
        return _Chunk(tuple(e(results) for e in self.encoders), len(results), len(errors), actions,
                      tuple(str(e) for e in errors[:_SHOWN_ERRORS]))


_SHOWN_ERRORS = 5


# --- writing ----------------------------------------------------------------------------


class _Writer:
    """Appends encoded chunks to one output file (``-``: stdout, for CSV and JSON Lines)."""

    def __init__(self, path: str | Path, kind: FileFormat, shape: Shape, encoding: str, stack: ExitStack):
        self.kind = kind
        self.parquet: Any = None
        self.stream: IO[bytes] | None = None
        if kind == "parquet":
            if str(path) == "-":
                raise ValueError("Parquet cannot be written to stdout: give a file name")
            self.parquet = stack.enter_context(pq.ParquetWriter(str(path), arrow_schema(shape), compression="zstd"))
            return
        if str(path) == "-":
            self.stream = sys.stdout.buffer
        else:
            self.stream = stack.enter_context(open(path, "wb"))  # noqa: SIM115 (closed by the ExitStack)
        if kind == "csv":
            # A UTF-8 file starts with a BOM so that Excel reads it as UTF-8; a pipe does not.
            bom = codecs.BOM_UTF8 if encoding == "utf-8-sig" and str(path) != "-" else b""
            header = io.StringIO()
            csv.writer(header, lineterminator="\n").writerow(shape.names)
            self.stream.write(bom + _encode(header.getvalue(), encoding.replace("-sig", "")))

    def write(self, payload: Any) -> None:
        if self.parquet is not None:
            if payload.num_rows:
                self.parquet.write_batch(payload)
        else:
            assert self.stream is not None
            self.stream.write(payload)


@dataclass
class Summary:
    """What a file-to-file run did: rows read, errors, action rows, and the first few error messages."""

    rows: int = 0
    errors: int = 0
    actions: int = 0
    first_errors: list[str] = field(default_factory=list)

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
) -> Summary:
    """Evaluate every member of ``source`` on ``on``; write one row per member to ``output``
    (``shape`` ``"wide"`` or ``"long"``) and, from the same pass, the action list to ``actions``.

    Streams: memory stays flat in the number of members. An input row that cannot be
    decided becomes an error row in ``output`` (and counts in the returned Summary);
    a header that cannot be used raises SchemaError before anything is written.
    ``output_encoding`` applies to CSV output (``cp932`` for Shift_JIS; ``utf-8``
    writes a BOM so Excel reads it).
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
        _need_arrow("Parquet")
    encoders = _Encoders(tuple(_Encoder(s, kind, out_codec.replace("-sig", "")) for _, kind, s in targets))
    summary = Summary()
    with read_members(source, format=input_format, encoding=encoding, chunk_size=chunk_size) as table, ExitStack() as stack:
        writers = [_Writer(path, kind, s, out_codec, stack) for path, kind, s in targets]
        for chunk in _evaluate_chunks(table, on, rulebook=book, processes=processes, chunk_size=chunk_size,
                                      progress=progress, decisions=False, cache=True, transform=encoders):
            for writer, payload in zip(writers, chunk.payloads, strict=True):
                writer.write(payload)
            summary.rows += chunk.rows
            summary.errors += chunk.errors
            summary.actions += chunk.actions
            room = _SHOWN_ERRORS - len(summary.first_errors)
            summary.first_errors.extend(chunk.first_errors[:max(0, room)])
    return summary
