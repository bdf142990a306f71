"""The ``hokensho-rules`` command: membership files in, answers, actions and explanations out.

Built on click: small, pure Python, no dependencies of its own, stable for a decade,
and its CliRunner runs commands in-process for the tests. (typer is click plus type
hints, but brings rich and more; nothing here needs them.)

Exit codes, for shell scripts:

- 0: everything asked was done, every row decided;
- 1: the work ran but something in it failed: some rows are error rows (written in
  the output, counted on stderr), a member id was not found or could not be decided,
  ``rules check`` found a problem;
- 2: usage: a bad option or date, an unreadable file, a header with an unknown,
  missing or refused column (nothing was written).

Results go to files or stdout; messages and the progress bar to stderr.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

import click

from ..membership.columns import (
    COLUMNS,
    REQUIRED,
    Header,
    SchemaError,
    describe,
    parse_date,
    parse_row,
)
from ..render.words import Lang, rule_title
from ..facts.errors import DecisionError, RuleFileError
from ..facts.member import Member
from ..membership.files import Summary, evaluate_file, read_members
from ..results.mailing import MAILING_QUESTION
from ..evaluation.outcomes import RowError, evaluator_for
from ..rulebook.book import Rulebook, compare, plan_mailing
from ..law.loader import available_packs, rules_dir
from ..law.schema import ParamRef

__all__ = ["main", "static_checks"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE = 0, 1, 2


class InputError(click.ClickException):
    """An input that cannot be used at all (file, header, encoding): a usage error, exit 2."""

    exit_code = EXIT_USAGE


class Failed(click.ClickException):
    """The work ran and something in it failed: exit 1."""

    exit_code = EXIT_ROWS_FAILED


# --- options shared by commands ---------------------------------------------------------


class _DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as error:
            self.fail(f"{value!r}: {error}", param, ctx)


DATE = _DateType()


def _rulebook_options(function: F) -> F:
    function = click.option("--packs", metavar="NAMES",
                            help="Comma-separated packs to load (default: seed and every later change), e.g. seed.")(function)
    function = click.option("--rules-root", type=click.Path(file_okay=False, path_type=Path),
                            help="A rules/ folder to load instead of the shipped one.")(function)
    return function


def _input_options(function: F) -> F:
    function = click.option("--encoding", metavar="ENC",
                            help="Encoding of a CSV input: utf-8, cp932 (Shift_JIS)… Default: detected.")(function)
    function = click.option("--format", "input_format", type=click.Choice(["csv", "jsonl", "parquet"]),
                            help="Input format (default: from the file name).")(function)
    return function


def _run_options(function: F) -> F:
    function = click.option("--processes", "-p", type=click.IntRange(min=1),
                            help="Worker processes (default: every core; 1 runs in this process).")(function)
    function = click.option("--chunk-size", type=click.IntRange(min=1), default=2000, show_default=True,
                            help="Members per task sent to a worker.")(function)
    function = click.option("--progress/--no-progress", default=None,
                            help="Progress bar on stderr (default: only on a terminal).")(function)
    return function


def _book(packs: str | None, rules_root: Path | None) -> Rulebook:
    chosen = [p.strip() for p in packs.split(",") if p.strip()] if packs else None
    try:
        return Rulebook.load(chosen, root=rules_root)
    except RuleFileError as error:
        raise Failed(str(error)) from None
    except (ValueError, FileNotFoundError) as error:
        raise InputError(str(error)) from None


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn an unusable input into exit 2 with a message naming the file or column."""
    try:
        yield
    except (SchemaError, FileNotFoundError, IsADirectoryError, LookupError, UnicodeDecodeError) as error:
        raise InputError(str(error)) from None
    except ValueError as error:
        raise InputError(str(error)) from None


def _report(summary: Summary, what: str) -> None:
    click.echo(f"{summary.rows} rows, {summary.rows - summary.errors} decided, {summary.errors} error rows, "
               f"{summary.actions} actions; {what}", err=True)
    for message in summary.first_errors:
        click.echo(f"  {message}", err=True)
    if summary.errors > len(summary.first_errors):
        click.echo(f"  … {summary.errors - len(summary.first_errors)} more error rows in the output", err=True)
    if not summary.ok:
        sys.exit(EXIT_ROWS_FAILED)


