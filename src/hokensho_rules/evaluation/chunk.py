"""A chunk of members decided stratum by stratum, with the chunk's facts held as columns.

:class:`~hokensho_rules.evaluation.outcomes.OutcomeEvaluator` walks one member through
every stratum, question by question. :func:`chunk_answers` turns that loop around, so
that the Python work per question is done per distinct case rather than per member:

1. each stratum's abstraction key (``abstraction.py``) is computed for the whole chunk
   with numpy, column by column (one code per value, as the compiled key function
   distinguishes values), and rows are grouped by key;
2. each group is decided once: one row's fact is built and looked up in the same cache
   (or sent to the engine) as the per-member walk would;
3. each question's answer is set for all rows of a plan at once (``answer_columns.py``);
   its rule's outcome data are computed for all of them with numpy (``law/vectors.py``)
   and kept as columns. Data that concurring rules must agree on are computed once per
   distinct input values (the plan's memo, as per member).

Rows that meet anything else — a conflict, a gap, a datum the calendar cannot hold, an
engine error — are handed back (not ``alive``; ``None`` from :func:`packed_chunk`); a
column whose values are not all of one type is keyed row by row. The caller runs the
per-member walk on the rows handed back, which gives their exact result or error row.
``tests/test_chunk.py`` checks both walks agree row for row.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from ..facts.record import Value, datum_key
from ..facts.table import FactTable, objects
from .abstraction import KeySpec, flag_compared
from .outcomes import MEMO_SIZE, OutcomeEvaluator, _Plan, _Program
from .answer_columns import ChunkAnswers
from .rows import _PackedAnswers

__all__ = ["ChunkAnswers", "chunk_answers", "packed_chunk"]

# Codes of a value in a key column: a position among number constants is 0 or more.
_ABSENT, _TRUE, _FALSE, _OTHER, _PRESENT, _FIRST_TEXT = -1, -2, -3, -4, -5, -10


class _Typed(NamedTuple):
    """A column as its key reads it: what its values are, which rows have one, and the values."""

    kind: type | None  # int, bool or str; None when empty; object when of several types
    present: Any  # bool per row
    values: Any  # int64 for int, bool for bool, objects otherwise


def _typed(values: Any) -> _Typed:
    kinds = set(map(type, values)) - {type(None)}
    present = values != None  # noqa: E711 - elementwise over an object array
    if not kinds:
        return _Typed(None, present, values)
    kind = kinds.pop() if len(kinds) == 1 else object
    if kind is int:
        return _Typed(int, present, np.where(present, values, 0).astype(np.int64))
    if kind is bool:
        return _Typed(bool, present, np.where(present, values, False).astype(bool))
    return _Typed(kind if kind is str else object, present, values)


def _column_codes(column: _Typed, numbers: tuple[int, ...], others: frozenset[Hashable]) -> Any:
    """Each value's code as the compiled key function tells values apart, or None when the
    column holds values of more than one type (the caller then uses that function itself)."""
    kind, present, values = column
    codes = np.full(len(present), _ABSENT, dtype=np.int64)
    if kind is int:
        if numbers:
            constants = np.array(numbers, dtype=np.int64)
            at = np.searchsorted(constants, values, side="left")
            equal = (at < len(constants)) & (constants[np.minimum(at, len(constants) - 1)] == values)
            codes[present] = (2 * at + equal)[present]
        else:
            codes[present] = 0
    elif kind is bool:
        codes[present & values] = _TRUE if flag_compared(others, True) else _OTHER
        codes[present & ~values] = _FALSE if flag_compared(others, False) else _OTHER
    elif kind is str:
        codes[present] = _OTHER if others else _PRESENT
        for i, constant in enumerate(sorted(c for c in others if type(c) is str)):
            codes[values == constant] = _FIRST_TEXT - i
    elif kind is not None:
        return None
    return codes


def _pair_codes(left: _Typed, right: _Typed) -> Any:
    """The sign of each fact-to-fact comparison (equality for texts and flags), or None as above."""
    present = left.present & right.present
    codes = np.full(len(present), _ABSENT, dtype=np.int64)
    if left.kind is None or right.kind is None:
        return codes
    if object in (left.kind, right.kind):
        return None
    if left.kind is right.kind is int:
        codes[present] = np.sign(left.values - right.values)[present]
    elif left.kind is right.kind:
        codes[present] = np.where(left.values == right.values, _TRUE, _FALSE)[present]
    else:
        codes[present] = _FALSE  # values of different types are never equal
    return codes


class _Chunk:
    """The chunk's facts: the members' own as given, and what the strata added, as columns."""

    def __init__(self, table: FactTable):
        self.table = table
        self.n = table.n
        self._given: dict[str, Any] = {}
        self._typed: dict[str, _Typed] = {}
        self.added: dict[str, Any] = {}

    def column(self, key: str) -> Any:
        found = self.added.get(key)
        if found is None:
            found = self._given.get(key)
            if found is None:
                found = self._given[key] = self.table.column(key)
        return found

    def typed(self, key: str, rows: Any) -> _Typed:
        found = self._typed.get(key)
        if found is None:
            found = self._typed[key] = _typed(self.column(key))
        if len(rows) == self.n:
            return found
        return _Typed(found.kind, found.present[rows], found.values[rows])

    def set(self, key: str, rows: Any, values: object) -> None:
        column = self.added.get(key)
        if column is None:
            # From the given values, as the per-member walk writes over its fact: a row not written keeps its own.
            column = self.added[key] = self.column(key).copy()
        column[rows] = values
        self._typed.pop(key, None)

    def fact(self, row: int) -> dict[str, Value]:
        """Row ``row``'s fact as the per-member walk has it at this point."""
        fact = self.table.fact(row)
        for key, column in self.added.items():
            value = column[row]
            if value is not None:
                fact[key] = value
        return fact


