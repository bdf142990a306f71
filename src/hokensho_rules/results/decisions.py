"""What an evaluation returns: a Decision of one Verdict per question, and why.

A Decision is a trace (``evaluation.trace``) with the law it was decided under: plain
data that carries everything its explanation needs, so neither the explanation nor
its text needs the Rulebook back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Self, TypeVar

from ..evaluation.trace import Trace, Verdict
from ..facts.privacy import shown
from ..facts.record import FACT_TYPES, SITUATION, Value, decode
from ..law.conditions import all_conditions, first_failing, referenced_keys
from ..law.packs import Law
from ..law.schema import Condition, Rule

__all__ = ["Decision", "Explanation", "NotApplied", "Presentations", "Rows", "Verdict", "decoded"]

R = TypeVar("R")


class Rows(Sequence[R]):
    """A read-only sequence of result rows (``self.rows``), each with a JSON form."""

    rows: tuple[R, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> R:  # type: ignore[override]
        return self.rows[index]

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def to_rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per row (e.g. for ``pandas.DataFrame``)."""
        return [row.to_dict() for row in self.rows]  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NotApplied:
    """A rule of the question that did not apply, and the first condition that failed."""

    rule: Rule
    failed: Condition


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a question got its answer: the facts the deciding rule matched (name → value,
    None when unknown), and every other rule of the question that did not apply."""

    verdict: Verdict
    matched: tuple[tuple[str, date | Value | None], ...]
    not_applied: tuple[NotApplied, ...]


# The outcomes of a presentation question under which the patient can be seen.
ACCEPTING = frozenset({"accepted", "may_accept"})

@dataclass(frozen=True, slots=True)
class Presentations:
    """What a patient may show at one institution on one day, and what not (with why)."""

    accepted: tuple[Verdict, ...]
    refused: tuple[Verdict, ...]


_PickledVerdict = tuple[str, str, dict[str, "date | str"], str, tuple[str, ...], tuple[str, ...]]


def _rebuild_decision(
    member_id: str, on: date, verdicts: tuple[_PickledVerdict, ...], record: dict[str, Value], law: Law, cls: type[Decision]
) -> Decision:
    """A pickled Decision again, its verdicts' rules taken from the (per-process) law."""
    rules = law.rules
    return cls(
        member_id, on,
        {q: Verdict(q, outcome, data, rules[rule], tuple(rules[r] for r in agree), tuple(rules[r] for r in over))
         for q, outcome, data, rule, agree, over in verdicts},
        record, law,
    )


def decoded(name: str, value: Value | None) -> date | Value | None:
    """A record's value of the fact (or outcome, or datum) ``name``, as the rules speak of it."""
    if value is None:
        return None
    # Outcomes and their data, the only other things read, hold texts or dates.
    return decode(value, FACT_TYPES[name].kind if name in FACT_TYPES else "date")


@dataclass(frozen=True)
class Decision(Mapping[str, Verdict]):
    """Every question's verdict for one member on one date.

    Index it by question id (``decision["paper_card.usable"].outcome``). ``record`` is
    what the engine saw; ``law`` is what the verdicts were decided under (titles,
    labels, citations). Explanations are computed on demand from the two.
    """

    member_id: str
    on: date
    verdicts: Mapping[str, Verdict]
    record: Mapping[str, Value] = field(repr=False)
    law: Law = field(repr=False)

    @classmethod
    def of(cls, trace: Trace, law: Law) -> Self:
        """The decision of one evaluation's trace."""
        return cls(trace.member_id, trace.on, trace.verdicts, trace.record, law)

    def __reduce__(self) -> tuple[Any, ...]:
        # Verdicts travel as rule ids, not as copies of the rules: the law pickles by
        # reference (its packs and root) and the rules are looked up in it again.
        verdicts = tuple(
            (v.question, v.outcome, dict(v.data), v.rule.id, tuple(r.id for r in v.concurring),
             tuple(r.id for r in v.overridden))
            for v in self.verdicts.values()
        )
        return (_rebuild_decision, (self.member_id, self.on, verdicts, dict(self.record), self.law, type(self)))

    def __getitem__(self, question: str) -> Verdict:
        try:
            return self.verdicts[question]
        except KeyError:
            raise KeyError(f"no question {shown(question)}; questions: {', '.join(self.verdicts)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def outcomes(self) -> dict[str, str]:
        """Question id → outcome."""
        return {q: v.outcome for q, v in self.verdicts.items()}

    def presentations(self) -> Presentations:
        """What the institution accepts, in the rulebook's order of preference, and what
        it refuses with the deciding rule as the reason.

        Needs a decision made with ``situation=``; raises ``ValueError`` otherwise.
        """
        questions = self.law.questions
        asked = [v for q, v in self.verdicts.items() if questions[q].requires == SITUATION]
        if not asked:
            raise ValueError(
                f"member {self.member_id} on {self.on.isoformat()}: evaluate with situation=hr.Situation(...) "
                "to ask what an institution accepts"
            )
        # "may_accept" (B-5: at the institution's discretion) is accepted too, in its own words.
        return Presentations(
            tuple(v for v in asked if v.outcome in ACCEPTING),
            tuple(v for v in asked if v.outcome not in ACCEPTING),
        )

    def explanation(self, question: str) -> Explanation:
        """Why ``question`` got its answer: the facts its deciding rule matched, and for
        every other rule of the question the first condition that failed.

        Conditions are evaluated in Python on the very record the engine saw; the tests
        check on generated members that the two agree rule by rule.
        """
        verdict = self[question]
        params = self.law.params_on(self.on)
        matched: dict[str, date | Value | None] = {}
        for condition in all_conditions(verdict.rule):
            for name, key in referenced_keys(condition):
                matched.setdefault(name, decoded(name, self.record.get(key)))
        others = [r for r in self.law.rules.values() if r.question == question and r is not verdict.rule]
        not_applied = tuple(
            NotApplied(rule, failed) for rule in others if (failed := first_failing(rule, self.record, params)) is not None
        )
        return Explanation(verdict, tuple(matched.items()), not_applied)

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data."""
        return {
            "member_id": self.member_id,
            "on": self.on.isoformat(),
            "verdicts": {q: v.to_dict() for q, v in self.verdicts.items()},
        }

    def __repr__(self) -> str:
        answers = ", ".join(f"{q}={v.outcome} [{v.rule_id}]" for q, v in self.verdicts.items())
        return f"Decision(member={self.member_id!r}, on={self.on.isoformat()}: {answers})"
