"""The commands about one member or a small file: ``explain``, ``timeline`` and ``compare``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..evaluation.rows import RowError
from ..facts.errors import DecisionError
from ..render.words import Lang
from ..rulebook.book import compare
from .io import find_member, members_of, show
from .options import DATE, EXIT_ROWS_FAILED, LANG, Failed, input_options, load_book, rulebook_options


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
@click.option("--id", "member_id", required=True, help="The member's id.")
@click.option("--from", "start", type=DATE, required=True, help="First day (ISO or 令和).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (ISO or 令和), inclusive.")
@click.option("--output", "-o", help="Write the intervals as rows (.csv or .jsonl) instead of text.")
@LANG
@input_options
@rulebook_options
def timeline(source: str, member_id: str, start: date, end: date, output: str | None, lang: Lang,
             encoding: str | None, input_format: str | None, packs: str | None, rules_root: Path | None) -> None:
    """How one member's answers change over a period: when, to what, and by which rule.

    \b
    Example:
      hokensho-rules timeline members.csv --id M00042 --from 2024-10-01 --to 2031-01-01 --lang ja
    """
    book = load_book(packs, rules_root)
    member = find_member(source, member_id, input_format, encoding)
    try:
        result = book.timeline(member, start, end)
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    show(result, output, lang)


@click.command(name="compare")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from", "start", type=DATE, required=True, help="First day (ISO or 令和).")
@click.option("--to", "end", type=DATE, required=True, help="Last day, inclusive.")
@click.option("--id", "member_id", help="Only this member (default: every member of the file).")
@click.option("--output", "-o", help="Write the differences as rows (.csv or .jsonl) instead of text.")
@LANG
@input_options
@click.option("--rules-root", type=click.Path(file_okay=False, path_type=Path), help="A rules/ folder to load instead of the shipped one.")
def compare_command(source: str, start: date, end: date, member_id: str | None, output: str | None, lang: Lang,
                    encoding: str | None, input_format: str | None, rules_root: Path | None) -> None:
    """Where the seed document alone and the rules in force (seed and every later change)
    answer differently: for whom, on which dates, and by which rules.

    Each member's two timelines are computed in this process: meant for one member
    (--id) or a small file, not a whole membership.

    \b
    Example:
      hokensho-rules compare members.csv --id M00042 --from 2024-10-01 --to 2031-01-01
    """
    seed, in_force = load_book("seed", rules_root), load_book(None, rules_root)
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
