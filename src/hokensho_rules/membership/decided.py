"""A chunk's results held as the chunk walk's columns, read as the list of results when needed.

The chunk walk (``evaluation/chunk.py``) answers each question with an index per row
into the few distinct answers it gave. A :class:`DecidedChunk` keeps those indices for
every row of a chunk, and whole results only for the rows decided otherwise (an error
row, a row handed back to the per-member walk, whose answers are indexed too). A writer
of the wide shape takes its columns from the indices (``encoding.arrow_batch``) and the
summary counts from them, so no result object is built per row; any other reader gets
the list of results, built once, equal to what deciding each row alone gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, overload

import numpy as np

from ..evaluation.chunk import ChunkAnswers
from ..evaluation.outcomes import OutcomeEvaluator
from ..evaluation.rows import MemberResult, RowError
from ..law.needs import needs

_Result = MemberResult | RowError


class DecidedChunk(Sequence[_Result]):
    """The results of chunk rows ``first_row``, ``first_row + 1``, … (see the module's docstring)."""

    def __init__(self, evaluator: OutcomeEvaluator, first_row: int, on: date, size: int, answers: ChunkAnswers,
                 positions: Sequence[int], member_ids: Sequence[str]):
        self.first_row = first_row
        self.on = on
        self._evaluator = evaluator
        # The walk's answers moved to the chunk's positions; ``decided``: the rows they answer.
        self.answers = answers.spread(positions, size)
        self.decided = self.answers.alive
        self.member_ids: list[str | None] = [None] * size
        for k, i in enumerate(positions):
            if answers.alive[k]:
                self.member_ids[i] = member_ids[k]
        self.whole: dict[int, _Result] = {}
        self._results: list[_Result] | None = None

    def put(self, i: int, result: _Result) -> None:
        """Row ``i``'s result, decided otherwise; a MemberResult's answers are indexed as the walk's."""
        self.whole[i] = result
        if isinstance(result, MemberResult):
            for packed in result.packed_answers():
                self.answers.set(packed[0], i, self.answers.index(packed[0], packed))
            self.member_ids[i] = result.member_id
            self.decided[i] = True

    def __len__(self) -> int:
        return len(self.decided)

    @overload
    def __getitem__(self, index: int) -> _Result: ...
    @overload
    def __getitem__(self, index: slice) -> list[_Result]: ...
    def __getitem__(self, index: int | slice) -> _Result | list[_Result]:
        return self.results()[index]

    def __iter__(self) -> Iterator[_Result]:
        return iter(self.results())

    def results(self) -> list[_Result]:
        """Every row's result, in order (built on first use)."""
        if self._results is None:
            packed = iter(self.answers.rows(self.decided))
            results: list[_Result] = []
            for i, decided in enumerate(self.decided.tolist()):
                answers = next(packed) if decided else None
                found = self.whole.get(i)
                if found is None:
                    member_id = self.member_ids[i]
                    assert member_id is not None and answers is not None, "a row is answered by the walk or given whole"
                    found = self._evaluator.result_of_packed(self.first_row + i, member_id, self.on, answers)
                results.append(found)
            self._results = results
        return self._results

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to another process (a transform that returns it as it is): as its list of results.
        return (list, (self.results(),))

    def error_rows(self) -> list[tuple[int, RowError]]:
        """Each error row with its position in the chunk, in order."""
        return [(i, found) for i, found in sorted(self.whole.items(), key=lambda item: item[0])
                if isinstance(found, RowError)]

    def errors(self) -> list[RowError]:
        """The error rows, in order."""
        return [error for _, error in self.error_rows()]

    def action_count(self) -> int:
        """How many action rows the answers call for (``needs``), counted per distinct set of outcomes."""
        acting = self._evaluator._actions
        codes = []
        for question, given, which in zip(self.answers.questions, self.answers.given, self.answers.which, strict=True):
            outcome_of = [g[1] if g is not None and (question, g[1]) in acting else None for g in given]
            if any(outcome_of):
                distinct = {o: k for k, o in enumerate(dict.fromkeys(outcome_of))}
                codes.append((question, list(distinct), np.array([distinct[o] for o in outcome_of])[which]))
        rows = np.flatnonzero(self.decided)
        if not codes or not rows.size:
            return 0
        matrix = np.stack([c[rows] for _, _, c in codes], axis=1)
        combinations, counts = np.unique(matrix, axis=0, return_counts=True)
        total = 0
        for combination, count in zip(combinations.tolist(), counts.tolist(), strict=True):
            answered: list[tuple[str, str, dict[str, object]]] = [(q, outcomes[c], {}) for (q, outcomes, _), c in zip(codes, combination, strict=True)
                        if outcomes[c] is not None]
            total += count * len(needs(self._evaluator.book.law.questions, answered))
        return total

