"""The ``rules`` commands: list the rules, show one with its citation, check the files."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..facts.errors import RuleFileError
from ..law.loader import available_packs, rules_dir
from ..law.schema import ParamRef
from ..render.words import Lang, rule_title
from ..rulebook.book import Rulebook
from ..law.settings import accepts
from ..render.rules import param_value
from .options import EXIT_ROWS_FAILED, LANG, Failed, InputError, load_book, parameters_given, rulebook_options


@click.group()
def rules() -> None:
    """The rule files: list them, show one rule with its citation, check them.

    \b
    Examples:
      hokensho-rules rules list
      hokensho-rules rules show PC-3 --lang en
      hokensho-rules rules check --rules-root ./rules
    """


@rules.command(name="list")
@LANG
@rulebook_options
def rules_list(lang: Lang, packs: str | None, rules_root: Path | None) -> None:
    """One line per rule: id, question, outcome, title.

    \b
    Example:
      hokensho-rules rules list --packs seed --lang en
    """
    book = load_book(packs, rules_root)
    for rule in book.rules.values():
        click.echo(f"{rule.id:<22} {rule.question:<40} {rule.outcome:<28} {rule_title(rule, book.law, date.max, lang)}")


@rules.command(name="show")
@click.argument("rule_id")
@LANG
@rulebook_options
def rules_show(rule_id: str, lang: Lang, packs: str | None, rules_root: Path | None) -> None:
    """Show one rule: title, question and outcome, period in force, citation, file.

    \b
    Example:
      hokensho-rules rules show PC-3 --lang ja
    """
    book = load_book(packs, rules_root)
    rule = book.rules.get(rule_id)
    if rule is None:
        raise Failed(f"no rule {rule_id!r} in packs {', '.join(book.packs)}")
    source = book.sources[rule.citation.source]
    sections = ", ".join(rule.citation.sections)
    in_force = rule.in_force

    def bound(value: date | ParamRef | None, exclusive: str) -> str:
        # A bound may name a parameter: show its name and its value(s), each dated.
        if value is None:
            return "…"
        if isinstance(value, date):
            return exclusive + value.isoformat()
        values = ", ".join(f"{v.value}" + (f" from {v.since}" if v.since else "") for v in book.parameters[value.param].values)
        return f"{exclusive}{value.param} ({values})"

    lines = [
        # The values a title quotes: the latest known (a rule file may date later values).
        f"{rule.id}: {rule_title(rule, book.law, date.max, lang)}",
        f"  question: {rule.question} → {rule.outcome}",
        f"  implements: {', '.join(rule.implements)}",
        f"  in force: {bound(in_force.from_ or in_force.after, 'after ' if in_force.after else '')}"
        f" to {bound(in_force.until or in_force.before, 'before ' if in_force.before else '')}",
        f"  citation: {getattr(source.title, lang)}" + (f" {sections}" if sections else "")
        + (f" ({source.url})" if source.url else ""),
        f"  file: {book.origin[rule.id]}",
    ]
    if rule.overrides:
        lines.append(f"  overrides: {', '.join(rule.overrides)}")
    click.echo("\n".join(lines))


@rules.command(name="parameters")
@LANG
@rulebook_options
def rules_parameters(lang: Lang, packs: str | None, rules_root: Path | None) -> None:
    """Every parameter: its value(s), what it accepts, who may change it.

    The values shown are those in force after ``--parameters FILE``, if given.

    \b
    Example:
      hokensho-rules rules parameters --parameters insurer.yaml --lang en
    """
    book = load_book(packs, rules_root)
    changed = {name for name, _ in book.overrides}
    for name, parameter in book.parameters.items():
        ja, en = accepts(parameter)
        who = getattr(parameter.set_by.who, lang) if parameter.set_by is not None else (
            "法令（変更は仮定の試算）" if lang == "ja" else "the law (another value is a what-if)")
        mark = (" ［設定ファイル］" if lang == "ja" else " [from the parameter file]") if name in changed else ""
        click.echo(f"{name}: {param_value(book.law, name, lang)}{mark}\n"
                   f"  {getattr(parameter.title, lang)}\n"
                   f"  {'指定できる値' if lang == 'ja' else 'accepts'}: {ja if lang == 'ja' else en}\n"
                   f"  {'変更できる者' if lang == 'ja' else 'who may change it'}: {who}")


def static_checks(book: Rulebook) -> list[str]:
    """Problems found in a loaded rulebook beyond what loading checks; empty when none.

    Loading already validates every file and checks references, types and cycles
    (RuleFileError). This is the place for the prover of the rule files (being
    written separately): call it here and return one message per problem, and
    ``rules check`` reports them and exits 1.
    """
    return []


@rules.command(name="check")
@rulebook_options
def rules_check(packs: str | None, rules_root: Path | None) -> None:
    """Load and statically check the rule files; exit 1 with the problem if any.

    \b
    Example:
      hokensho-rules rules check --rules-root ./rules && echo ok
    """
    chosen = [p.strip() for p in packs.split(",") if p.strip()] if packs else None
    root = rules_root if rules_root is not None else rules_dir()
    try:
        book = Rulebook.load(chosen, root=rules_root, parameters=parameters_given())
    except RuleFileError as error:
        click.echo(f"rules check failed: {error}", err=True)
        sys.exit(EXIT_ROWS_FAILED)
    except (ValueError, FileNotFoundError) as error:
        raise InputError(str(error)) from None
    problems = static_checks(book)
    for problem in problems:
        click.echo(f"rules check: {problem}", err=True)
    if problems:
        sys.exit(EXIT_ROWS_FAILED)
    click.echo(f"ok: {len(book.rules)} rules, {len(book.questions)} questions, packs "
               f"{', '.join(book.packs)} (available: {', '.join(available_packs(root))}) in {root}")
