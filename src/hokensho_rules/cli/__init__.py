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

from .main import main
from .rules import static_checks

__all__ = ["main", "static_checks"]
