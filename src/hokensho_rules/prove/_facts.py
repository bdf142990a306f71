"""The facts a rulebook can read, as solver variables, and their values read back from a model.

Every fact of :data:`hokensho_rules.facts.record.FACT_TYPES` gets a value and a "known" flag,
placed as ``_model.slots`` says (from the pydantic models).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import z3

from ..facts.record import SITUATION
from ._calendar import Z
from ._model import DATE_FACT, Slot, slots

__all__ = ["FactVars", "TextCodes"]


class TextCodes:
    """Texts as integers: the texts a rulebook or a closed choice names get codes 0..n-1.

    A free text fact (an employer id) may also take any code from n on, each standing
    for some other text, so equality between two free texts stays exact.
    """

    def __init__(self, texts: Iterable[str]):
        self.named: tuple[str, ...] = tuple(dict.fromkeys(texts))
        self._codes = {text: i for i, text in enumerate(self.named)}

    def code(self, text: str) -> int:
        """The code of a text the rulebook names."""
        return self._codes[text]

    def text(self, code: int) -> str:
        """The text a code stands for; codes beyond the named texts become ``x0``, ``x1``, …"""
        return self.named[code] if code < len(self.named) else f"x{code - len(self.named)}"


class FactVars:
    """A solver variable for every fact's value and whether it is known, and the domain.

    ``constraints`` holds what every real member satisfies: documents hold their
    required fields, dates lie in ``[lo, hi]``, closed choices take one of their
    values. The models' validators are added by the caller (see ``_domain.DOMAIN``),
    encoded with the same condition encoder as the rules.
    """

    def __init__(self, texts: TextCodes, lo: int, hi: int):
        self.texts = texts
        self.slots = {slot.name: slot for slot in slots()}
        self.value: dict[str, Z] = {}
        self.known: dict[str, Z] = {}
        self.constraints: list[Z] = []
        for slot in self.slots.values():  # documents come before their fields in FACT_TYPES
            self._declare(slot, lo, hi)

    def _declare(self, slot: Slot, lo: int, hi: int) -> None:
        name = slot.name
        if slot.kind == "presence" or slot.document is None:
            known = z3.Bool(f"has {name}") if slot.optional else z3.BoolVal(True)
        else:
            holder = self.known[slot.document]
            known = z3.And(holder, z3.Bool(f"has {name}")) if slot.optional else holder
        self.known[name] = known
        if slot.kind == "presence":
            return
        if slot.kind == "bool":
            self.value[name] = z3.Bool(name)
            return
        value = z3.Int(name)
        self.value[name] = value
        if slot.kind == "date":
            self.constraints.append(z3.Implies(known, z3.And(value >= lo, value <= hi)))
        elif slot.choices:
            self.constraints.append(z3.Or([value == self.texts.code(c) for c in slot.choices]))
        else:
            self.constraints.append(value >= 0)

    def read(self, model: Any) -> tuple[date, dict[str, Any], dict[str, Any] | None]:
        """The evaluation date, the member's fields and the situation's (if any) in ``model``."""

        def value_of(slot: Slot) -> object:
            raw = model.eval(self.value[slot.name], model_completion=True)
            if slot.kind == "bool":
                return z3.is_true(raw)
            if slot.kind == "date":
                return date.fromordinal(raw.as_long())
            return self.texts.text(raw.as_long())

        def is_known(name: str) -> bool:
            return bool(z3.is_true(model.eval(self.known[name], model_completion=True)))

        on = value_of(self.slots[DATE_FACT])
        assert isinstance(on, date)
        member: dict[str, Any] = {}
        documents: dict[str, dict[str, Any]] = {}
        for slot in self.slots.values():
            if slot.kind == "presence":
                if is_known(slot.name):
                    documents[slot.name] = {}
            elif slot.field is not None and is_known(slot.name):
                if slot.document is None:
                    member[slot.field] = value_of(slot)
                elif slot.document in documents:
                    documents[slot.document][slot.field] = value_of(slot)
        situation = documents.pop(SITUATION, None)
        member.update(documents)
        return on, member, situation
