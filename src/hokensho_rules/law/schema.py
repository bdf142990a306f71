"""The shape of a rule file, validated on load.

A rule file (YAML) may hold ``parameters`` (dated, cited legal constants), ``questions``
(things to decide, each with a closed set of outcomes), ``facts`` (labels of the input
facts) and ``rules``. Conditions and outcome data use a small vocabulary of operands:
a literal, ``{param: NAME}``, ``{fact: NAME}`` or ``{outcome: QUESTION, data: KEY}``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = [
    "COMPARISON_OPERATORS",
    "Action",
    "AnyOf",
    "Citation",
    "Compare",
    "Condition",
    "DayAfter",
    "DayBefore",
    "DaysBefore",
    "Expr",
    "FactRef",
    "InForce",
    "Label",
    "MaxOf",
    "MinOf",
    "MonthEnd",
    "OnOrAfter",
    "Outcome",
    "OutcomeDataRef",
    "OutcomeIs",
    "ParamRef",
    "Parameter",
    "PeriodEnd",
    "Presence",
    "Question",
    "Rule",
    "RuleFile",
    "Source",
    "Text",
    "WithinDays",
    "expr_counts",
    "sub_exprs",
]

COMPARISON_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte")


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Schema):
    """A text in Japanese and English."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Label(Text):
    """The name of a fact or a datum in Japanese and English, and of the text values it takes."""

    values: dict[str, Text] = Field(default_factory=dict, description="Text value → its label.")


class Source(_Schema):
    """A document rules are taken from: the seed notice, an MHLW 事務連絡, a statute.

    A source that lists its ``sections`` is cited only by those: a citation's section
    is a declared key, optionally followed by a space and a finer pointer
    (``"§3 対象者"``). The project's own ``index`` source lists, as sections, every id a
    rule may name in ``implements``.
    """

    title: Text
    publisher: Text | None = None
    published: date | None = None
    url: str | None = None
    index: bool = Field(default=False, description="Its sections are the ids rules implement.")
    sections: dict[str, Text] = Field(default_factory=dict, description="Section key → heading or statement.")


class Citation(_Schema):
    """Where a rule or parameter comes from: a source (by key) and its sections."""

    source: str = Field(description="Key of a source declared under 'sources'.")
    sections: tuple[str, ...] = Field(default=(), description="Sections of it, e.g. 'Q2', '§9①'.")

    def section_keys(self) -> tuple[str, ...]:
        """Each cited section without its finer pointer: ``"§3 対象者"`` → ``"§3"``."""
        return tuple(section.split(" ", 1)[0] for section in self.sections)


class ParamRef(_Schema):
    """A reference to a parameter's value on the evaluation date."""

    param: str


class FactRef(_Schema):
    """A reference to an input fact, e.g. ``member.loss_on``."""

    fact: str


class OutcomeDataRef(_Schema):
    """A reference to a datum of another question's outcome, e.g. a validity end."""

    outcome: str
    data: str


Ref = ParamRef | FactRef | OutcomeDataRef
Literal_ = date | bool | int | str
Operand = Annotated[Ref | Literal_, Field(union_mode="left_to_right")]


class Compare(_Schema):
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


class Presence(_Schema):
    """Whether a fact is known (a date given, a document held)."""

    fact: str
    present: bool


class OutcomeIs(_Schema):
    """Whether another question's outcome is one of the given values."""

    outcome: str
    is_: tuple[str, ...] = Field(alias="is", min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("is"), str):
            return {**value, "is": (value["is"],)}
        return value


class AnyOf(_Schema):
    """True when at least one of the conditions is."""

    any: tuple[Condition, ...] = Field(min_length=2)


def _condition_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key, kind in (("any", "any"), ("outcome", "outcome"), ("present", "presence")):
            if key in value:
                return kind
    return "compare"


Condition = Annotated[
    Annotated[Compare, Tag("compare")] | Annotated[Presence, Tag("presence")] | Annotated[OutcomeIs, Tag("outcome")] | Annotated[AnyOf, Tag("any")],
    Discriminator(_condition_kind),
]


class MinOf(_Schema):
    """The earliest of the known values (unknown ones are skipped)."""

    min: tuple[Expr, ...] = Field(min_length=1)


class MaxOf(_Schema):
    """The latest of the known values (unknown ones are skipped)."""

    max: tuple[Expr, ...] = Field(min_length=1)


class DayBefore(_Schema):
    """The day before a date, e.g. the last day of eligibility before a loss date."""

    day_before: Expr


class DayAfter(_Schema):
    """The day after a date, e.g. the first day after a document's last usable day."""

    day_after: Expr


class PeriodSpec(_Schema):
    """A period's start and length in years and months (either may name a parameter)."""

    start: Expr
    years: int | ParamRef = 0
    months: int | ParamRef = 0


class PeriodEnd(_Schema):
    """The last day of a Civil-Code period (民法 第143条) that begins on ``start``."""

    period_end: PeriodSpec


class DaysSpec(_Schema):
    """An event's date and a number of days (or a parameter naming it)."""

    start: Expr
    days: int | ParamRef


class WithinDays(_Schema):
    """The last day of a period "within N days" of an event, not counting the event's day (民法 第140条)."""

    within_days: DaysSpec


class DaysBefore(_Schema):
    """The day N days before a date, e.g. when a renewal must appear ahead of an expiry."""

    days_before: DaysSpec


