"""The flat facts of a chunk of members held as columns, without a dict per member.

A chunk read from a table has few distinct *templates* (one record per signature,
``membership/columnar.py``) and, per row, only its own cells (its id, its dates) to put
into its template. A :class:`FactTable` keeps exactly that: each row's template, and
each key's own values with the rows that take them. A column of any key is then one
take from the templates and one masked assignment, and a row's dict is built only for
the few rows that need one (a group's representative, a row handed back).

Members flattened one by one (``record.to_record``) are a table whose rows are each
their own template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .record import Value

__all__ = ["FactTable", "objects"]


def objects(values: Sequence[object]) -> Any:
    """``values`` as a 1-D numpy array of objects (a tuple stays one element, not a row of a 2-D array)."""
    return np.fromiter(values, dtype=object, count=len(values))


class FactTable:
    """Rows of flat facts (``record.Value`` per key, absent when unknown) as columns.

    ``templates[which[i]]`` is row ``i``'s fact, except where ``own[key]`` says the row
    has a value of its own: ``own[key] = (values, takes)``, ``values[i]`` counting where
    ``takes[i]``. A key a row takes must be in its template (so presence is the template's).
    """

    __slots__ = ("_by_key", "_has", "n", "own", "templates", "which")

    def __init__(self, templates: Sequence[Mapping[str, Value]], which: Any,
                 own: Mapping[str, tuple[Any, Any]] | None = None):
        self.templates = templates
        self.which = which
        self.own = dict(own or {})
        self.n = len(which)
        self._has: dict[str, Any] = {}
        self._by_key: dict[str, tuple[list[Value | None], bytearray]] | None = None

    @classmethod
    def of_facts(cls, facts: Sequence[Mapping[str, Value]]) -> FactTable:
        """A table of ``facts``, each row its own template."""
        table = cls(facts, np.arange(len(facts)))
        # A fact holds about 16 keys and the walk asks for about 90: one pass over the facts
        # puts every value in its key's column, where 90 passes would look each key up.
        by_key: dict[str, tuple[list[Value | None], bytearray]] = {}
        for row, fact in enumerate(facts):
            for key, value in fact.items():
                found = by_key.get(key)
                if found is None:
                    found = by_key[key] = ([None] * table.n, bytearray(table.n))
                found[0][row] = value
                found[1][row] = 1
        table._by_key = by_key
        return table

    def column(self, key: str) -> Any:
        """Every row's value of ``key`` (None where absent), as a new array of objects."""
        if self._by_key is not None:
            found_by_key = self._by_key.get(key)
            return objects(found_by_key[0]) if found_by_key is not None else np.full(self.n, None, dtype=object)
        values = objects([t.get(key) for t in self.templates])[self.which]
        found = self.own.get(key)
        if found is not None:
            own, takes = found
            values[takes] = own[takes]
        return values

    def has(self, key: str, rows: Any) -> Any:
        """Whether each of ``rows`` has ``key``."""
        if self._by_key is not None:
            present = self._by_key.get(key)
            return (np.frombuffer(present[1], dtype=bool) if present is not None else np.zeros(self.n, dtype=bool))[rows]
        found = self._has.get(key)
        if found is None:
            found = self._has[key] = np.fromiter((key in t for t in self.templates), dtype=bool,
                                                 count=len(self.templates))
        return found[self.which[rows]]

    def fact(self, row: int) -> dict[str, Value]:
        """Row ``row``'s fact as a new dict."""
        fact = dict(self.templates[self.which[row]])
        for key, (own, takes) in self.own.items():
            if takes[row]:
                fact[key] = own[row]
        return fact