def _groups(chunk: _Chunk, spec: KeySpec, key_of: Any, rows: Any) -> tuple[Any, Any]:
    """(position in ``rows`` of each group's first row, each row's group) for rows of equal keys."""
    parts = []
    for name, numbers, others in spec.columns:
        codes = _column_codes(chunk.typed(name, rows), numbers, others)
        if codes is None:
            break
        parts.append(codes)
    else:
        for left, right in spec.pairs:
            codes = _pair_codes(chunk.typed(left, rows), chunk.typed(right, rows))
            if codes is None:
                break
            parts.append(codes)
        else:
            if not parts:
                return np.zeros(1, dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
            matrix = np.ascontiguousarray(np.stack(parts, axis=1))
            keys = matrix.view(np.dtype((np.void, matrix.shape[1] * matrix.itemsize)))[:, 0]
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            return first, inverse.reshape(-1)
    # Values of mixed types in a column: the key function itself, row by row.
    index: dict[Hashable, int] = {}
    inverse = np.fromiter((index.setdefault(key_of(chunk.fact(r)), len(index)) for r in rows.tolist()),
                          dtype=np.int64, count=len(rows))
    _, first = np.unique(inverse, return_index=True)
    return first, inverse


def packed_chunk(
    evaluator: OutcomeEvaluator, member_ids: Sequence[str], on: date, facts: FactTable
) -> list[_PackedAnswers | None]:
    """Each row's packed answers on ``on`` (facts as ``to_record`` makes them), or None for a row
    the per-member walk must decide itself. The facts are not changed."""
    answers = chunk_answers(evaluator, member_ids, on, facts)
    packed: list[_PackedAnswers | None] = [None] * facts.n
    for row, answered in zip(np.flatnonzero(answers.alive).tolist(), answers.rows(answers.alive), strict=True):
        packed[row] = answered
    return packed


def chunk_answers(evaluator: OutcomeEvaluator, member_ids: Sequence[str], on: date, facts: FactTable) -> ChunkAnswers:
    """:func:`packed_chunk`'s answers as columns: per question, an index per row into the answers given."""
    program = evaluator._program(evaluator.book.law.params_on(on))
    chunk = _Chunk(facts)
    answers = ChunkAnswers(list(evaluator.book.law.questions), chunk.n)
    alive = answers.alive
    for stratum, spec, key_of, cache in zip(program.strata, program.specs, program.keys, program.cache, strict=True):
        rows = np.flatnonzero(alive)
        if stratum.requires is not None:
            rows = rows[chunk.table.has(stratum.requires, rows)]
        if not rows.size:
            continue
        first, inverse = _groups(chunk, spec, key_of, rows)
        entries = [_entry(evaluator, program, stratum, key_of, cache, chunk, int(rows[i]), member_ids, on) for i in first]
        evaluator.cache_hits += len(rows) - len(first)
        for position, question in enumerate(stratum.questions):
            plans: list[_Plan | None] = [None if e is None else e[position][1] for e in entries]
            codes: dict[int, int] = {}
            of_group = np.fromiter((codes.setdefault(id(p), len(codes)) for p in plans), dtype=np.int64, count=len(plans))
            of_row = of_group[inverse]
            for plan_index, group in enumerate(_firsts(of_group)):
                chosen = rows[(of_row == plan_index) & alive[rows]]
                plan = plans[group]
                if plan is None:  # a conflict, a gap or an engine error: the per-member walk says which
                    alive[chosen] = False
                elif chosen.size:
                    _answer(evaluator, plan, chunk, answers, alive, chosen, member_ids, on)
    return answers


def _firsts(of_group: Any) -> list[int]:
    """The first group of each plan code, in code order."""
    _, first = np.unique(of_group, return_index=True)
    firsts: list[int] = first.tolist()
    return firsts


def _entry(
    evaluator: OutcomeEvaluator, program: _Program, stratum: Any, key_of: Any, cache: dict[Hashable, Any],
    chunk: _Chunk, row: int, member_ids: Sequence[str], on: date,
) -> Any:
    """The cached entry of the group of ``row`` (as the per-member walk finds or makes it), or None."""
    fact = chunk.fact(row)
    key = key_of(fact)
    entry = cache.get(key)
    if entry is None:
        try:
            entry = evaluator._entry(program, stratum.fired(fact), member_ids[row], on)
        except Exception:  # noqa: BLE001 - the per-member walk meets it again and reports it for its row
            return None
        evaluator.engine_calls += 1
        if len(cache) >= program.cache_size:
            del cache[next(iter(cache))]
        cache[key] = entry
    else:
        evaluator.cache_hits += 1
    assert tuple(q for q, _, _ in entry) == stratum.questions, "an entry lists its stratum's questions in order"
    return entry


def _answer(
    evaluator: OutcomeEvaluator, plan: _Plan, chunk: _Chunk, answers: ChunkAnswers, alive: Any,
    rows: Any, member_ids: Sequence[str], on: date,
) -> None:
    """Answer ``plan.question`` by ``plan`` for ``rows``: its outcome, rule and data, as the per-member walk does."""
    if not plan.data and not plan.concurring:
        chunk.set(plan.answer_key, rows, plan.outcome)
        answers.set(plan.question, rows, answers.index(plan.question, plan.packed))
        return
    if not plan.concurring:
        _answer_by_columns(plan, chunk, answers, alive, rows)
        return
    distinct: dict[tuple[Value | None, ...], int] = {}
    of_row = np.fromiter((distinct.setdefault(given, len(distinct)) for given in _inputs(chunk, plan.reads, rows)),
                         dtype=np.int64, count=len(rows))
    # Codes were given in order of first appearance: a row is the first of its inputs where its code is a new maximum.
    first = np.flatnonzero(of_row > np.maximum.accumulate(np.concatenate(([-1], of_row[:-1]))))
    memo = plan.memo
    # Per distinct inputs: the answer's index, and its data; -1 where computing them failed.
    indices = np.empty(len(distinct), dtype=np.int64)
    data: list[dict[str, int | str]] = []
    # The answer of each found data (memo values are shared between inputs), kept alive while its id is a key.
    known: dict[int, tuple[object, int, dict[str, int | str]]] = {}
    for d, (given, at) in enumerate(zip(distinct, first.tolist(), strict=True)):
        found = memo.get(given)
        if found is not None and (seen := known.get(id(found))) is not None:
            indices[d] = seen[1]
            data.append(seen[2])
            continue
        if found is None:
            row = int(rows[at])
            try:
                # The data read only ``plan.reads`` (a flag as no datum): the memo's key is all of their input.
                read = {key: value for key, value in zip(plan.reads, given, strict=True) if value is not None}
                rule, values = evaluator._agreed(plan, read, member_ids[row], on)
            except Exception:  # noqa: BLE001 - as in _entry: the per-member walk reports it for each of its rows
                indices[d] = -1
                data.append({})
                continue
            found = rule.id, tuple((datum, value.toordinal() if isinstance(value, date) else value)
                                   for datum, value in values.items())
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[given] = found
        index = indices[d] = answers.index(plan.question, (plan.question, plan.outcome, *found))
        data.append(dict(found[1]))
        known[id(found)] = (found, index, data[-1])
    chosen = indices[of_row]
    failed = chosen < 0
    alive[rows[failed]] = False
    rows, of_row, chosen = rows[~failed], of_row[~failed], chosen[~failed]
    chunk.set(plan.answer_key, rows, plan.outcome)
    answers.set(plan.question, rows, chosen)
    for datum in sorted({datum for values in data for datum in values}):
        values = objects([values.get(datum) for values in data])[of_row]
        written = values != None  # noqa: E711 - a datum without a value is not written, as per member
        chunk.set(datum_key(plan.question, datum), rows[written], values[written])


def _answer_by_columns(plan: _Plan, chunk: _Chunk, answers: ChunkAnswers, alive: Any, rows: Any) -> None:
    """:func:`_answer` for a plan whose data are its own rule's alone: every datum computed for all
    ``rows`` at once (``law/vectors.py``); a row where one would raise is handed back."""
    columns = {key: chunk.column(key)[rows] for key in plan.reads}
    bad = np.zeros(len(rows), dtype=bool)
    computed = []
    for datum, vector in plan.vectors:
        found = vector(columns.__getitem__, len(rows))
        bad |= found.bad
        computed.append((datum, found.values()))
    alive[rows[bad]] = False
    kept = ~bad
    rows = rows[kept]
    data = [(datum, values[kept]) for datum, values in computed]
    chunk.set(plan.answer_key, rows, plan.outcome)
    answers.set_data(plan.packed, rows, data)
    for datum, values in data:
        written = values != None  # noqa: E711 - a datum without a value is not written, as per member
        chunk.set(datum_key(plan.question, datum), rows[written], values[written])


def _inputs(chunk: _Chunk, reads: tuple[str, ...], rows: Any) -> list[tuple[Value | None, ...]]:
    """Each row's values of ``reads``, a flag as None (the key of a plan's memo)."""
    columns = []
    for key in reads:
        values = chunk.column(key)[rows].tolist()
        if bool in set(map(type, values)):
            values = [None if v is True or v is False else v for v in values]
        columns.append(values)
    if not columns:
        return [()] * len(rows)
    return list(zip(*columns))
