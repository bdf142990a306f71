"""The terms of a rule file: operands (``{param: …}``, ``{fact: …}``, ``{outcome: …,
data: …}``, literals), conditions (comparisons, presence, an earlier outcome, any of) and
date expressions (min, max, the day before or after, periods, days, month ends, the next
working day).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = [
    "COMPARISON_OPERATORS",
    "AnyOf",
    "Compare",
    "Condition",
    "DayAfter",
    "DayBefore",
    "DaysBefore",
    "Expr",
    "FactRef",
    "MaxOf",
    "MinOf",
    "Model",
    "MonthEnd",
    "OnOrAfter",
    "OutcomeDataRef",
    "OutcomeIs",
    "ParamRef",
    "PeriodEnd",
    "Presence",
    "Setting",
    "WithinDays",
    "WorkingDay",
    "expr_counts",
    "sub_exprs",
]

COMPARISON_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte")


class Model(BaseModel):
    """Every part of a rule file: frozen, and no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ParamRef(Model):
    """A reference to a parameter's value on the evaluation date."""

    param: str


class FactRef(Model):
    """A reference to an input fact, e.g. ``member.loss_on``."""

    fact: str


class OutcomeDataRef(Model):
    """A reference to a datum of another question's outcome, e.g. a validity end."""

    outcome: str
    data: str


Ref = ParamRef | FactRef | OutcomeDataRef
Literal_ = date | bool | int | str
Operand = Annotated[Ref | Literal_, Field(union_mode="left_to_right")]


class Compare(Model):
    """``fact OP operand`` with exactly one operator; false when either side is unknown."""

    fact: str
    eq: Operand | None = None
    ne: Operand | None = None
    lt: Operand | None = None
    lte: Operand | None = None
    gt: Operand | None = None
    gte: Operand | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Compare:
        given = [op for op in COMPARISON_OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a comparison of fact {self.fact!r} needs exactly one of "
                f"{', '.join(COMPARISON_OPERATORS)}; got {given or 'none'}"
            )
        return self

    @property
    def operator(self) -> str:
        """The one operator given."""
        return next(op for op in COMPARISON_OPERATORS if getattr(self, op) is not None)

    @property
    def operand(self) -> Ref | Literal_:
        """The value or reference the fact is compared with."""
        value: Ref | Literal_ = getattr(self, self.operator)
        return value


class Presence(Model):
    """Whether a fact is known (a date given, a document held)."""

    fact: str
    present: bool


class _OneOrMany(Model):
    """A condition whose ``is`` takes one value or a list of them (``is: x`` reads as ``is: [x]``)."""

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("is"), str):
            return {**value, "is": (value["is"],)}
        return value


class OutcomeIs(_OneOrMany):
    """Whether another question's outcome is one of the given values."""

    outcome: str
    is_: tuple[str, ...] = Field(alias="is", min_length=1)


class Setting(_OneOrMany):
    """Whether a parameter (an insurer's setting, e.g. ``certificate_after_grace``) has
    one of the given values on the evaluation date: fixed per set of parameter values,
    so it reads no fact of the member."""

    setting: str
    is_: tuple[str, ...] = Field(alias="is", min_length=1)


class AnyOf(Model):
    """True when at least one of the conditions is."""

    any: tuple[Condition, ...] = Field(min_length=2)


def _condition_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key, kind in (("any", "any"), ("outcome", "outcome"), ("present", "presence"), ("setting", "setting")):
            if key in value:
                return kind
    return "compare"


Condition = Annotated[
    Annotated[Compare, Tag("compare")] | Annotated[Presence, Tag("presence")] | Annotated[OutcomeIs, Tag("outcome")] | Annotated[AnyOf, Tag("any")]
    | Annotated[Setting, Tag("setting")],
    Discriminator(_condition_kind),
]


class MinOf(Model):
    """The earliest of the known values (unknown ones are skipped)."""

    min: tuple[Expr, ...] = Field(min_length=1)


class MaxOf(Model):
    """The latest of the known values (unknown ones are skipped)."""

    max: tuple[Expr, ...] = Field(min_length=1)


class DayBefore(Model):
    """The day before a date, e.g. the last day of eligibility before a loss date."""

    day_before: Expr


