"""The shape of a rule file, validated on load.

A rule file (YAML) may hold ``parameters`` (dated, cited legal constants), ``questions``
(things to decide, each with a closed set of outcomes), ``facts`` (labels of the input
facts) and ``rules``. Conditions and outcome data use a small vocabulary of operands:
a literal, ``{param: NAME}``, ``{fact: NAME}`` or ``{outcome: QUESTION, data: KEY}``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from .terms import (
    COMPARISON_OPERATORS,
    AnyOf,
    Compare,
    Condition,
    DayAfter,
    DayBefore,
    DaysBefore,
    Expr,
    FactRef,
    MaxOf,
    MinOf,
    Model,
    MonthEnd,
    OnOrAfter,
    OutcomeDataRef,
    OutcomeIs,
    Setting,
    ParamRef,
    PeriodEnd,
    Presence,
    WithinDays,
    WorkingDay,
    expr_counts,
    sub_exprs,
)

__all__ = [
    "COMPARISON_OPERATORS",
    "Action",
    "Confidence",
    "SetBy",
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
    "Datum",
    "Label",
    "MaxOf",
    "MinOf",
    "MonthEnd",
    "OnOrAfter",
    "Outcome",
    "OutcomeDataRef",
    "OutcomeIs",
    "Setting",
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
    "WorkingDay",
    "expr_counts",
    "sub_exprs",
]

class Text(Model):
    """A text in Japanese and English."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Label(Text):
    """The name of a fact or a datum in Japanese and English, and of the text values it takes."""

    values: dict[str, Text] = Field(default_factory=dict, description="Text value → its label.")


class Datum(Label):
    """A datum a question's outcomes may carry: its labels, and how concurring rules' values combine."""

    concurring: Literal["earliest", "latest"] | None = Field(
        default=None,
        description="When several standing rules give the same outcome with different dates for this datum, "
        "the answer carries the earliest (or latest) of them; without it such a difference is a conflict.",
    )


class Source(Model):
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
    checked_on: date | None = Field(default=None, description="The last day the project checked the source still says this.")
    index: bool = Field(default=False, description="Its sections are the ids rules implement.")
    sections: dict[str, Text] = Field(default_factory=dict, description="Section key → heading or statement.")


class Confidence(Model):
    """How sure the project is of a reading: ``high`` (an official text says so), ``medium``
    (our reading of official material or press reports), ``low``, or ``contested``
    (sources disagree), with the reason in both languages."""

    level: Literal["high", "medium", "low", "contested"]
    note: Text


class SetBy(Model):
    """Who may change a parameter (an insurer, the ministry by a new announcement) and why."""

    who: Text
    why: Text


class Citation(Model):
    """Where a rule or parameter comes from: a source (by key) and its sections."""

    source: str = Field(description="Key of a source declared under 'sources'.")
    sections: tuple[str, ...] = Field(default=(), description="Sections of it, e.g. 'Q2', '§9①'.")

    def section_keys(self) -> tuple[str, ...]:
        """Each cited section without its finer pointer: ``"§3 対象者"`` → ``"§3"``."""
        return tuple(section.split(" ", 1)[0] for section in self.sections)


class InForce(Model):
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


class Rule(Model):
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
    overrides_if_loaded: tuple[str, ...] = Field(
        default=(),
        description="Rules of other packs this one is an exception to when their pack is loaded too "
        "(e.g. the card body's expiry over the B-4 grace); ignored otherwise.",
    )
    refines: tuple[str, ...] = Field(
        default=(),
        description="Rules this one replaces with the same answer (e.g. a later official change "
        "narrowing it); it inherits their exceptions.",
    )
    fallback: bool = Field(
        default=False, description="Applies only when no other rule of its question does."
    )
    confidence: Confidence | None = Field(default=None, description="How sure the reading is, when not plainly stated law.")


class Action(Model):
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


class Question(Model):
    """One thing to decide, with its closed set of outcomes."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    title: Text
    outcomes: dict[str, Outcome] = Field(min_length=1)
    data: dict[str, Datum] = Field(
        default_factory=dict, description="Every datum its outcomes may carry, with labels (and those of text values)."
    )
    headline: bool = Field(default=False, description="Shown in a clerk's summary of a decision, whatever its answer.")
    requires: str | None = Field(
        default=None,
        description="A document fact (e.g. ``situation``) without which the question is not asked.",
    )


class DatedValue(Model):
    """One value of a parameter and the first day it applies."""

    since: date | None = Field(default=None, description="First day this value applies; None: always.")
    value: date | int | str


def _kind(value: date | int | str) -> str:
    return "date" if isinstance(value, date) else "number" if isinstance(value, int) else "text"


class Parameter(Model):
    """A named legal constant: values by start date, with its citation."""

    title: Text
    citation: Citation
    implements: tuple[str, ...] = Field(default=(), description="Ids of the rule index it encodes, if any.")
    values: tuple[DatedValue, ...] = Field(min_length=1)
    choices: dict[str, Text] = Field(default_factory=dict, description="The values a text parameter may take, with labels (none: any text).")
    set_by: SetBy | None = Field(default=None, description="Who may change it (an insurer's setting); None: the law.")
    confidence: Confidence | None = None

    @model_validator(mode="after")
    def _dated_in_order(self) -> Parameter:
        # The first value applies from the beginning, so every date has a value.
        if self.values[0].since is not None:
            raise ValueError("the first value applies always: it takes no 'since'")
        later = [v.since for v in self.values[1:]]
        known = [s for s in later if s is not None]
        if len(known) != len(later) or known != sorted(set(known)):
            raise ValueError("values after the first need 'since' dates in increasing order")
        kinds = {_kind(v.value) for v in self.values}
        if len(kinds) > 1:
            raise ValueError(f"every value must be of one kind (a date, a number or a text); got {sorted(kinds)}")
        if kinds == {"text"} and self.choices:
            wrong = [v.value for v in self.values if v.value not in self.choices]
            if wrong:
                raise ValueError(f"values {wrong} are not among choices {list(self.choices)}")
        elif self.choices:
            raise ValueError("only a text parameter takes 'choices'")
        return self

    @property
    def kind(self) -> str:
        """``"date"``, ``"number"`` or ``"text"``: what every value of it is."""
        return _kind(self.values[0].value)

    def value_on(self, day: date) -> date | int | str:
        """The value in force on ``day``."""
        current = self.values[0].value
        for dated in self.values[1:]:
            if dated.since is not None and dated.since <= day:
                current = dated.value
        return current


class RuleFile(Model):
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


RuleFile.model_rebuild()
