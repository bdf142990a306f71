"""What every command shares: exit codes, the two errors that set them, the date type
and the option groups, and loading the rulebook the options name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from ..facts.errors import RuleFileError
from ..membership.batch import DEFAULT_CHUNK
from ..membership.columns import parse_date
from ..rulebook.book import Rulebook

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE = 0, 1, 2
# The run could not finish: nothing was written at the output's name (an earlier file is intact).
EXIT_WORKER_DIED = 3  # a worker process died twice on one chunk of rows
EXIT_CANNOT_WRITE = 4  # an output could not be written: disk full, folder not writable, I/O error
EXIT_INTERNAL = 5  # a bug: an unexpected error (one line; HOKENSHO_TRACEBACK=1 shows the traceback)
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report it
EXIT_TERMINATED = 143  # SIGTERM (kill, a scheduler's timeout), as shells report it


class InputError(click.ClickException):
    """An input that cannot be used at all (file, header, encoding): a usage error, exit 2."""

    exit_code = EXIT_USAGE


class Failed(click.ClickException):
    """The work ran and something in it failed: exit 1."""

    exit_code = EXIT_ROWS_FAILED


# --- options shared by commands ---------------------------------------------------------


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as error:
            self.fail(f"{value!r}: {error}", param, ctx)


DATE = DateType()


_PARAMETERS = "hokensho_rules.parameters"


def _remember_parameters(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    # Kept on the context, not passed to the command: every command that loads a
    # rulebook takes it through load_book without a parameter of its own.
    ctx.meta[_PARAMETERS] = value


def rulebook_options(function: F) -> F:
    function = click.option("--parameters", "parameters_file", type=click.Path(dir_okay=False, path_type=Path),
                            expose_value=False, callback=_remember_parameters, is_eager=False,
                            help="A YAML or JSON file of parameter values (the insurer's settings) "
                                 "replacing the defaults, e.g. certificate_after_grace: on_application.")(function)
    function = click.option("--packs", metavar="NAMES",
                            help="Comma-separated packs to load (default: seed and every later change), e.g. seed.")(function)
    function = click.option("--rules-root", type=click.Path(file_okay=False, path_type=Path),
                            help="A rules/ folder to load instead of the shipped one.")(function)
    return function


def input_options(function: F) -> F:
    function = click.option("--encoding", metavar="ENC",
                            help="Encoding of a CSV input: utf-8, cp932 (Shift_JIS)… Default: detected.")(function)
    function = click.option("--format", "input_format", type=click.Choice(["csv", "jsonl", "parquet"]),
                            help="Input format (default: from the file name).")(function)
    return function


def run_options(function: F) -> F:
    function = click.option("--processes", "-p", type=click.IntRange(min=1),
                            help="Worker processes (default: every core; 1 runs in this process).")(function)
    function = click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK, show_default=True,
                            help="Members per task sent to a worker.")(function)
    function = click.option("--progress/--no-progress", default=None,
                            help="Progress bar on stderr (default: only on a terminal).")(function)
    return function


def parameters_given() -> Path | None:
    """The ``--parameters`` file of the command being run, if any."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_PARAMETERS) if ctx is not None else None
    return value if isinstance(value, Path) else None


def load_book(
    packs: str | None, rules_root: Path | None, parameters: Path | None = None, *, from_option: bool = True
) -> Rulebook:
    """The rulebook the options name; ``parameters`` defaults to the command's ``--parameters``
    (unless ``from_option`` is false: then only ``parameters`` itself counts)."""
    chosen = [p.strip() for p in packs.split(",") if p.strip()] if packs else None
    if parameters is None and from_option:
        parameters = parameters_given()
    try:
        return Rulebook.load(chosen, root=rules_root, parameters=parameters)
    except RuleFileError as error:
        raise Failed(str(error)) from None
    except (ValueError, FileNotFoundError) as error:
        raise InputError(str(error)) from None


LANG = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of the text.")
