"""Every error the library raises on purpose; each names what was wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .privacy import redact

__all__ = [
    "ConflictError",
    "DecisionError",
    "EngineError",
    "GapError",
    "HokenshoError",
    "RuleFileError",
    "WorkerDied",
]


_MESSAGE_LIMIT = 1000


class HokenshoError(Exception):
    """Base of the errors of hokensho-rules.

    Its message never shows a My Number: a message quotes what a caller or a file gave
    (an id, a value, a header), so every text in it is withheld where it may be one
    (``facts/privacy.py``), once here rather than at each place that raises.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling (a worker process, a Dask task) would rebuild an error by calling its class
        # with ``args``, the formatted message, which most of these constructors do not take:
        # a worker's error came back as a dead pool. Rebuilt as it was, without __init__.
        return _rebuilt, (type(self), self.args), vars(self)


def _rebuilt(cls: type[HokenshoError], args: tuple[object, ...]) -> HokenshoError:
    error = cls.__new__(cls, *args)
    # The built-in base's own __init__ (OSError's sets errno and strerror from args).
    builtin: type[BaseException] = next(base for base in cls.__mro__ if base.__module__ == "builtins")
    builtin.__init__(error, *args)
    return error


class RuleFileError(HokenshoError, ValueError):
    """A rule file, or the rulebook made of several, is malformed.

    ``path`` is the file, ``rule_id`` the rule (if the problem is inside one) and
    ``field`` the dotted location of the bad value.
    """

    def __init__(self, path: Path | str, message: str, *, rule_id: str | None = None, field: str | None = None):
        self.path = Path(path)
        self.rule_id = rule_id
        self.field = field
        if len(message) > _MESSAGE_LIMIT:
            # A message quotes what the file holds, which may be a text of any length.
            message = f"{message[:_MESSAGE_LIMIT]}… ({len(message):,} characters)"
        where = str(self.path)
        if rule_id:
            where += f", rule {rule_id}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")


class DecisionError(HokenshoError):
    """A question could not be answered for a member on a date."""

    def __init__(self, member_id: str, question: str, on: date, rule_ids: tuple[str, ...], message: str):
        self.member_id = member_id
        self.question = question
        self.on = on
        self.rule_ids = rule_ids
        super().__init__(
            f"member {member_id}, question {question}, on {on.isoformat()}: {message}"
        )


class ConflictError(DecisionError):
    """Two rules give different answers to one question and neither overrides the other."""


class GapError(DecisionError):
    """No rule answers a question that needs an answer."""


class EngineError(HokenshoError):
    """The rules engine refused a ruleset or a fact."""


class WorkerDied(HokenshoError, RuntimeError):
    """A worker process died (killed, out of memory) twice while evaluating one chunk of rows.

    The first death is survived: the pool is replaced and the chunk run again, alone.
    ``first_row`` and ``last_row`` are the chunk's input rows (counted from 1);
    ``exit_code`` the dead worker's, when known (``-9``: SIGKILL).
    """

    def __init__(self, first_row: int, last_row: int, exit_code: int | None = None):
        how = f" (exit code {exit_code})" if exit_code is not None else ""
        super().__init__(f"a worker process died twice{how} while evaluating rows {first_row}–{last_row}; "
                         "nothing was written; run again, or with --processes 1 to find the row")
        self.first_row, self.last_row, self.exit_code = first_row, last_row, exit_code
