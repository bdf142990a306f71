"""The ``hokensho-rules`` group, and every command added to it."""

from __future__ import annotations

import click

from .guard import GuardedGroup
from .mailing import mailing
from .member import compare_command, explain, timeline
from .membership import actions, columns, evaluate
from .rules import rules
from .serve import schema, serve


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    failed); 2 usage error (bad option, unreadable file, unknown or missing column);
    3 a worker process died twice on one chunk; 4 an output could not be written (disk
    full, folder not writable); 5 unexpected error; 130 Ctrl-C; 143 SIGTERM. With 3 and
    above no file appears at an output's name: outputs are complete or absent.
    """


for _command in (evaluate, actions, explain, timeline, mailing, compare_command, columns, rules, schema, serve):
    main.add_command(_command)