class BoundSpec(_Schema):
    """A date and the first day from which it counts."""

    date: Expr
    from_: Expr = Field(alias="from")


class OnOrAfter(_Schema):
    """A date, kept only when it falls on or after a bound (else unknown), e.g. a deadline
    that counts only once the insurer kept records."""

    on_or_after: BoundSpec


class MonthsSpec(_Schema):
    """A date and a number of months after its month (or a parameter naming it)."""

    start: Expr
    months: int | ParamRef


class MonthEnd(_Schema):
    """The last day of the N-th month after the month of a date ("until the end of the third month after")."""

    month_end: MonthsSpec


Expr = Annotated[
    Ref | MinOf | MaxOf | DayBefore | DayAfter | PeriodEnd | WithinDays | DaysBefore | OnOrAfter | MonthEnd | date | str,
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


class InForce(_Schema):
    """The period a rule is in force: at most one lower bound (``from`` inclusive or
    ``after`` exclusive) and one upper bound (``until`` inclusive or ``before``
    exclusive), each a date or ``{param: NAME}``, as in conditions."""

    from_: date | ParamRef | None = Field(default=None, alias="from")
    after: date | ParamRef | None = None
    until: date | ParamRef | None = None
    before: date | ParamRef | None = None

    @model_validator(mode="after")
    def _one_bound_each_side(self) -> InForce:
        for first, second in (("from_", "after"), ("until", "before")):
            if getattr(self, first) is not None and getattr(self, second) is not None:
                raise ValueError(f"give {first.rstrip('_')} or {second}, not both")
        return self


class Rule(_Schema):
    """When all conditions hold on a date within ``in_force``, ``question`` has ``outcome``."""

    id: str = Field(pattern=r"^[A-Z]{1,3}-[0-9]+(\.[a-z_0-9]+)?$")
    implements: tuple[str, ...] = Field(
        min_length=1, description="Ids of the rule index (the source marked ``index``) it encodes."
    )
    title: Text
    citation: Citation
    question: str
    in_force: InForce = InForce()
    when: tuple[Condition, ...] = ()
    outcome: str
    data: dict[str, Expr] = Field(default_factory=dict)
    overrides: tuple[str, ...] = Field(default=(), description="Rules this one is an exception to.")
    refines: tuple[str, ...] = Field(
        default=(),
        description="Rules this one replaces with the same answer (e.g. a later official change "
        "narrowing it); it inherits their exceptions.",
    )
    fallback: bool = Field(
        default=False, description="Applies only when no other rule of its question does."
    )


class Action(_Schema):
    """Something someone must do when a question has a given outcome (a row of the action list)."""

    title: Text
    due: str | None = Field(default=None, description="The outcome datum holding the deadline, if any.")
    closed_by: str | None = Field(
        default=None,
        description="A question whose action closes this need too: when that question calls for its "
        "action, this outcome marks that row instead of adding one (one need, one row).",
    )


class Outcome(Text):
    """One possible answer to a question, and the action it calls for, if any."""

    action: Action | None = None


class Question(_Schema):
    """One thing to decide, with its closed set of outcomes."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    title: Text
    outcomes: dict[str, Outcome] = Field(min_length=1)
    data: dict[str, Label] = Field(
        default_factory=dict, description="Every datum its outcomes may carry, with labels (and those of text values)."
    )
    headline: bool = Field(default=False, description="Shown in a clerk's summary of a decision, whatever its answer.")
    requires: str | None = Field(
        default=None,
        description="A document fact (e.g. ``situation``) without which the question is not asked.",
    )


class DatedValue(_Schema):
    """One value of a parameter and the first day it applies."""

    since: date | None = Field(default=None, description="First day this value applies; None: always.")
    value: date | int | str


class Parameter(_Schema):
    """A named legal constant: values by start date, with its citation."""

    title: Text
    citation: Citation
    implements: tuple[str, ...] = Field(default=(), description="Ids of the rule index it encodes, if any.")
    values: tuple[DatedValue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _dated_in_order(self) -> Parameter:
        # The first value applies from the beginning, so every date has a value.
        if self.values[0].since is not None:
            raise ValueError("the first value applies always: it takes no 'since'")
        later = [v.since for v in self.values[1:]]
        known = [s for s in later if s is not None]
        if len(known) != len(later) or known != sorted(set(known)):
            raise ValueError("values after the first need 'since' dates in increasing order")
        return self

    def value_on(self, day: date) -> date | int | str:
        """The value in force on ``day``."""
        current = self.values[0].value
        for dated in self.values[1:]:
            if dated.since is not None and dated.since <= day:
                current = dated.value
        return current


class RuleFile(_Schema):
    """One YAML file under ``rules/``."""

    title: Text
    sources: dict[str, Source] = Field(default_factory=dict)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    facts: dict[str, Label] = Field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    anchors: Any = Field(
        default=None,
        description="Room for YAML anchors that rules below share (&name / *name); not read otherwise.",
    )


AnyOf.model_rebuild()
MinOf.model_rebuild()
MaxOf.model_rebuild()
DayBefore.model_rebuild()
DayAfter.model_rebuild()
PeriodSpec.model_rebuild()
DaysSpec.model_rebuild()
MonthsSpec.model_rebuild()
BoundSpec.model_rebuild()
RuleFile.model_rebuild()
