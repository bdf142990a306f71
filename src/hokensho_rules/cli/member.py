"""The commands about one member or a small file: ``explain``, ``timeline`` (one member, or a
whole file as one table) and ``compare``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..evaluation.rows import RowError
from ..facts.errors import DecisionError
from ..render.words import Lang
from ..membership.timeline_files import timeline_format, write_timelines
from ..render import Timelines
from ..results.timelines import collect_chunks
from ..rulebook.book import Rulebook, compare
from .io import find_member, members_of, show
from .impact import run_impact
from .options import DATE, EXIT_ROWS_FAILED, LANG, Failed, InputError, input_options, load_book, rulebook_options


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "member_id", required=True, help="The member's id (the id column).")
@click.option("--on", "on", type=DATE, required=True, help="The date to decide on: ISO or 令和.")
@LANG
@input_options
@rulebook_options
def explain(source: str, member_id: str, on: date, lang: Lang, encoding: str | None, input_format: str | None,
            packs: str | None, rules_root: Path | None) -> None:
    """Explain one member's answers: the deciding rule and its citation, the facts it
    matched, the rules it overrode, and why the others did not apply.

    \b
    Example:
      hokensho-rules explain members.csv --id M00042 --on 令和7年12月2日 --lang ja
    """
    book = load_book(packs, rules_root)
    member = find_member(source, member_id, input_format, encoding)
    try:
        click.echo(book.evaluate(member, on).explain(lang))
    except DecisionError as error:
        raise Failed(str(error)) from None


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "member_id", help="The member's id (default: every member of the file, as one table).")
@click.option("--from", "start", type=DATE, required=True, help="First day (ISO or 令和).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (ISO or 令和), inclusive.")
@click.option("--output", "-o", help="Write the intervals as rows instead of text: .csv or .jsonl; "
              "without --id also .parquet ('-': CSV on stdout).")
@LANG
@input_options
@rulebook_options
def timeline(source: str, member_id: str | None, start: date, end: date, output: str | None, lang: Lang,
             encoding: str | None, input_format: str | None, packs: str | None, rules_root: Path | None) -> None:
    """How one member's answers change over a period: when, to what, and by which rule.
    Without --id, every member of the file: one table of member, question, start, end,
    days, outcome and rule, computed together (the engine decides each distinct case once).

    \b
    Examples:
      hokensho-rules timeline members.csv --id M00042 --from 2024-10-01 --to 2031-01-01 --lang ja
      hokensho-rules timeline members.csv --from 2024-10-01 --to 2031-01-01 -o timelines.parquet
    """
    book = load_book(packs, rules_root)
    if member_id is None:
        _membership_timelines(book, source, start, end, output, lang, encoding, input_format)
        return
    member = find_member(source, member_id, input_format, encoding)
    try:
        result = book.timeline(member, start, end)
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    show(result, output, lang)


def _membership_timelines(book: Rulebook, source: str, start: date, end: date, output: str | None, lang: Lang,
                          encoding: str | None, input_format: str | None) -> None:
    """Every member's timeline as one table (streamed to ``output``), or its summary as text."""
    unreadable: list[RowError] = []
    people = members_of(source, input_format, encoding, unreadable)
    if output is None:
        try:
            table = book.timelines(people, start, end)
        except ValueError as error:
            raise Failed(str(error)) from None
        click.echo(table.render(lang))
        failed = list(table.errors)
    else:
        try:
            timeline_format(output)
        except ValueError as error:
            raise InputError(str(error)) from None
        try:
            summary = write_timelines(collect_chunks(book, people, start, end, cls=Timelines), output, packs=book.packs)
        except ValueError as error:
            raise Failed(str(error)) from None
        failed = summary.errors
        click.echo(f"{summary.members} members, {summary.intervals} intervals written to {output}; "
                   f"{len(failed) + len(unreadable)} members in error", err=True)
        for row_error in failed[:5]:
            click.echo(f"  {row_error.message(lang)}", err=True)
    if failed or unreadable:
        sys.exit(EXIT_ROWS_FAILED)


@click.command(name="compare")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from", "start", type=DATE, help="First day (ISO or 令和) of a period to compare members over.")
@click.option("--to", "end", type=DATE, help="Last day of that period, inclusive.")
@click.option("--on", "on", type=DATE, help="Compare the whole membership on this one day instead (impact of a change).")
@click.option("--before-packs", metavar="NAMES",
              help="With --on: packs of the before side (default: the after side's); '-name' leaves one out.")
@click.option("--before-parameters", type=click.Path(dir_okay=False, path_type=Path),
              help="With --on: a parameter file for the before side (default: none, the defaults).")
@click.option("--counter", metavar="FLAGS",
              help="With --on: the counter's flags that are true, e.g. online_verification,smartphone,smartphone_reader.")
@click.option("--members", "members_out", metavar="FILE", help="With --on: write the members whose answers change (.csv/.jsonl).")
@click.option("--actions", "actions_out", metavar="FILE", help="With --on: write the action rows added and removed.")
@click.option("--chart", metavar="FILE", help="With --on: draw the impact as .png or .svg (needs the charts extra).")
@click.option("--id", "member_id", help="Only this member (default: every member of the file).")
@click.option("--output", "-o", help="Write the differences (with --on: the table) as rows (.csv or .jsonl) instead of text.")
@LANG
@input_options
@rulebook_options
def compare_command(source: str, start: date | None, end: date | None, on: date | None, before_packs: str | None,
                    before_parameters: Path | None, counter: str | None, members_out: str | None,
                    actions_out: str | None, chart: str | None, member_id: str | None, output: str | None,
                    lang: Lang, encoding: str | None, input_format: str | None, packs: str | None,
                    rules_root: Path | None) -> None:
    """Compare two rulebooks: over a period for a few members (--from/--to: the seed
    document alone against the rules in force), or for a whole membership on one day
    (--on: the impact of a change — before: --before-packs / --before-parameters,
    after: --packs / --parameters).

    With --on, for each question: how many members change outcome and from what to
    what, and the action-list rows added and removed.

    \b
    Examples:
      hokensho-rules compare members.csv --id M00042 --from 2024-10-01 --to 2031-01-01
      hokensho-rules compare members.csv --on 2026-08-01 --before-parameters b5_extended.yaml \\
          --counter online_verification --members changed.csv
      hokensho-rules compare members.csv --on 2026-01-10 --before-packs -b8_smartphone_card \\
          --counter online_verification,smartphone,smartphone_reader
    """
    if on is not None:
        if start is not None or end is not None or member_id is not None:
            raise InputError("--on compares a whole membership on one day: leave out --from, --to and --id")
        run_impact(source, on, lang=lang, packs=packs, rules_root=rules_root, before_packs=before_packs,
                   before_parameters=before_parameters, counter=counter, output=output, members_out=members_out,
                   actions_out=actions_out, chart=chart, input_format=input_format, encoding=encoding)
        return
    if start is None or end is None:
        raise InputError("give --from and --to (a period), or --on (one day for the whole membership)")
    seed, in_force = load_book("seed", rules_root), load_book(packs, rules_root)
    errors: list[RowError] = []
    people = ([find_member(source, member_id, input_format, encoding)] if member_id
              else list(members_of(source, input_format, encoding, errors)))
    try:
        result = compare(seed, in_force, people, start, end)
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    show(result, output, lang)
    if errors:
        sys.exit(EXIT_ROWS_FAILED)
