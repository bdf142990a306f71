"""``compare FILE --on DAY``: what a rule change does to a whole membership on one day.

The "after" side is the rulebook the usual options name (``--packs``, ``--parameters``,
``--rules-root``); the "before" side is ``--before-packs`` / ``--before-parameters``
(each defaulting to the after side's). A pack list may name only packs to leave out,
each with a leading ``-`` (``--before-packs -b8_smartphone_card``).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..evaluation.rows import RowError
from ..facts.errors import DecisionError
from ..facts.member import Situation
from ..facts.privacy import shown
from ..law.loader import available_packs, rules_dir
from ..render.charts import ChartsUnavailable
from ..render.words import Lang
from ..rulebook.book import Rulebook, impact
from .io import members_of, write_rows
from .options import EXIT_ROWS_FAILED, Failed, InputError, load_book

__all__ = ["counter_of", "pack_list", "run_impact"]


def pack_list(packs: str | None, rules_root: Path | None) -> str | None:
    """``packs`` as load_book takes it: names to leave out (``-name``) become the list of the others."""
    if not packs:
        return packs
    names = [p.strip() for p in packs.split(",") if p.strip()]
    dropped = [n[1:] for n in names if n.startswith("-")]
    if not dropped:
        return packs
    if len(dropped) != len(names):
        raise InputError(f"packs={shown(packs)}: name packs to load, or packs to leave out each with '-', not both")
    available = available_packs(rules_root or rules_dir())
    unknown = [n for n in dropped if n not in available]
    if unknown:
        raise InputError(f"unknown pack(s) {', '.join(unknown)}; available: {', '.join(available)}")
    return ",".join(p for p in available if p not in dropped)


def counter_of(flags: str | None) -> Situation | None:
    """The counter named by ``--counter``: the flags listed are true, every other one false."""
    if flags is None:
        return None
    names = [f.strip() for f in flags.split(",") if f.strip()]
    known = [n for n, field in Situation.model_fields.items() if field.annotation in (bool, "bool")]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"--counter {shown(flags)}: unknown flag(s) {', '.join(unknown)}; flags: {', '.join(known)}")
    return Situation.model_validate({n: n in names for n in known})


def run_impact(source: str, on: date, *, lang: Lang, packs: str | None, rules_root: Path | None,
               before_packs: str | None, before_parameters: Path | None, counter: str | None,
               output: str | None, members_out: str | None, actions_out: str | None, chart: str | None,
               input_format: str | None, encoding: str | None) -> None:
    """Evaluate the file under both sides on ``on`` and print (or write) what changes."""
    after: Rulebook = load_book(pack_list(packs, rules_root), rules_root)
    before_list = pack_list(before_packs, rules_root) if before_packs else ",".join(after.packs)
    # The before side takes no parameter file unless one is named for it: with only
    # --parameters given, the comparison is exactly "defaults → those values".
    before = load_book(before_list, rules_root, before_parameters, from_option=False)
    if before.packs == after.packs and before.overrides == after.overrides:
        click.echo("compare: the two sides are the same rulebook; name --before-packs or --before-parameters "
                   "(or --packs / --parameters for the after side)", err=True)
    errors: list[RowError] = []
    try:
        result = impact(before, after, members_of(source, input_format, encoding, errors), on, situation=counter_of(counter))
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    if output:
        write_rows(result.table(lang), output)
    else:
        click.echo(result.render(lang))
    if members_out:
        write_rows(result.to_rows(), members_out)
    if actions_out:
        write_rows(result.action_rows(), actions_out)
    if chart:
        try:
            result.chart(lang).save(chart)
        except ChartsUnavailable as error:
            raise Failed(str(error)) from None
    if errors:
        sys.exit(EXIT_ROWS_FAILED)
