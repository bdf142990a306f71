"""What the service accepts: one pydantic model per request body, and the errors that
say which field of which member is wrong, in the command line's words.

A body is read as JSON by pydantic itself (:func:`parse`), never by the web framework:
the members inside are the library's strict :class:`~hokensho_rules.Member` models, whose
JSON dates are ISO text, and no error carries the value it refused (a value may be a
My Number). The date to decide on (``on``) is read as the command line reads ``--on``:
``2025-12-02``, ``2025/12/02`` or ``令和7年12月2日``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ..facts.errors import HokenshoError
from ..facts.member import Member, Situation
from ..facts.privacy import redact
from ..membership.columns import parse_date

__all__ = ["ActionsRequest", "EvaluateRequest", "ExplainRequest", "Problem", "RequestError", "parse"]

# The most members one request may carry (the body's size is limited too: create_app).
MAX_MEMBERS = 10_000


def _on(value: Any) -> Any:
    if isinstance(value, str):
        return parse_date(value)  # ValueError: its words are the command line's
    return value


OnDate = Annotated[date, BeforeValidator(_on), Field(description="The date to decide on: 2025-12-02, 2025/12/02 or 令和7年12月2日.")]
Packs = Annotated[
    list[str] | None,
    Field(default=None, description="Packs to load (default: the server's, normally seed and every later change).",
          examples=[["seed"]]),
]


class _Request(BaseModel):
    # hide_input_in_errors: an error never repeats what it refused (it may be a My Number).
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class _Members(_Request):
    member: Member | None = Field(default=None, description="One member (or give members).")
    members: list[Member] | None = Field(default=None, max_length=MAX_MEMBERS, description="Many members, decided in order.")
    on: OnDate
    packs: Packs = None

    @model_validator(mode="after")
    def _one_or_many(self) -> Self:
        if (self.member is None) == (self.members is None):
            raise ValueError("give member (one) or members (a list), not both and not neither")
        return self

    def all_members(self) -> list[Member]:
        """The member, or the members, in order."""
        return [self.member] if self.member is not None else list(self.members or ())


class EvaluateRequest(_Members):
    """``POST /evaluate``: every question for one member or many on a date."""

    situation: Situation | None = Field(default=None, description="At a counter: also decide what it accepts (R1 … R6).")


class ExplainRequest(_Request):
    """``POST /explain``: one member's decision as the text a clerk reads."""

    member: Member
    on: OnDate
    lang: Literal["ja", "en"] = "ja"
    packs: Packs = None
    situation: Situation | None = None


class ActionsRequest(_Members):
    """``POST /actions``: the insurer's action list for members on a date."""

    lang: Literal["ja", "en"] = Field(default="ja", description="Language of the list's text (the rows carry both).")


class Problem(BaseModel):
    """One thing wrong with a request: where (``field``, and ``member`` for the n-th
    member from 1) and what, in the words of the command line's error rows."""

    field: str | None
    member: int | None = None
    problem: str

    def __str__(self) -> str:
        where = f"member {self.member}" if self.member is not None else "request"
        return f"{where}" + (f", field {self.field}" if self.field else "") + f": {self.problem}"


class RequestError(HokenshoError):
    """A body that is not a valid request; ``problems`` name each field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _problem(detail: Any) -> Problem:
    loc = [str(part) for part in detail["loc"]]
    member = None
    if len(loc) >= 2 and loc[0] == "members" and loc[1].isdecimal():
        member, loc = int(loc[1]) + 1, loc[2:]
    elif loc[:1] == ["member"]:
        member, loc = 1, loc[1:]
    # A discriminated or optional field adds the type's name to the path (member.paper_card.PaperCard.issued_on).
    loc = [part for part in loc if not part[:1].isupper() and part not in ("function-after", "function-before")]
    field = ".".join(loc) or None
    # The command line's words (membership/columns.py): pydantic's message without the
    # input it may quote, "X is required" for a missing field.
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "missing":
        message = f"{field} is required"
    elif detail["type"] == "extra_forbidden" and (field or "").rpartition(".")[2] in ("my_number", "個人番号"):
        message = "a my_number field is never accepted: hokensho-rules never takes a My Number; the value is not shown"
    elif detail["type"] == "extra_forbidden":
        message = f"unknown field {field}"
    if field is None and (named := re.match(r"([a-z_]+)=", message)):
        # A check across fields (a date before another) names the later one first.
        field = named.group(1)
    elif field is not None and "." not in field and loc and detail["type"] == "value_error" and member is not None \
            and (named := re.match(r"([a-z_]+)=", message)) and named.group(1) != field:
        field = f"{field}.{named.group(1)}"  # a document's check: paper_card.returned_on=…
    return Problem(field=field, member=member, problem=redact(message))


R = TypeVar("R", bound=BaseModel)


def parse(model: type[R], body: bytes) -> R:
    """The request ``body`` (JSON) as ``model``; :class:`RequestError` naming every bad field."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if any(d["type"] == "json_invalid" for d in error.errors()):
            raise RequestError([Problem(field=None, problem=f"the body is not JSON: {redact(str(error.errors()[0]['msg']))}")]) from None
        raise RequestError([_problem(d) for d in error.errors()]) from None
