"""One chunk of a membership, decided in whichever process: each input row to one result.

A table's rows are read column by column (``columnar.py``) and Members flattened; the
chunk is then decided stratum by stratum (``evaluation/chunk.py``), and every row that
walk hands back — and every row it cannot take (an error row of the reader, a Member
with a full Decision) — is decided member by member, which gives its exact result or
error row. The results stay the walk's columns (``decided.py``) for the chunk's
transform; without one, they are the list of results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from .columnar import chunk_table
from .decided import DecidedChunk
from .columns import Header, SchemaError, parse_row
from .messages import decision_problem
from ..facts.errors import DecisionError, EngineError
from ..facts.member import Member
from ..facts.record import Value, to_record
from ..facts.table import FactTable
from ..evaluation.chunk import chunk_answers
from ..evaluation.outcomes import OutcomeEvaluator
from ..evaluation.rows import Answer, MemberResult, RowError
from ..render import Decision

_Result = MemberResult | RowError  # batch.Result


@dataclass(frozen=True)
class _Job:
    """What every chunk of one call shares; pickled into each task."""

    on: date
    decisions: bool
    header: Header | None
    # Turns a chunk's results into what the caller consumes (e.g. rows of an output file),
    # in the worker, so that the parent process only passes data along.
    transform: Callable[[Sequence[_Result]], Any] | None
    columnar: bool = True  # table rows read column by column (columnar.py); off only to compare


def _decided(evaluator: OutcomeEvaluator, row: int, member: Member, job: _Job) -> MemberResult:
    if not job.decisions:
        return evaluator.result(row, member, job.on)
    decision = Decision.of(evaluator.book.trace(member, job.on), evaluator.book.law)
    answers = {q: Answer(v.outcome, v.rule_id, dict(v.data)) for q, v in decision.items()}
    return MemberResult(row, member.id, job.on, answers, evaluator.actions(member.id, job.on, answers), decision)


class _Flattened(NamedTuple):
    """A Member as it travels to a worker: its id and its flat fact on the job's date.

    A pydantic model costs several times more to pickle and unpickle than its flat
    fact, which is all the engine reads; flattening in the parent costs less than
    pickling the model would.
    """

    member_id: str
    fact: dict[str, Value]


def _one(evaluator: OutcomeEvaluator, row: int, item: object, job: _Job, headers: dict[tuple[str, ...], Header]) -> _Result:
    member: Member | RowError
    if isinstance(item, RowError):
        # A row the reader could not read, or a repeated id: already an error row, now numbered.
        return dataclasses.replace(item, row=row)
    if isinstance(item, _Flattened):
        flattened = item
        return _guarded(row, item.member_id, lambda: evaluator.result_of_fact(row, flattened.member_id, job.on,
                                                                               flattened.fact))
    if isinstance(item, Member):
        member = item
    elif job.header is not None and isinstance(item, (tuple, list)):
        member = parse_row(job.header, item, row)
    elif isinstance(item, Mapping):
        keys = tuple(str(k) for k in item)
        header = headers.get(keys)
        if header is None:
            try:
                header = headers[keys] = Header.resolve(keys)
            except SchemaError as error:
                return RowError(row, None, str(error), "SchemaError",
                                problem_ja=decision_problem("SchemaError", str(error)))
        member = parse_row(header, list(item.values()), row)
    else:
        return RowError(row, None, f"expected a hokensho_rules.Member or a row of cells, got {type(item).__name__}",
                        "TypeError")
    if isinstance(member, RowError):
        return member
    valid = member
    return _guarded(row, member.id, lambda: _decided(evaluator, row, valid, job))


def _guarded(row: int, member_id: str, evaluate: Callable[[], MemberResult]) -> _Result:
    """``evaluate()``, or the error row of what stopped it: a conflict, a gap, a datum beyond
    the calendar, a fact the engine refused. Only this row stops."""
    try:
        return evaluate()
    except (DecisionError, ValueError, OverflowError, EngineError) as error:
        kind = type(error).__name__
        return RowError(row, member_id, str(error), kind, problem_ja=decision_problem(kind, str(error)))


def _chunk(evaluator: OutcomeEvaluator, first_row: int, items: Sequence[object], job: _Job) -> Any:
    headers: dict[tuple[str, ...], Header] = {}
    if not (job.columnar and not job.decisions and evaluator.cache):
        results = [_one(evaluator, first_row + i, item, job, headers) for i, item in enumerate(items)]
        return job.transform(results) if job.transform is not None else results
    items = [_flattened(item, job.on) if type(item) is Member else item for item in items]
    if job.header is not None:  # a table's rows: read column by column (columnar.py)
        read, table = chunk_table(job.header, job.on, items)
    else:  # Members, flattened one by one
        read = [i for i, item in enumerate(items) if isinstance(item, _Flattened)]
        table = FactTable.of_facts([items[i].fact for i in read])  # type: ignore[attr-defined]
    member_ids = [str(i) for i in table.column("id").tolist()]
    # The chunk decided stratum by stratum (evaluation/chunk.py); every other row member by member.
    answers = chunk_answers(evaluator, member_ids, job.on, table)
    decided = DecidedChunk(evaluator, first_row, job.on, len(items), answers, read, member_ids)
    for k in np.flatnonzero(~answers.alive).tolist():
        items[read[k]] = _Flattened(member_ids[k], table.fact(k))
    for i in np.flatnonzero(~decided.decided).tolist():
        decided.put(i, _one(evaluator, first_row + i, items[i], job, headers))
    return job.transform(decided) if job.transform is not None else decided.results()


def _flattened(member: Member, on: date) -> Member | _Flattened:
    try:
        return _Flattened(member.id, to_record(member, on))
    except (ValueError, OverflowError):  # decided member by member, which reports it for its row
        return member
