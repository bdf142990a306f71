"""Batch results as table rows: wide (one row per member), long (one per member and question), actions.

A shape knows its columns and their types from the Rulebook alone (the questions and
the data their rules can give), so every chunk of a batch, in any process, has the
same columns in the same order, and a Parquet file's schema is known before the
first member is evaluated.

Wide columns: ``row``, ``member_id``, ``on``, the error columns (``error`` in English,
``error_ja`` in Japanese, ``error_kind``, ``error_column`` as the file's header writes it,
``error_value`` shortened and never a possible My Number; empty for a decided member), then for
each question ``<question>.outcome``, ``<question>.rule`` and ``<question>.<datum>``
for each datum its rules can give (deadlines, validity ends…). Questions that need an
institution's counter (``presentation.*``) are not asked in a batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..facts.record import FACT_TYPES, FactType
from ..evaluation.rows import MemberResult, RowError
from ..rulebook.book import Rulebook
from ..law.schema import FactRef, OutcomeDataRef, ParamRef

__all__ = ["ACTION_COLUMNS", "LONG_COLUMNS", "ColumnType", "Shape", "actions_shape", "long_shape", "wide_shape"]

ColumnType = Literal["int", "str", "date", "bool"]
Value = int | str | date | bool | None
Row = tuple[Value, ...]
Results = Sequence[MemberResult | RowError]
ShapeName = Literal["wide", "long", "actions"]

_ROW: tuple[tuple[str, ColumnType], ...] = (("row", "int"), ("member_id", "str"), ("on", "date"))
_ERROR: tuple[tuple[str, ColumnType], ...] = (
    ("error", "str"), ("error_ja", "str"), ("error_kind", "str"), ("error_column", "str"), ("error_value", "str"),
)
LONG_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    *_ROW, ("question", "str"), ("outcome", "str"), ("rule_id", "str"), ("data", "str"), *_ERROR,
)
ACTION_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    *_ROW, ("action", "str"), ("action_ja", "str"), ("due", "date"), ("overdue", "bool"),
    ("question", "str"), ("outcome", "str"), ("rule_id", "str"),
)


def _error_cells(error: RowError) -> tuple[Value, ...]:
    return (error.problem, error.problem_ja, error.kind, error.column, error.value)


def _value(packed: int | str | None) -> date | str | None:
    # Packed data hold dates as day numbers and texts as they are.
    return date.fromordinal(packed) if isinstance(packed, int) else packed


def _iso(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Shape:
    """Columns (name, type) of one output table and how a chunk of results becomes its rows."""

    name: ShapeName
    columns: tuple[tuple[str, ColumnType], ...]
    # Wide only: per question, the data keys it has columns for.
    questions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Text columns that may receive a date (a datum whose rules give a date or a text),
    # written as ISO text; every other column holds one type.
    mixed: frozenset[str] = frozenset()

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [name for name, _ in self.columns]

    def rows(self, results: Results) -> list[Row]:
        """The rows of a chunk of results, in order (an error row stays in place)."""
        if self.name == "wide":
            return [self._wide(r) for r in results]
        if self.name == "long":
            return [row for r in results for row in self._long(r)]
        return [
            (r.row, r.member_id, r.on, a.action, a.action_ja, a.due, a.overdue, a.question, a.outcome, a.rule_id)
            for r in results if isinstance(r, MemberResult) for a in r.actions
        ]

    def _wide(self, result: MemberResult | RowError) -> Row:
        if isinstance(result, RowError):
            blank: tuple[Value, ...] = (None,) * (len(self.columns) - 3 - len(_ERROR))
            return (result.row, result.member_id, None, *_error_cells(result), *blank)
        cells: list[Value] = [result.row, result.member_id, result.on, *(None,) * len(_ERROR)]
        # The packed answers, not Answer objects: a row per member needs no objects per question.
        answers = {answer[0]: answer for answer in result.packed_answers()}
        for question, data_keys in self.questions:
            answer = answers.get(question)
            if answer is None:
                cells.extend((None,) * (2 + len(data_keys)))
                continue
            _, outcome, rule_id, data = answer
            cells.append(outcome)
            cells.append(rule_id)
            if data_keys:
                values = dict(data)
                cells.extend(_value(values.get(key)) for key in data_keys)
        return tuple(cells)

    def _long(self, result: MemberResult | RowError) -> list[Row]:
        if isinstance(result, RowError):
            return [(result.row, result.member_id, None, None, None, None, None, *_error_cells(result))]
        return [
            (result.row, result.member_id, result.on, q, a.outcome, a.rule_id,
             json.dumps({k: _iso(v) for k, v in a.data.items()}, ensure_ascii=False) if a.data else None,
             *(None,) * len(_ERROR))
            for q, a in result.answers.items()
        ]


def wide_shape(book: Rulebook) -> Shape:
    """One row per member: outcome, deciding rule and data of every question asked in a batch."""
    questions = []
    columns: list[tuple[str, ColumnType]] = [*_ROW, *_ERROR]
    for qid, question in book.questions.items():
        if question.requires is not None:
            continue
        keys = sorted({k for rule in book.rules.values() if rule.question == qid for k in rule.data})
        questions.append((qid, tuple(keys)))
        columns += [(f"{qid}.outcome", "str"), (f"{qid}.rule", "str")]
        # Data are dates or texts; a key whose rules give dates is a date column.
        columns += [(f"{qid}.{key}", _datum_type(book, qid, key)) for key in keys]
    data_columns = {f"{qid}.{key}" for qid, keys in questions for key in keys}
    mixed = frozenset(name for name, kind in columns if kind == "str" and name in data_columns)
    return Shape("wide", tuple(columns), tuple(questions), mixed)


def _datum_type(book: Rulebook, question: str, key: str, seen: frozenset[tuple[str, str]] = frozenset()) -> ColumnType:
    """"date" when every rule's expression for this datum gives a date, else "str" (dates then as ISO text)."""
    exprs = [rule.data[key] for rule in book.rules.values() if rule.question == question and key in rule.data]
    kinds = {_expr_type(book, e, seen | {(question, key)}) for e in exprs}
    return "date" if kinds == {"date"} else "str"


def _expr_type(book: Rulebook, expr: object, seen: frozenset[tuple[str, str]]) -> ColumnType:
    if isinstance(expr, str):
        return "str"
    if isinstance(expr, FactRef):
        return "date" if FACT_TYPES.get(expr.fact, FactType("text")).kind == "date" else "str"
    if isinstance(expr, ParamRef):
        values = {type(v.value) for v in book.parameters[expr.param].values}
        return "date" if values == {date} else "str"
    if isinstance(expr, OutcomeDataRef):
        if (expr.outcome, expr.data) in seen:
            return "str"
        return _datum_type(book, expr.outcome, expr.data, seen)
    # date literals and the date arithmetic of law/terms.py (min, max, day_after, periods…)
    return "date"


def long_shape(book: Rulebook) -> Shape:
    """One row per member and question (``data`` as a JSON object), or one error row per bad input row."""
    return Shape("long", LONG_COLUMNS)


def actions_shape(book: Rulebook) -> Shape:
    """The action list: one row per action a member's answers call for, in input order."""
    return Shape("actions", ACTION_COLUMNS)


def shape_named(name: ShapeName, book: Rulebook) -> Shape:
    """The shape called ``name`` for ``book``."""
    return {"wide": wide_shape, "long": long_shape, "actions": actions_shape}[name](book)
