"""Reading members from a file for the commands about one member or a small file, and
writing what they show: text on the terminal or rows in a file; the batch report."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Protocol

import click

from ..evaluation.rows import RowError
from ..facts.member import Member
from ..facts.privacy import spreadsheet_safe
from ..membership.columns import Header, SchemaError, parse_row
from ..membership.files import Summary, read_members
from ..render.atomic import atomic_open
from ..render.words import Lang
from .options import EXIT_ROWS_FAILED, Failed, InputError


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn an unusable input into exit 2 with a message naming the file or column."""
    try:
        yield
    except (SchemaError, FileNotFoundError, IsADirectoryError, PermissionError, LookupError,
            UnicodeDecodeError) as error:
        raise InputError(str(error)) from None
    except ValueError as error:
        raise InputError(str(error)) from None


def report(summary: Summary, what: str) -> None:
    """The run's counts on stderr (rows read = decided + error rows), the first error rows; exit 1 if any."""
    click.echo(f"{summary.rows} rows read = {summary.decided} decided + {summary.errors} error rows; "
               f"{summary.actions} actions; {what}", err=True)
    for message in summary.first_errors:
        click.echo(f"  {message}", err=True)
    if summary.errors > len(summary.first_errors):
        click.echo(f"  … {summary.errors - len(summary.first_errors)} more error rows in the output", err=True)
    if not summary.ok:
        sys.exit(EXIT_ROWS_FAILED)


def rows_of(source: str, input_format: str | None, encoding: str | None
            ) -> Iterator[tuple[Header, list[object] | RowError]]:
    """Each row of a file with the header it is read by (a JSON line by its own keys);
    a row that could not be read is its RowError (numbered from 1)."""
    with input_errors(), read_members(source, format=input_format, encoding=encoding) as table:
        for number, row in enumerate(table.rows, start=1):
            if isinstance(row, RowError):
                yield table.header, replace(row, row=number)
            elif isinstance(row, Mapping):
                yield Header.resolve(row.keys()), list(row.values())
            else:
                yield table.header, list(row)


def find_member(source: str, member_id: str, input_format: str | None, encoding: str | None) -> Member:
    """The member ``member_id`` of a file, read row by row until found."""
    for number, (header, cells) in enumerate(rows_of(source, input_format, encoding), start=1):
        if isinstance(cells, RowError):
            continue
        position = [c.name for c in header.columns].index("id")
        if str(cells[position]).strip() != member_id:
            continue
        member = parse_row(header, cells, number)
        if isinstance(member, RowError):
            raise Failed(str(member))
        return member
    raise Failed(f"no member with id {member_id!r} in {source}")


def members_of(source: str, input_format: str | None, encoding: str | None, errors: list[RowError]) -> Iterator[Member]:
    """Every member of a (small) file; a row that cannot be read is reported and left out."""
    for number, (header, cells) in enumerate(rows_of(source, input_format, encoding), start=1):
        member = cells if isinstance(cells, RowError) else parse_row(header, cells, number)
        if isinstance(member, RowError):
            errors.append(member)
            click.echo(member.message("ja"), err=True)
            click.echo(f"  {member.message('en')}", err=True)
        else:
            yield member


class Shown(Protocol):
    def to_rows(self) -> Iterable[dict[str, Any]]: ...
    def render(self, lang: Lang = "ja") -> str: ...


def show(result: Shown, output: str | None, lang: Lang) -> None:
    """A small result as rows into ``output`` when one is given, else as text on the terminal."""
    if output:
        write_rows(result.to_rows(), output)
    else:
        click.echo(result.render(lang))


def write_rows(rows: Iterable[dict[str, Any]], output: str) -> None:
    """Rows of a small result (a timeline, differences, envelopes) as CSV, or JSON Lines for .jsonl.

    A file appears complete or not at all (``render/atomic.py``); every CSV cell is
    formula-safe (``facts/privacy.py``).
    """
    rows = list(rows)
    if output.endswith(".jsonl"):
        text = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([spreadsheet_safe(str(name)) for name in (rows[0] if rows else [])])
        writer.writerows([_csv_cell(v) for v in row.values()] for row in rows)
        text = out.getvalue()
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_open(output) as stream:
        stream.write(text.encode("utf-8"))


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return spreadsheet_safe(json.dumps(value, ensure_ascii=False))
    return spreadsheet_safe(str(value))
