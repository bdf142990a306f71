"""The record: a member's facts on one date as one flat dict, the single form both the
engine and the explanations read, so the two can never see different inputs.

Names in rule files are dotted (``member.loss_on``, ``paper_card.issued_on``); in the
record they become keys of ``[a-z0-9_]`` (``member__loss_on``). A :data:`Value` is what
a key holds: dates as day numbers (``date.toordinal``), a held document as ``True``,
flags and texts as they are; an unknown value is absent. The answers of questions
decided in earlier strata are added under ``answer__`` keys
(``answer__paper_card__usable``, and ``answer__paper_card__usable__usable_until`` for a
datum).
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Union

from pydantic import BaseModel

from .known import forget_later
from .member import Member, Situation

__all__ = [
    "FACT_TYPES",
    "SITUATION",
    "FactType",
    "Value",
    "answer_key",
    "datum_key",
    "decode",
    "encode",
    "fact_key",
    "to_record",
]

Value = int | bool | str
"""What one key of a record holds."""
# The fact holding an institution's counter; questions about it name it in ``requires``.
SITUATION = "situation"


@dataclass(frozen=True)
class FactType:
    """What a fact name holds: a date, a flag, a document's presence, or text (maybe closed)."""

    kind: Literal["date", "bool", "presence", "text"]
    choices: tuple[str, ...] = ()


def fact_key(name: str) -> str:
    """The record's key of a dotted fact name."""
    return name.replace(".", "__")


@functools.cache  # pure, and called for every question of every member
def answer_key(question: str) -> str:
    """The record's key holding a question's outcome for later strata."""
    return "answer__" + question.replace(".", "__")


@functools.cache
def datum_key(question: str, datum: str) -> str:
    """The record's key holding one datum of a question's outcome for later strata."""
    return f"{answer_key(question)}__{datum}"


def encode(value: date | bool | int | str) -> Value:
    """A value as the engine compares it: dates become day numbers."""
    if isinstance(value, date):
        return value.toordinal()
    return value


def decode(value: Value, kind: str) -> date | Value:
    """Undo :func:`encode` for a fact of the given kind."""
    if kind == "date" and isinstance(value, int) and not isinstance(value, bool):
        return date.fromordinal(value)
    return value


def _leaf_type(annotation: Any) -> FactType:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
        return _leaf_type(args[0])
    if annotation is date:
        return FactType("date")
    if annotation is bool:
        return FactType("bool")
    if typing.get_origin(annotation) is Literal:
        return FactType("text", tuple(typing.get_args(annotation)))
    return FactType("text")


def _submodel(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _document_types(name: str, model: type[BaseModel]) -> dict[str, FactType]:
    found = {name: FactType("presence")}
    for sub_name, sub_field in model.model_fields.items():
        if not sub_field.exclude:  # a removed field kept for its error message is no fact
            found[f"{name}.{sub_name}"] = _leaf_type(sub_field.annotation)
    return found


def _fact_types() -> dict[str, FactType]:
    # Derived from the models, so a field added to Member is usable in rules at once.
    found: dict[str, FactType] = {"date": FactType("date")}
    for name, field in Member.model_fields.items():
        sub = _submodel(field.annotation)
        if sub is None:
            found[f"member.{name}"] = _leaf_type(field.annotation)
        else:
            found.update(_document_types(name, sub))
    found.update(_document_types(SITUATION, Situation))
    return found


FACT_TYPES: dict[str, FactType] = _fact_types()
_SUBMODELS = tuple(
    name for name, t in FACT_TYPES.items() if t.kind == "presence" and name in Member.model_fields
)


@functools.cache
def _keys(prefix: str, model: type[BaseModel]) -> dict[str, str]:
    """The record's key of each field of ``model`` under ``prefix`` (built once: every member has them)."""
    return {name: f"{prefix}__{name}" for name in model.model_fields}


def _put(out: dict[str, Value], prefix: str, model: BaseModel) -> None:
    keys = _keys(prefix, type(model))
    for name, value in model.__dict__.items():
        if value is None:
            continue
        if type(value) is date:  # most values: encode's answer without its isinstance
            out[keys.get(name) or f"{prefix}__{name}"] = value.toordinal()
        elif not isinstance(value, BaseModel):
            out[keys.get(name) or f"{prefix}__{name}"] = encode(value)


def to_record(member: Member, on: date, situation: Situation | None = None) -> dict[str, Value]:
    """The record of ``member`` on ``on`` (at an institution in ``situation``), no question answered yet.

    Events recorded after ``on`` are left out (ruling X-17, :mod:`.known`).
    """
    out: dict[str, Value] = {"type": "member", "id": member.id, "date": on.toordinal()}
    _put(out, "member", member)
    documents: list[tuple[str, BaseModel | None]] = [(name, getattr(member, name)) for name in _SUBMODELS]
    for name, document in [*documents, (SITUATION, situation)]:
        if document is not None:
            out[name] = True
            _put(out, name, document)
    forget_later(out, on.toordinal())
    return out