# --- the group --------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="hokensho-rules")
def main() -> None:
    """Which health-insurance document applies to each member of a membership file, and why.

    \b
    hokensho-rules evaluate members.csv --on 令和7年12月2日 -o results.parquet
    hokensho-rules actions members.csv --on 2025-12-02 -o actions.csv
    hokensho-rules explain members.csv --id M00042 --on 2025-12-02 --lang en
    hokensho-rules rules show PC-3

    Input files: CSV (UTF-8 or Shift_JIS/CP932, detected), JSON Lines or Parquet, one
    row per member; `hokensho-rules columns` lists the columns and their Japanese
    headers. Dates: 2025-12-02, 2025/12/02 or 令和7年12月2日.

    Exit codes: 0 ok; 1 some rows had errors (or a member was not found, or a check
    failed); 2 usage error (bad option, unreadable file, unknown or missing column).
    """


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The date to decide on: ISO or 令和.")
@click.option("--output", "-o", help="Result file (.csv, .jsonl, .parquet); '-' for stdout.")
@click.option("--actions", "actions_path", help="Also write the action list (same pass) to this file.")
@click.option("--long", "long_form", is_flag=True, help="One row per member and question instead of one per member.")
@click.option("--output-format", type=click.Choice(["csv", "jsonl", "parquet"]),
              help="Format of --output (default: from its name; CSV for '-').")
@click.option("--output-encoding", default="utf-8", show_default=True,
              help="Encoding of CSV output: utf-8 (with BOM, for Excel) or cp932.")
@_input_options
@_run_options
@_rulebook_options
def evaluate(source: str, on: date, output: str | None, actions_path: str | None, long_form: bool,
             output_format: str | None, output_encoding: str, encoding: str | None, input_format: str | None, processes: int | None,
             chunk_size: int, progress: bool | None, packs: str | None, rules_root: Path | None) -> None:
    """Decide every question for every member of SOURCE on one date.

    Writes one row per member (outcome, deciding rule and dates per question), or per
    member and question with --long; a row that cannot be decided is an error row
    naming the row, column and problem. Exit 1 if there were error rows.

    \b
    Example:
      hokensho-rules evaluate members.csv --on 令和7年12月2日 -o results.parquet --actions actions.csv
    """
    if output is None and actions_path is None:
        raise click.UsageError("give --output (-o), --actions, or both")
    book = _book(packs, rules_root)
    with _input_errors():
        summary = evaluate_file(source, output, on, actions=actions_path, shape="long" if long_form else "wide",
                                rulebook=book, input_format=input_format, output_format=output_format,
                                encoding=encoding, output_encoding=output_encoding, processes=processes,
                                chunk_size=chunk_size,
                                progress=progress)
    _report(summary, f"written to {', '.join(p for p in (output, actions_path) if p)}")


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The date of the list: ISO or 令和.")
@click.option("--output", "-o", default="-", show_default=True, help="Action list file (.csv, .jsonl, .parquet); '-' for stdout (CSV).")
@click.option("--output-encoding", default="utf-8", show_default=True, help="Encoding of CSV output.")
@_input_options
@_run_options
@_rulebook_options
def actions(source: str, on: date, output: str, output_encoding: str, encoding: str | None,
            input_format: str | None, processes: int | None, chunk_size: int, progress: bool | None,
            packs: str | None, rules_root: Path | None) -> None:
    """Write the insurer's action list for SOURCE on a date: who must be issued,
    return, be sent … by when, and which rule says so (one row per action, in input order).

    \b
    Example:
      hokensho-rules actions members.csv --on 2025-11-01 -o actions.csv
    """
    book = _book(packs, rules_root)
    with _input_errors():
        summary = evaluate_file(source, None, on, actions=output, rulebook=book, input_format=input_format,
                                encoding=encoding,
                                output_encoding=output_encoding, processes=processes, chunk_size=chunk_size,
                                progress=progress)
    _report(summary, f"action list written to {'stdout' if output == '-' else output}")


