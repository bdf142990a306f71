"""The commands over a whole membership file: ``evaluate``, ``actions`` and ``columns``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..membership.columns import COLUMNS, REQUIRED, describe
from ..membership.files import evaluate_file
from .io import input_errors, report
from .options import DATE, input_options, load_book, rulebook_options, run_options

SUMMARY = click.option(
    "--summary", "summary_path", metavar="FILE",
    help="Also write the run's provenance as JSON: input name, size and SHA-256; rows read, decided and in "
         "error; the day, packs, rule files' SHA-256, library version (Parquet outputs hold it as metadata too).")


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The date to decide on: ISO or 令和.")
@click.option("--output", "-o", help="Result file (.csv, .jsonl, .parquet); '-' for stdout.")
@click.option("--actions", "actions_path", help="Also write the action list (same pass) to this file.")
@click.option("--long", "long_form", is_flag=True, help="One row per member and question instead of one per member.")
@SUMMARY
@click.option("--output-format", type=click.Choice(["csv", "jsonl", "parquet"]),
              help="Format of --output (default: from its name; CSV for '-').")
@click.option("--output-encoding", default="utf-8", show_default=True,
              help="Encoding of CSV output: utf-8 (with BOM, for Excel) or cp932.")
@input_options
@run_options
@rulebook_options
def evaluate(source: str, on: date, output: str | None, actions_path: str | None, long_form: bool,
             summary_path: str | None, output_format: str | None, output_encoding: str, encoding: str | None,
             input_format: str | None, processes: int | None, chunk_size: int, progress: bool | None,
             packs: str | None, rules_root: Path | None) -> None:
    """Decide every question for every member of SOURCE on one date.

    Writes one row per member (outcome, deciding rule and dates per question), or per
    member and question with --long; a row that cannot be decided is an error row
    naming the row, column and problem, in Japanese and English (a later row with
    the id of an earlier one too). Rows read = decided + error rows, printed on
    stderr and written into a Parquet output's metadata and the --summary file.
    Exit 1 if there were error rows; each output appears complete or not at all.

    \b
    Example:
      hokensho-rules evaluate members.csv --on 令和7年12月2日 -o results.parquet --actions actions.csv
    """
    if output is None and actions_path is None:
        raise click.UsageError("give --output (-o), --actions, or both")
    book = load_book(packs, rules_root)
    with input_errors():
        summary = evaluate_file(source, output, on, actions=actions_path, shape="long" if long_form else "wide",
                                rulebook=book, input_format=input_format, output_format=output_format,
                                encoding=encoding, output_encoding=output_encoding, processes=processes,
                                chunk_size=chunk_size, progress=progress, summary=summary_path)
    report(summary, f"written to {', '.join(p for p in (output, actions_path) if p)}")


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The date of the list: ISO or 令和.")
@click.option("--output", "-o", default="-", show_default=True, help="Action list file (.csv, .jsonl, .parquet); '-' for stdout (CSV).")
@click.option("--output-encoding", default="utf-8", show_default=True, help="Encoding of CSV output.")
@SUMMARY
@input_options
@run_options
@rulebook_options
def actions(source: str, on: date, output: str, output_encoding: str, summary_path: str | None, encoding: str | None,
            input_format: str | None, processes: int | None, chunk_size: int, progress: bool | None,
            packs: str | None, rules_root: Path | None) -> None:
    """Write the insurer's action list for SOURCE on a date: who must be issued,
    return, be sent … by when, and which rule says so (one row per action, in input order).

    \b
    Example:
      hokensho-rules actions members.csv --on 2025-11-01 -o actions.csv
    """
    book = load_book(packs, rules_root)
    with input_errors():
        summary = evaluate_file(source, None, on, actions=output, rulebook=book, input_format=input_format,
                                encoding=encoding,
                                output_encoding=output_encoding, processes=processes, chunk_size=chunk_size,
                                progress=progress, summary=summary_path)
    report(summary, f"action list written to {'stdout' if output == '-' else output}")


@click.command()
def columns() -> None:
    """List the input columns: English name, Japanese header(s), kind, required.

    \b
    Example:
      hokensho-rules columns
    """
    for row in describe():
        required = " (required)" if row["required"] else ""
        click.echo(f"{row['column']:<45} {row['ja']:<28} {row['kind']:<5}{required}")
    click.echo(f"\n{len(COLUMNS)} columns; required: {', '.join(REQUIRED)}. A my_number column is never accepted.")
