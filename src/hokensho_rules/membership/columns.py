"""The input schema of a membership table: one row per member, one column per fact.

Columns are the fields of :class:`~hokensho_rules.Member` (``id``, ``kind``,
``enrolled_on``, …) and, for its documents, the document's name and field joined by a
dot (``paper_card.issued_on``, ``my_number_card.registered_for_insurance_on``,
``requests.certificate_on_enrolment_form``). They are derived from the models, so a
field added to Member is a column at once. The Japanese headers insurers use are
accepted as aliases (:data:`JA_HEADERS`); ``--help`` of the CLI and ``hokensho-rules
columns`` list them.

Cells:

- dates: ISO ``2020-04-01``, ``2020/04/01`` (or ``2020/4/1``), or wareki ``令和2年4月1日`` /
  ``R2.4.1``; typed dates and midnight datetimes (pandas, Parquet) as they are;
- flags: ``true``/``false``, ``1``/``0``, ``有``/``無`` (and typed booleans);
- ``kind``: ``insured``/``dependant``, or ``被保険者``/``被扶養者`` (``本人``/``家族``);
- an empty cell (or NaN/None) is an absent value; a document (``paper_card.*``…) is held
  when any of its cells is filled; ``my_number_card.held`` says a card is held with no
  date recorded (true), or that none is (false, with its other cells empty).

Only ``id``, ``kind`` and ``enrolled_on`` are required. An unknown column, a missing
required one, or a column given twice is a :class:`SchemaError` naming it. A
``my_number`` column (マイナンバー, 個人番号) is never accepted: this library never reads
a My Number, and no error ever repeats what such a column, or the ``id`` column,
holds.
"""

from __future__ import annotations

import functools
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ..law.calendar import WarekiError, parse_wareki
from ..facts.member import Member
from ..facts.record import FACT_TYPES
from ..evaluation.rows import RowError
from ..facts.privacy import shown_cell
from ..facts.errors import HokenshoError
from .headers import JA_HEADERS, ja_header
from .messages import cell_count, cell_problem, validation_problem

__all__ = [
    "COLUMNS",
    "JA_HEADERS",
    "REQUIRED",
    "Column",
    "Header",
    "SchemaError",
    "describe",
    "headers_of",
    "ja_header",
    "member_cells",
    "parse_date",
    "parse_row",
]

CellKind = Literal["date", "bool", "text", "kind"]


class SchemaError(HokenshoError, ValueError):
    """The header of a membership table cannot be used: names the column and why."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the input schema: the Member field (or document and field) it fills."""

    name: str
    kind: CellKind
    document: str | None
    field: str
    required: bool


HELD = "held"
"""The field name of a document's presence column (``my_number_card.held``)."""


def _optional_documents() -> frozenset[str]:
    # Requests are always there (every field has a default), so they need no such column.
    found = set()
    for name, field in Member.model_fields.items():
        for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and not field.is_required() \
                    and field.default is None and not any(f.is_required() for f in candidate.model_fields.values()):
                found.add(name)
    return frozenset(found)


_HELD_DOCUMENTS = _optional_documents()


def _columns() -> dict[str, Column]:
    found: dict[str, Column] = {}
    for name, fact_type in FACT_TYPES.items():
        prefix, _, field = name.partition(".")
        if fact_type.kind == "presence" and prefix in _HELD_DOCUMENTS:
            # A document none of whose facts is required can be held with none recorded.
            found[f"{prefix}.{HELD}"] = Column(f"{prefix}.{HELD}", "bool", prefix, HELD, False)
        if not field or prefix == "situation":
            continue  # the date fact, documents' presence, and an institution's counter
        document = None if prefix == "member" else prefix
        column = field if document is None else name
        kind: CellKind
        if column == "kind":
            kind = "kind"
        elif fact_type.kind in ("date", "bool"):
            kind = "date" if fact_type.kind == "date" else "bool"
        else:
            kind = "text"
        required = document is None and Member.model_fields[field].is_required()
        found[column] = Column(column, kind, document, field, required)
    return found


COLUMNS: dict[str, Column] = _columns()
"""Every column of the input schema, by its English name, in the models' order."""

REQUIRED = tuple(name for name, column in COLUMNS.items() if column.required)

# A column that could hold a My Number is refused by name, whatever it holds.
_REFUSED = frozenset({"my_number", "mynumber", "my_no", "individual_number", "マイナンバー", "個人番号", "マイナンバー番号"})

_KINDS = {"insured": "insured", "dependant": "dependant", "被保険者": "insured", "本人": "insured",
          "被扶養者": "dependant", "家族": "dependant"}
