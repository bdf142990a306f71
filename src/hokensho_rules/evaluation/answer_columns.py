"""A chunk's answers as columns: per question, an index per row into the distinct answers given.

The chunk walk (``chunk.py``) answers a question for many rows at once. An answer
without data is the same tuple for all of them, so a row holds only its index. Data
computed for many rows at once (``law/vectors.py``) stay columns, one per datum: the
answer given is then the rule's head (question, outcome, rule, no data), and a row's
packed answer is that head with its own values put in, in the rule's order of data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..facts.table import objects
from .rows import _PackedAnswers

__all__ = ["ChunkAnswers", "Packed"]

Packed = tuple[str, str, str, tuple[tuple[str, int | str], ...]]


class ChunkAnswers:
    """Per question, each row's packed answer (see the module's docstring); index 0: no answer.
    ``alive``: the rows answered (the walk hands the others back)."""

    def __init__(self, questions: Sequence[str], n: int):
        self.questions = tuple(questions)
        self.order = {q: i for i, q in enumerate(questions)}
        self.alive = np.ones(n, dtype=bool)
        self.which = [np.zeros(n, dtype=np.int64) for _ in questions]
        self.given: list[list[Packed | None]] = [[None] for _ in questions]
        self._index: list[dict[Packed, int]] = [{} for _ in questions]
        # Per question: datum → each row's value (None: none); and the heads whose rows hold
        # their data there, each with its rule's order of data.
        self.data: list[dict[str, Any]] = [{} for _ in questions]
        self.heads: list[dict[int, tuple[str, ...]]] = [{} for _ in questions]

    def index(self, question: str, packed: Packed) -> int:
        """The index of ``packed`` among ``question``'s answers given (added if new)."""
        position = self.order[question]
        found = self._index[position].get(packed)
        if found is None:
            found = self._index[position][packed] = len(self.given[position])
            self.given[position].append(packed)
        return found

    def set(self, question: str, rows: Any, indices: Any) -> None:
        """Rows ``rows`` answer ``question`` by the answers given at ``indices``."""
        self.which[self.order[question]][rows] = indices

    def set_data(self, head: Packed, rows: Any, data: Sequence[tuple[str, Any]]) -> None:
        """Rows ``rows`` answer by ``head`` (a packed answer without data) with ``data``: (datum, value per row)."""
        position = self.order[head[0]]
        index = self.index(head[0], head)
        self.heads[position][index] = tuple(datum for datum, _ in data)
        self.which[position][rows] = index
        columns = self.data[position]
        for datum, values in data:
            column = columns.get(datum)
            if column is None:
                column = columns[datum] = np.full(len(self.alive), None, dtype=object)
            column[rows] = values

    def column(self, question: str, datum: str) -> Any:
        """Each row's value of ``datum`` held as a column (None where not), or None when no row holds one."""
        return self.data[self.order[question]].get(datum)

    def rows(self, alive: Any) -> list[_PackedAnswers]:
        """The packed answers of rows ``alive`` (a mask), in order."""
        at = np.flatnonzero(alive)
        columns = []
        for position, (given, which) in enumerate(zip(self.given, self.which, strict=True)):
            chosen = which[at]
            packed: list[Packed | None] = objects(given)[chosen].tolist()
            heads = self.heads[position]
            if heads:
                data = self.data[position]
                for k in np.flatnonzero(np.isin(chosen, list(heads))).tolist():
                    row, head = int(at[k]), packed[k]
                    assert head is not None
                    own = tuple((datum, value) for datum in heads[int(chosen[k])]
                                if (value := data[datum][row]) is not None)
                    packed[k] = (head[0], head[1], head[2], own)
            columns.append(packed)
        return [tuple(filter(None, answers)) for answers in zip(*columns)]

    def spread(self, positions: Sequence[int], size: int) -> ChunkAnswers:
        """These answers with row ``k`` moved to ``positions[k]`` of ``size`` rows (the answers given
        are shared); a row handed back, or a position no row moves to, is not alive."""
        spread = ChunkAnswers.__new__(ChunkAnswers)
        spread.questions, spread.order, spread.given, spread._index = self.questions, self.order, self.given, self._index
        spread.heads = self.heads
        rows = np.flatnonzero(self.alive)
        at = np.asarray(positions, dtype=np.int64)[rows]
        spread.alive = np.zeros(size, dtype=bool)
        spread.alive[at] = True
        spread.which = []
        for theirs in self.which:
            mine = np.zeros(size, dtype=np.int64)
            mine[at] = theirs[rows]
            spread.which.append(mine)
        spread.data = []
        for columns in self.data:
            moved = {}
            for datum, theirs in columns.items():
                mine = np.full(size, None, dtype=object)
                mine[at] = theirs[rows]
                moved[datum] = mine
            spread.data.append(moved)
        return spread
