"""The command's last line of defence: no traceback ever reaches the user.

Every way a run can stop early ends in one line on stderr and an exit code of its
own (``cli/__init__.py`` lists them): Ctrl-C, SIGTERM (turned into
:class:`~hokensho_rules.render.atomic.Terminated` while a command runs, so that outputs
are cleaned up like on Ctrl-C), a worker process dying twice, an output that cannot
be written, and any unexpected error. Outputs are written atomically
(``render/atomic.py``): whatever the exit, a file at an output's name is complete.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Any, NoReturn

import click

from ..facts.privacy import redact, shown_cell
from ..facts.errors import WorkerDied
from ..membership.pool import collect_less
from ..render.atomic import OutputError, Terminated
from .options import (
    EXIT_CANNOT_WRITE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_WORKER_DIED,
)

__all__ = ["GuardedGroup"]

_UNTOUCHED = "no output was written at its name (an earlier file there is intact)"


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated(signum)


def _quiet_stdout() -> None:
    """After stdout failed (full disk, closed pipe), point it at /dev/null: the exit must not fail again."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stop(ctx: click.Context, message: str, code: int) -> NoReturn:
    click.echo(f"hokensho-rules: {message}", err=True)
    ctx.exit(code)


class GuardedGroup(click.Group):
    """A click group whose commands end in one line and a documented exit code, whatever stops them."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command with SIGTERM raised as :class:`Terminated`, every failure turned into one line."""
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        collector = collect_less()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _stop(ctx, f"interrupted (Ctrl-C); {_UNTOUCHED}", EXIT_INTERRUPTED)
        except Terminated:
            _stop(ctx, f"terminated (SIGTERM); {_UNTOUCHED}", EXIT_TERMINATED)
        except WorkerDied as error:
            _stop(ctx, str(error), EXIT_WORKER_DIED)
        except OutputError as error:
            _stop(ctx, str(error), EXIT_CANNOT_WRITE)
        except BrokenPipeError:
            # stdout closed early (`| head`): what was written is all the reader wanted.
            _quiet_stdout()
            ctx.exit(EXIT_CANNOT_WRITE)
        except OSError as error:
            _quiet_stdout()
            reason = os.strerror(error.errno) if error.errno else str(error)
            code = errno.errorcode.get(error.errno or 0)
            name = f" ({code})" if code else ""
            where = f" {shown_cell(error.filename, 200)}" if error.filename else ""
            _stop(ctx, f"cannot read or write{where}: {reason}{name}; the run stopped: {_UNTOUCHED}, "
                  "and what went to stdout is incomplete", EXIT_CANNOT_WRITE)
        except click.ClickException as error:
            # click shows the offending value (a date, an id, a file name) as typed: it may be a
            # My Number. Its message is Final for type checkers only; rewriting it keeps the
            # exception's kind, exit code and usage line.
            error.message = redact(error.message)  # type: ignore[misc]
            raise
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as error:
            if os.environ.get("HOKENSHO_TRACEBACK"):
                traceback.print_exc()
            text = redact(shown_cell(str(error), 300) or "(message withheld)")
            _stop(ctx, f"internal error ({type(error).__name__}: {text}); {_UNTOUCHED}; "
                  "please report it (HOKENSHO_TRACEBACK=1 shows where)", EXIT_INTERNAL)
        finally:
            gc.set_threshold(*collector)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