_TRUE = frozenset({"true", "1", "有"})
_FALSE = frozenset({"false", "0", "無"})
_MY_NUMBER_LIKE = re.compile(r"[0-9]{12}")
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
# Columns whose values are never repeated in an error: the id could be a My Number typed in by mistake.
_SECRET = frozenset({"id"})


def _normal(header: str) -> str:
    # NFKC folds full-width letters and digits; English names are matched case-insensitively.
    return unicodedata.normalize("NFKC", header).strip().lower()


_BY_HEADER: dict[str, str] = {
    **{_normal(alias): name for name, aliases in JA_HEADERS.items() if name in COLUMNS for alias in aliases},
    **{_normal(name): name for name in COLUMNS},
}


@dataclass(frozen=True)
class Header:
    """A table's header resolved to the schema: the Column of each position, in order.

    ``names`` are the headers as written in the file (for error rows).
    """

    names: tuple[str, ...]
    columns: tuple[Column, ...]

    @classmethod
    def resolve(cls, headers: Iterable[object]) -> Header:
        """Map each header to its column; SchemaError naming an unknown, refused, repeated or missing column."""
        names = tuple("" if h is None else str(h) for h in headers)
        columns: list[Column] = []
        seen: dict[str, str] = {}
        for header in names:
            key = _normal(header)
            if key in _REFUSED or key.replace(" ", "_") in _REFUSED:
                raise SchemaError(
                    f"column {header!r} is not accepted: hokensho-rules never reads a My Number (個人番号); "
                    "remove the column (the insurer's own member id goes in 'id')"
                )
            name = _BY_HEADER.get(key)
            if name is None:
                raise SchemaError(
                    f"unknown column {header!r}; columns are {', '.join(COLUMNS)} "
                    "(or their Japanese headers: hokensho-rules columns)"
                )
            if name in seen:
                raise SchemaError(f"column {name!r} is given twice: as {seen[name]!r} and as {header!r}")
            seen[name] = header
            columns.append(COLUMNS[name])
        missing = [name for name in REQUIRED if name not in seen]
        if missing:
            raise SchemaError(f"missing required column(s): {', '.join(missing)} (found: {', '.join(names) or 'none'})")
        return cls(names, tuple(columns))


class _CellError(ValueError):
    """A cell that cannot be read; ``args[0]`` is the kind of problem (messages.cell_problem)."""


def _is_empty(value: object) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        # NaN and NaT are the only values unequal to themselves: pandas' empty cells.
        return bool(value != value)  # noqa: PLR0124
    except TypeError:  # pandas.NA, whose truth is undefined: an empty cell too
        return True


def _date(value: object) -> date:
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise _CellError("datetime")
        return date(value.year, value.month, value.day)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _CellError("date")
    return _date_text(value)


# A membership has a few thousand distinct dates in hundreds of thousands of cells:
# each text is parsed once (bounded; failures are not kept, they raise each time).
@functools.lru_cache(maxsize=1 << 16)
def _date_text(value: str) -> date:
    text = unicodedata.normalize("NFKC", value).strip()
    slashed = _SLASHED.fullmatch(text)
    try:
        if slashed:
            return date(*(int(part) for part in slashed.groups()))
        if text[:1].isdigit():
            return date.fromisoformat(text)
        return parse_wareki(text)
    except (WarekiError, ValueError):
        raise _CellError("date") from None


def parse_date(value: str | date) -> date:
    """A date written as ISO (2025-12-02), with slashes (2025/12/02) or in wareki (令和7年12月2日, R7.12.2).

    Raises ValueError saying which forms are accepted.
    """
    try:
        return _date(value)
    except _CellError as error:
        raise ValueError(cell_problem(error.args[0]).en) from None


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)  # numpy's bool_ and int64 too
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError("bool")


def _text(value: object) -> str:
    if isinstance(value, str):  # first: a file's cells are text, and the number checks below are slow
        return value.strip()
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)) and float(value).is_integer():
        value = int(float(value))  # a numeric column read by pandas: 42.0 is the id 42
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))  # numpy's int64 too
    raise _CellError("text")


def _kind(value: object) -> str:
    kind = _KINDS.get(unicodedata.normalize("NFKC", str(value)).strip().lower())
    if kind is None:
        raise _CellError("kind")
    return kind


_PARSERS = {"date": _date, "bool": _flag, "text": _text, "kind": _kind}


def _shown(column: Column, value: object) -> str | None:
    # Shortened, and never a value that may be a My Number (in any column, any spelling).
    return None if column.name in _SECRET else shown_cell(value)


def _known_id(value: object) -> str | None:
    """The member id in a row, if it is one the models accept (a My Number is not)."""
    try:
        text = _text(value)
        Member(id=text, kind="insured", enrolled_on=date(2000, 1, 1))
    except (ValueError, TypeError):
        return None
    # Twelve digits look like a My Number typed in by mistake: never repeat them.
    return None if _MY_NUMBER_LIKE.fullmatch(text) else text