def _rows(source: str, input_format: str | None, encoding: str | None) -> Iterator[tuple[Header, list[object]]]:
    """Each row of a file with the header it is read by (a JSON line by its own keys)."""
    with _input_errors(), read_members(source, format=input_format, encoding=encoding) as table:
        for row in table.rows:
            if isinstance(row, Mapping):
                yield Header.resolve(row.keys()), list(row.values())
            else:
                yield table.header, list(row)


def _find_member(source: str, member_id: str, input_format: str | None, encoding: str | None) -> Member:
    """The member ``member_id`` of a file, read row by row until found."""
    for number, (header, cells) in enumerate(_rows(source, input_format, encoding), start=1):
        position = [c.name for c in header.columns].index("id")
        if str(cells[position]).strip() != member_id:
            continue
        member = parse_row(header, cells, number)
        if isinstance(member, RowError):
            raise Failed(str(member))
        return member
    raise Failed(f"no member with id {member_id!r} in {source}")


def _members(source: str, input_format: str | None, encoding: str | None, errors: list[RowError]) -> Iterator[Member]:
    """Every member of a (small) file; a row that cannot be read is reported and left out."""
    for number, (header, cells) in enumerate(_rows(source, input_format, encoding), start=1):
        member = parse_row(header, cells, number)
        if isinstance(member, RowError):
            errors.append(member)
            click.echo(str(member), err=True)
        else:
            yield member


class _Shown(Protocol):
    def to_rows(self) -> Iterable[dict[str, Any]]: ...
    def render(self, lang: Lang = "ja") -> str: ...


def _show(result: _Shown, output: str | None, lang: Lang) -> None:
    """A small result as rows into ``output`` when one is given, else as text on the terminal."""
    if output:
        _write_rows(result.to_rows(), output)
    else:
        click.echo(result.render(lang))


def _write_rows(rows: Iterable[dict[str, Any]], output: str) -> None:
    """Rows of a small result (a timeline, differences, envelopes) as CSV, or JSON Lines for .jsonl."""
    rows = list(rows)
    with ExitStack() as stack:
        stream = sys.stdout if output == "-" else stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
        if output.endswith(".jsonl"):
            for row in rows:
                stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            return
        writer = csv.DictWriter(stream, list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                          for k, v in row.items()} for row in rows)


_LANG = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of the text.")


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "member_id", required=True, help="The member's id (the id column).")
@click.option("--on", "on", type=DATE, required=True, help="The date to decide on: ISO or 令和.")
@_LANG
@_input_options
@_rulebook_options
def explain(source: str, member_id: str, on: date, lang: Lang, encoding: str | None, input_format: str | None,
            packs: str | None, rules_root: Path | None) -> None:
    """Explain one member's answers: the deciding rule and its citation, the facts it
    matched, the rules it overrode, and why the others did not apply.

    \b
    Example:
      hokensho-rules explain members.csv --id M00042 --on 令和7年12月2日 --lang ja
    """
    book = _book(packs, rules_root)
    member = _find_member(source, member_id, input_format, encoding)
    try:
        click.echo(book.evaluate(member, on).explain(lang))
    except DecisionError as error:
        raise Failed(str(error)) from None


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "member_id", required=True, help="The member's id.")
@click.option("--from", "start", type=DATE, required=True, help="First day (ISO or 令和).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (ISO or 令和), inclusive.")
@click.option("--output", "-o", help="Write the intervals as rows (.csv or .jsonl) instead of text.")
@_LANG
@_input_options
@_rulebook_options
def timeline(source: str, member_id: str, start: date, end: date, output: str | None, lang: Lang,
             encoding: str | None, input_format: str | None, packs: str | None, rules_root: Path | None) -> None:
    """How one member's answers change over a period: when, to what, and by which rule.

    \b
    Example:
      hokensho-rules timeline members.csv --id M00042 --from 2024-10-01 --to 2031-01-01 --lang ja
    """
    book = _book(packs, rules_root)
    member = _find_member(source, member_id, input_format, encoding)
    try:
        result = book.timeline(member, start, end)
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    _show(result, output, lang)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--on", "on", type=DATE, required=True, help="The day the mailing leaves (its parameters apply).")
@click.option("--mailing", "which", default="initial", show_default=True,
              help="The mailing to plan: an outcome of notice.mailing (initial, later_batch, on_enrolment).")
