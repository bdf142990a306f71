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
- 3: a worker process died twice on the same chunk of rows (the message names its
  first and last rows);
- 4: an output could not be written (disk full, a folder one may not write in, an I/O
  error), or an input could not be read mid-run;
- 5: an unexpected error (a bug: please report it; ``HOKENSHO_TRACEBACK=1`` shows it);
- 130: interrupted (Ctrl-C); 143: terminated (SIGTERM).

With 3, 4, 5, 130 and 143 nothing is written at an output's name and an earlier file
there is left intact: every output is written to a hidden temporary file beside it
(``.NAME.*.part``) and renamed only when complete (a SIGKILL may leave the hidden
file; never a file at the name). ``-o -`` (stdout) cannot be taken back: a failure
there ends with the message on stderr and the exit code.

Results go to files or stdout; messages and the progress bar to stderr.
"""

from __future__ import annotations

from .main import main
from .rules import static_checks

__all__ = ["main", "static_checks"]