def parse_row(header: Header, cells: Sequence[object], row: int) -> Member | RowError:
    """The Member one row describes, or a RowError naming the row, the column and the value."""
    if len(cells) != len(header.columns):
        problem = cell_count(len(cells), len(header.columns))
        return RowError(row, None, problem.en, "SchemaError", problem_ja=problem.ja)
    top: dict[str, Any] = {}
    documents: dict[str, dict[str, Any]] = {}
    held: dict[str, bool] = {}
    id_cell: object = None
    for column, name, value in zip(header.columns, header.names, cells, strict=True):
        if column.name == "id":
            id_cell = value
        # Text cells (CSV) are the common case: an empty one needs no further test.
        if (not value or value.isspace()) if type(value) is str else _is_empty(value):
            continue
        try:
            parsed = _PARSERS[column.kind](value)
        except _CellError as error:
            problem = cell_problem(error.args[0])
            return RowError(row, _known_id(id_cell) if column.name != "id" else None, problem.en,
                            "ValueError", name, _shown(column, value), problem.ja)
        if column.document is None:
            top[column.field] = parsed
        elif column.field == HELD:
            held[column.document] = bool(parsed)
        else:
            documents.setdefault(column.document, {})[column.field] = parsed
    for document, holds in held.items():
        if holds:
            documents.setdefault(document, {})
        elif document in documents:
            return RowError(row, _known_id(id_cell), f"{document}.{HELD} says the member holds no {document}, "
                            "yet its other cells are filled: empty them, or write true", "ValueError",
                            f"{document}.{HELD}", "false",
                            f"{ja_header(document + '.' + HELD)} が「無」なのに他の欄に記入があります。他の欄を空にするか「有」と書いてください")
    try:
        return Member.model_validate({**top, **documents})
    except ValidationError as error:
        return _validation_row(error, header, cells, row, id_cell)


def _validation_row(error: ValidationError, header: Header, cells: Sequence[object], row: int, id_cell: object) -> RowError:
    first = error.errors()[0]
    loc = ".".join(str(part) for part in first["loc"])
    by_name = {column.name: (name, value) for column, name, value in zip(header.columns, header.names, cells, strict=True)}
    written, value = by_name.get(loc, (loc or None, None))
    column = COLUMNS.get(loc)
    count = error.error_count() - 1
    header_of = {c.name: n for c, n in zip(header.columns, header.names, strict=True)}
    # The clerk's words for pydantic's detail: never its message, which may quote a pattern or the input.
    problem = validation_problem(first, str(written or loc), header_of)
    more_en = f" ({count} more problem(s) in this row)" if count else ""
    more_ja = f"（この行にはほかに{count}件の問題があります）" if count else ""
    shown = _shown(column, value) if column is not None and not _is_empty(value) else None
    if first["type"] == "my_number":
        shown = None
    return RowError(row, _known_id(id_cell), problem.en + more_en, "ValidationError", written, shown,
                    problem.ja + more_ja)


def member_cells(member: Member) -> dict[str, str]:
    """A member as one row of the schema (English column names, ISO dates, true/false, empty when absent)."""
    out: dict[str, str] = {}
    for name, column in COLUMNS.items():
        owner: object = member if column.document is None else getattr(member, column.document)
        if column.field == HELD:
            out[name] = "" if owner is None else "true"
            continue
        value = None if owner is None else getattr(owner, column.field)
        if value is None or (column.document == "requests" and value is False):
            out[name] = ""
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out


def describe() -> list[dict[str, str]]:
    """One dict per column: name, Japanese header(s), kind, whether required, and the field's description."""
    rows = []
    for name, column in COLUMNS.items():
        model_field = Member.model_fields[column.field] if column.document is None else None
        description = model_field.description if model_field is not None else None
        if column.document is not None:
            annotation = Member.model_fields[column.document].annotation
            for candidate in (annotation, *getattr(annotation, "__args__", ())):
                if column.field == HELD:
                    description = (f"true: the member holds a {column.document}, also when none of its dates "
                                   "is recorded (a document is held too when any of its cells is filled)")
                elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    description = candidate.model_fields[column.field].description
        rows.append({
            "column": name,
            "ja": " / ".join(JA_HEADERS.get(name, ())),
            "kind": column.kind,
            "required": "yes" if column.required else "",
            "description": description or "",
        })
    return rows


def headers_of(mapping: Mapping[str, object]) -> Header:
    """The Header of a row given as a mapping from header to cell."""
    return Header.resolve(mapping.keys())