@click.option("--output", "-o", help="Write one row per envelope (.csv or .jsonl) instead of the summary.")
@_LANG
@_input_options
@_rulebook_options
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
    book = _book(packs, rules_root)
    if which not in book.questions[MAILING_QUESTION].outcomes:
        raise click.BadParameter(f"{which!r} is not a mailing: {', '.join(book.questions[MAILING_QUESTION].outcomes)}",
                                 param_hint="--mailing")
    errors: list[RowError] = []
    decided = []
    for member in _members(source, input_format, encoding, errors):
        try:
            book.trace(member, on, questions=(MAILING_QUESTION,))
        except DecisionError as error:
            errors.append(RowError(0, member.id, str(error), type(error).__name__))
            click.echo(str(error), err=True)
            continue
        decided.append(member)
    plan = plan_mailing(decided, book, on=on, mailing=which)
    _show(plan, output, lang)
    if errors:
        click.echo(f"{len(errors)} members could not be read or decided and are not in the plan", err=True)
        sys.exit(EXIT_ROWS_FAILED)


@main.command(name="compare")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from", "start", type=DATE, required=True, help="First day (ISO or 令和).")
@click.option("--to", "end", type=DATE, required=True, help="Last day, inclusive.")
@click.option("--id", "member_id", help="Only this member (default: every member of the file).")
@click.option("--output", "-o", help="Write the differences as rows (.csv or .jsonl) instead of text.")
@_LANG
@_input_options
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
    seed, in_force = _book("seed", rules_root), _book(None, rules_root)
    errors: list[RowError] = []
    people = ([_find_member(source, member_id, input_format, encoding)] if member_id
              else list(_members(source, input_format, encoding, errors)))
    try:
        result = compare(seed, in_force, people, start, end)
    except (DecisionError, ValueError) as error:
        raise Failed(str(error)) from None
    _show(result, output, lang)
    if errors:
        sys.exit(EXIT_ROWS_FAILED)


@main.command()
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


# --- rules ------------------------------------------------------------------------------


@main.group()
def rules() -> None:
    """The rule files: list them, show one rule with its citation, check them.

    \b
    Examples:
      hokensho-rules rules list
      hokensho-rules rules show PC-3 --lang en
      hokensho-rules rules check --rules-root ./rules
    """


@rules.command(name="list")
@_LANG
@_rulebook_options
def rules_list(lang: Lang, packs: str | None, rules_root: Path | None) -> None:
    """One line per rule: id, question, outcome, title.

    \b
    Example:
      hokensho-rules rules list --packs seed --lang en
    """
    book = _book(packs, rules_root)
    for rule in book.rules.values():
        click.echo(f"{rule.id:<22} {rule.question:<40} {rule.outcome:<28} {rule_title(rule, book.law, date.max, lang)}")


@rules.command(name="show")
@click.argument("rule_id")
@_LANG
@_rulebook_options
def rules_show(rule_id: str, lang: Lang, packs: str | None, rules_root: Path | None) -> None:
    """Show one rule: title, question and outcome, period in force, citation, file.

    \b
    Example:
      hokensho-rules rules show PC-3 --lang ja
    """
    book = _book(packs, rules_root)
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


def static_checks(book: Rulebook) -> list[str]:
    """Problems found in a loaded rulebook beyond what loading checks; empty when none.

    Loading already validates every file and checks references, types and cycles
    (RuleFileError). This is the place for the prover of the rule files (being
    written separately): call it here and return one message per problem, and
    ``rules check`` reports them and exits 1.
    """
    return []


@rules.command(name="check")
@_rulebook_options
def rules_check(packs: str | None, rules_root: Path | None) -> None:
    """Load and statically check the rule files; exit 1 with the problem if any.

    \b
    Example:
      hokensho-rules rules check --rules-root ./rules && echo ok
    """
    chosen = [p.strip() for p in packs.split(",") if p.strip()] if packs else None
    root = rules_root if rules_root is not None else rules_dir()
    try:
        book = Rulebook.load(chosen, root=rules_root)
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
