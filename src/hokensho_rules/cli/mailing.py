"""The ``mailing`` command: one mailing of the eligibility notices, planned."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..evaluation.rows import RowError
from ..facts.errors import DecisionError
from ..render.words import Lang
from ..results.mailing import MAILING_QUESTION
from ..rulebook.book import plan_mailing
from .io import members_of, show
from .options import DATE, EXIT_ROWS_FAILED, LANG, input_options, load_book, rulebook_options


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The day the mailing leaves (its parameters apply).")
@click.option("--mailing", "which", default="initial", show_default=True,
              help="The mailing to plan: an outcome of notice.mailing (initial, later_batch, on_enrolment).")
@click.option("--output", "-o", help="Write one row per envelope (.csv or .jsonl) instead of the summary.")
@LANG
@input_options
@rulebook_options
def mailing(source: str, on: date, which: str, output: str | None, lang: Lang, encoding: str | None,
            input_format: str | None, packs: str | None, rules_root: Path | None) -> None:
    """Plan one mailing of the eligibility notices: envelopes per household, parcels per
    employer (ML-1 … ML-3), for exactly the members the rules assign to it; the summary
    counts the others, by the mailing they belong to.

    The plan groups the members by employer and household, so they are held in memory
    (every member is read and evaluated one by one, in this process).

    \b
    Example:
      hokensho-rules mailing members.csv --on 2024-10-23 --mailing initial -o envelopes.csv
    """
    book = load_book(packs, rules_root)
    if which not in book.questions[MAILING_QUESTION].outcomes:
        raise click.BadParameter(f"{which!r} is not a mailing: {', '.join(book.questions[MAILING_QUESTION].outcomes)}",
                                 param_hint="--mailing")
    errors: list[RowError] = []
    decided = []
    for member in members_of(source, input_format, encoding, errors):
        try:
            book.trace(member, on, questions=(MAILING_QUESTION,))
        except DecisionError as error:
            errors.append(RowError(0, member.id, str(error), type(error).__name__))
            click.echo(str(error), err=True)
            continue
        decided.append(member)
    plan = plan_mailing(decided, book, on=on, mailing=which)
    show(plan, output, lang)
    if errors:
        click.echo(f"{len(errors)} members could not be read or decided and are not in the plan", err=True)
        sys.exit(EXIT_ROWS_FAILED)
