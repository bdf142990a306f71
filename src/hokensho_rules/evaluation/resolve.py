"""From the rules that fired for one question to its single answer (default logic).

The semantics, in the spirit of Catala's default calculus:

* A rule is an exception to the rules it ``overrides``. Exceptions are tried first:
  a fired rule **stands** when none of its exceptions stands. Formally, over the fired
  rules ``F`` of one question, ``stands(r) ⇔ r ∈ F ∧ ¬∃ e ∈ F: r ∈ e.overrides ∧ stands(e)``.
  The rulebook's checks forbid cycles of exceptions, so this recursion is well founded.
* Only a rule that stands sets another aside: an exception that is itself defeated by
  a standing exception sets nothing aside, and its own base rule may stand again
  (ruling X-1). A chain ``A → B → C`` (A an exception to B, B to C) where all three
  fire leaves A and C standing: if they disagree, that is a conflict to be settled in
  the rule files (by making A an exception to C too), never a silent answer.
* A ``fallback`` rule stands only when no other rule stands.
* What stands must agree: two outcomes are a :class:`~hokensho_rules.ConflictError`,
  none is a :class:`~hokensho_rules.GapError`.
* The data come from the standing rules whose reason holds unopposed, the *grounds*:
  a standing rule one of whose exceptions fired (that exception itself set aside)
  agrees on the outcome, but its dates describe what its exception denied (an expired
  certificate within its grace, whose card was then returned, did not stop the card on
  expiry). When every standing rule is opposed, all are grounds.
* The grounds must agree on the data (:func:`agreed_data`). Rules that concur on an
  outcome for different reasons may date it differently (a card expired in June and
  lost in August stopped in June): a datum whose question declares
  ``concurring: earliest`` (or ``latest``) carries the earliest (latest) value the
  grounds give, and none when a ground gives none (a reason without a date: the
  member left, the card was never usable); any other datum grounds give differently,
  or that one gives and another does not, is a ConflictError, never the first rule's value.

The deciding rule is the first ground in rulebook order, or the first ground giving a
combined datum's value where another gave it (the explanation names the reason whose
date it states); the other standing rules concur. A rule is reported as overridden
only when a standing rule set it aside.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from ..facts.errors import ConflictError, GapError
from ..law.schema import Rule

__all__ = ["Resolution", "agreed_data", "resolve", "standing_rules"]

V = TypeVar("V", bound=date | str)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The deciding rule of a question, the rules that agreed and those set aside.

    ``overridden`` holds each fired rule a standing rule set aside that would have given
    another answer, in rulebook order (X-1, X-23).
    """

    deciding: Rule
    concurring: tuple[Rule, ...]
    overridden: tuple[Rule, ...]
    # The standing rules whose data count (module docstring), the deciding rule first.
    grounds: tuple[Rule, ...] = ()


def standing_rules(fired: Sequence[Rule]) -> tuple[list[Rule], list[Rule]]:
    """The fired rules that stand, and those a standing rule set aside (both in order).

    Fallback rules are not filtered here: see :func:`resolve`.
    """
    by_id = {rule.id: rule for rule in fired}
    exceptions: dict[str, list[Rule]] = {rule.id: [] for rule in fired}
    for rule in fired:
        for target in rule.overrides:
            if target in exceptions:
                exceptions[target].append(rule)

    @functools.cache
    def stands(rule_id: str) -> bool:
        return not any(stands(e.id) for e in exceptions[rule_id])

    standing = [rule for rule in fired if stands(rule.id)]
    set_aside = [by_id[rid] for rid in by_id if not stands(rid)]
    return standing, set_aside


def resolve(question: str, fired: Sequence[Rule], *, member_id: str, on: date) -> Resolution:
    """Resolve ``fired`` (in rulebook order) to one answer, or raise Conflict/GapError."""
    standing, overridden = standing_rules(fired)
    if any(not r.fallback for r in standing):
        standing = [r for r in standing if not r.fallback]
    if not standing:
        raise GapError(
            member_id, question, on, tuple(r.id for r in fired),
            "no rule gives an answer" + (f" (fired but overridden: {', '.join(r.id for r in fired)})" if fired else ""),
        )
    outcomes = {r.outcome for r in standing}
    if len(outcomes) > 1:
        raise ConflictError(
            member_id, question, on, tuple(r.id for r in standing),
            "rules give different answers and none overrides the others: "
            + "; ".join(f"{r.id} says {r.outcome!r}" for r in standing),
        )
    # Set aside: the rules that would have answered otherwise; one that agrees changed nothing.
    differing = tuple(r for r in overridden if r.outcome not in outcomes)
    fired_ids = {r.id for r in fired}
    opposed = {target for r in fired for target in r.overrides if target in fired_ids}
    grounds = [r for r in standing if r.id not in opposed] or standing
    deciding = grounds[0]
    return Resolution(deciding, tuple(r for r in standing if r is not deciding), differing, tuple(grounds))


def agreed_data(
    question: str,
    given: Sequence[tuple[Rule, Mapping[str, V]]],
    combine: Mapping[str, Literal["earliest", "latest"] | None],
    *,
    member_id: str,
    on: date,
) -> tuple[Rule, dict[str, V]]:
    """The deciding rule and the answer's data, from each ground's data (``Resolution.grounds``,
    in order); ConflictError if they differ where the question does not combine them.

    ``combine`` is the question's ``concurring`` per datum (module docstring).
    """
    deciding = given[0][0]
    if len(given) == 1:
        return deciding, dict(given[0][1])
    data: dict[str, V] = {}
    for key in dict.fromkeys(k for _, values in given for k in values):
        values = [(rule, found[key]) for rule, found in given if key in found]
        way = combine.get(key)
        if way is not None:
            if len(values) < len(given):
                continue  # a reason without a date (never usable, not a member): the answer has none either
            data[key] = (min if way == "earliest" else max)(value for _, value in values)
            if deciding is given[0][0] and given[0][1].get(key) != data[key]:
                deciding = next(rule for rule, value in values if value == data[key])
        elif len(values) == len(given) and len({value for _, value in values}) == 1:
            data[key] = values[0][1]
        else:
            raise ConflictError(
                member_id, question, on, tuple(rule.id for rule, _ in given),
                f"rules agree on {given[0][0].outcome!r} but not on its {key!r}: "
                + "; ".join(f"{rule.id} says {_shown(found.get(key))}" for rule, found in given),
            )
    return deciding, data


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    return value.isoformat() if isinstance(value, date) else str(value)
