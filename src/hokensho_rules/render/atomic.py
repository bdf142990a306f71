"""Files that are either complete or absent: every file the library and the CLI write.

>>> from hokensho_rules.render.atomic import atomic_path
>>> with atomic_path("results.csv") as temporary:                     # doctest: +SKIP
...     temporary.write_text("row,member_id\\n")

An output is written to a hidden temporary file in the folder of its final name
(``.results.csv.<random>.part``), flushed and fsynced, and renamed onto the final name
only when the ``with`` block ends without an error. On any failure — an exception, a
``KeyboardInterrupt`` (Ctrl-C), the CLI's SIGTERM (turned into :class:`Terminated`),
a full disk, a write error — the temporary file is removed and a file already at the
final name is left as it was. A process killed outright (SIGKILL) cannot clean up: the
hidden ``.part`` file may remain, but nothing appears at the final name.

Every failure to write (``OSError``: no space left, a folder one may not write in, an
I/O error) is raised as :class:`OutputError`, naming the file and the reason, so a
caller can tell "the output could not be written" from "the input is bad".
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..facts.errors import HokenshoError

__all__ = ["OutputError", "Terminated", "atomic_open", "atomic_path"]


class Terminated(BaseException):  # noqa: N818 (a signal, like KeyboardInterrupt, not an error)
    """SIGTERM, as the CLI raises it: like ``KeyboardInterrupt``, not caught by ``except Exception``."""


class OutputError(HokenshoError, OSError):
    """An output file could not be written (disk full, folder not writable, I/O error).

    Nothing was written at ``path``: an earlier file there is intact. ``errno`` is the
    cause's (``errno.ENOSPC`` for a full disk).
    """

    def __init__(self, path: str | Path, cause: OSError):
        reason = os.strerror(cause.errno) if cause.errno else str(cause)
        name = errno.errorcode.get(cause.errno or 0, "")
        super().__init__(cause.errno, f"{reason}{f' ({name})' if name else ''}")
        self.path = str(path)

    def __str__(self) -> str:
        return (f"cannot write {self.path}: {self.strerror}; nothing was written at that name "
                "(an earlier file there is intact)")


def _fsync_folder(folder: Path) -> None:
    # The rename itself is made durable by syncing the folder (POSIX; not on Windows).
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed onto ``path`` when the block succeeds.

    The writer may open and close the temporary path as it likes (pyarrow, matplotlib);
    it is fsynced before the rename. On any exception (``BaseException`` too) it is
    removed and ``path`` is untouched; an ``OSError`` is raised as :class:`OutputError`.
    """
    final = Path(path)
    folder = final.parent if str(final.parent) else Path(".")
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise OutputError(final, error) from error
    os.close(descriptor)
    temporary = Path(name)
    try:
        try:
            yield temporary
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            # mkstemp makes the file private (0600); the result gets the usual mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, final)
        except OSError as error:
            if isinstance(error, OutputError):
                raise
            raise OutputError(final, error) from error
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_folder(folder)


@contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through :func:`atomic_path`; flushed before the rename."""
    with atomic_path(path) as temporary, open(temporary, "wb") as stream:
        yield stream
        stream.flush()