class DayAfter(Model):
    """The day after a date, e.g. the first day after a document's last usable day."""

    day_after: Expr


class PeriodSpec(Model):
    """A period's start and length in years and months (either may name a parameter)."""

    start: Expr
    years: int | ParamRef = 0
    months: int | ParamRef = 0


class PeriodEnd(Model):
    """The last day of a Civil-Code period (民法 第143条) that begins on ``start``."""

    period_end: PeriodSpec


class DaysSpec(Model):
    """An event's date and a number of days (or a parameter naming it)."""

    start: Expr
    days: int | ParamRef


class WithinDays(Model):
    """The last day of a period "within N days" of an event, not counting the event's day (民法 第140条)."""

    within_days: DaysSpec


class WorkingDaySpec(Model):
    """A last day, and the parameter naming the days off it moves past."""

    date: Expr
    days_off: ParamRef


class WorkingDay(Model):
    """A deadline's last day, moved to the next working day when it is a day off (民法 第142条)."""

    working_day: WorkingDaySpec


class DaysBefore(Model):
    """The day N days before a date, e.g. when a renewal must appear ahead of an expiry."""

    days_before: DaysSpec


class BoundSpec(Model):
    """A date and the first day from which it counts."""

    date: Expr
    from_: Expr = Field(alias="from")


class OnOrAfter(Model):
    """A date, kept only when it falls on or after a bound (else unknown), e.g. a deadline
    that counts only once the insurer kept records."""

    on_or_after: BoundSpec


class MonthsSpec(Model):
    """A date and a number of months after its month (or a parameter naming it)."""

    start: Expr
    months: int | ParamRef


class MonthEnd(Model):
    """The last day of the N-th month after the month of a date ("until the end of the third month after")."""

    month_end: MonthsSpec


Expr = Annotated[
    Ref | MinOf | MaxOf | DayBefore | DayAfter | PeriodEnd | WithinDays | WorkingDay | DaysBefore | OnOrAfter | MonthEnd
    | date | str,
    Field(union_mode="left_to_right"),
]


def sub_exprs(expr: Expr) -> tuple[tuple[str, Expr], ...]:
    """The expressions directly inside ``expr``, each with its path (for error messages)."""
    if isinstance(expr, (MinOf, MaxOf)):
        items = expr.min if isinstance(expr, MinOf) else expr.max
        return tuple((f"[{i}]", item) for i, item in enumerate(items))
    if isinstance(expr, DayBefore):
        return ((".day_before", expr.day_before),)
    if isinstance(expr, DayAfter):
        return ((".day_after", expr.day_after),)
    if isinstance(expr, PeriodEnd):
        return ((".period_end.start", expr.period_end.start),)
    if isinstance(expr, WithinDays):
        return ((".within_days.start", expr.within_days.start),)
    if isinstance(expr, WorkingDay):
        return ((".working_day.date", expr.working_day.date),)
    if isinstance(expr, DaysBefore):
        return ((".days_before.start", expr.days_before.start),)
    if isinstance(expr, OnOrAfter):
        return ((".on_or_after.date", expr.on_or_after.date), (".on_or_after.from", expr.on_or_after.from_))
    if isinstance(expr, MonthEnd):
        return ((".month_end.start", expr.month_end.start),)
    return ()


def expr_counts(expr: Expr) -> tuple[tuple[str, int | ParamRef], ...]:
    """The lengths (years, months, days) ``expr`` itself takes, each with its path."""
    if isinstance(expr, PeriodEnd):
        return ((".period_end", expr.period_end.years), (".period_end", expr.period_end.months))
    if isinstance(expr, WithinDays):
        return ((".within_days", expr.within_days.days),)
    if isinstance(expr, DaysBefore):
        return ((".days_before", expr.days_before.days),)
    if isinstance(expr, MonthEnd):
        return ((".month_end", expr.month_end.months),)
    return ()


AnyOf.model_rebuild()
MinOf.model_rebuild()
MaxOf.model_rebuild()
DayBefore.model_rebuild()
DayAfter.model_rebuild()
PeriodSpec.model_rebuild()
DaysSpec.model_rebuild()
WorkingDaySpec.model_rebuild()
MonthsSpec.model_rebuild()
BoundSpec.model_rebuild()
