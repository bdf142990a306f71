"""Where each fact lives in the library's models, read from the pydantic models themselves.

Which facts may be unknown, and when, follows the models: a required field of a held
document is known exactly when the document is held; an optional one may be unknown.
So a field added to ``Member`` is covered without touching the prover.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..facts.member import Member, Situation
from ..facts.record import FACT_TYPES, SITUATION

__all__ = ["DATE_FACT", "Slot", "build_member", "document_model", "slots"]

DATE_FACT = "date"


@dataclass(frozen=True)
class Slot:
    """One fact name, where it lives in the models and whether it may be unknown."""

    name: str
    kind: str  # date | bool | text | presence
    choices: tuple[str, ...]
    document: str | None  # the document fact holding it ("paper_card"); None: member-level or the date
    field: str | None  # its field in its model; None for the date and the situation
    optional: bool  # may be unknown while its document is held (or, for a document, may be absent)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def document_model(name: str) -> type[BaseModel]:
    """The pydantic model of a document fact (``paper_card`` → ``PaperCard``)."""
    if name == SITUATION:
        return Situation
    model = _model_of(Member.model_fields[name].annotation)
    assert model is not None, name
    return model


def _may_be_none(model: type[BaseModel], field: str) -> bool:
    info = model.model_fields[field]
    return not info.is_required() and info.default is None


def slots() -> tuple[Slot, ...]:
    """Every fact of ``FACT_TYPES`` with its place in the models."""
    found: list[Slot] = []
    for name, fact_type in FACT_TYPES.items():
        if name == DATE_FACT:
            found.append(Slot(name, "date", (), None, None, optional=False))
            continue
        head, _, tail = name.partition(".")
        if fact_type.kind == "presence":
            optional = True if name == SITUATION else _may_be_none(Member, name)
            found.append(Slot(name, "presence", (), None, None if name == SITUATION else name, optional))
        elif head == "member":
            found.append(Slot(name, fact_type.kind, fact_type.choices, None, tail, _may_be_none(Member, tail)))
        else:
            optional = _may_be_none(document_model(head), tail)
            found.append(Slot(name, fact_type.kind, fact_type.choices, head, tail, optional))
    return tuple(found)


def build_member(fields: Mapping[str, Any]) -> Member:
    """A ``Member`` from plain fields (documents as dicts), validated by the models themselves."""
    values = dict(fields)
    for name, sub in values.items():
        if isinstance(sub, dict):
            values[name] = document_model(name).model_validate(sub)
    return Member.model_validate(values)
