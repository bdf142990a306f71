"""The impact of a rule change on a membership on one day: whom it changes, and what to do.

Two rulebooks (other packs, or the same packs with other parameter values) evaluate
every member on the same day (at the same counter, if a situation is given). For each
question: how many members get another outcome, from what to what; for the action list:
the rows the change adds and removes. A question only one side asks (a pack's own
question) is compared with "not asked" when a clerk sees it (a headline or counter question)
or it calls for an action; a pack's intermediate questions are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from ..evaluation.evaluator import Evaluator
from ..facts.member import Member, Situation, membership
from ..facts.privacy import shown
from ..law.packs import Law
from .actions import Action, actions_of
from .decisions import Decision, Rows

__all__ = ["NOT_ASKED", "Impact", "MemberChange", "QuestionImpact", "impact"]

NOT_ASKED = "(not asked)"

I = TypeVar("I", bound="Impact")


@dataclass(frozen=True, slots=True)
class MemberChange:
    """One member whose answer to ``question`` differs: each side's outcome and deciding rule."""

    member_id: str
    question: str
    before: str
    before_rule: str
    after: str
    after_rule: str

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data (a row of the members file)."""
        return {"member_id": self.member_id, "question": self.question, "before": self.before,
                "before_rule": self.before_rule, "after": self.after, "after_rule": self.after_rule}


@dataclass(frozen=True, slots=True)
class QuestionImpact:
    """For one question: how many members change, and how many go from each outcome to each other."""

    question: str
    members: int
    transitions: tuple[tuple[str, str, int], ...]


def _key(row: Action) -> tuple[str, str, str, date | None]:
    return row.member_id, row.need, row.title.en, row.due


@dataclass(frozen=True)
class Impact(Rows[MemberChange]):
    """What changes between ``before`` and ``after`` for a membership on ``on``.

    ``rows`` holds one :class:`MemberChange` per member and question that changed;
    ``added`` / ``removed`` the action-list rows only ``after`` / only ``before`` has
    (a row whose deadline moved is removed and added). ``members`` counts the members
    compared.
    """

    before: Law
    after: Law
    on: date
    situation: Situation | None
    members: int
    rows: tuple[MemberChange, ...]
    added: tuple[Action, ...]
    removed: tuple[Action, ...]

    def by_question(self) -> tuple[QuestionImpact, ...]:
        """Per question that changed for someone (in the rulebook's order): members and transitions."""
        order = list(dict.fromkeys((*self.after.questions, *self.before.questions)))
        found: dict[str, Counter[tuple[str, str]]] = {}
        members: dict[str, set[str]] = {}
        for row in self.rows:
            found.setdefault(row.question, Counter())[(row.before, row.after)] += 1
            members.setdefault(row.question, set()).add(row.member_id)
        return tuple(
            QuestionImpact(q, len(members[q]), tuple((a, b, n) for (a, b), n in found[q].most_common()))
            for q in order if q in found
        )

    @property
    def changed_members(self) -> tuple[str, ...]:
        """Every member with at least one changed answer or action row, sorted."""
        ids = {r.member_id for r in self.rows} | {a.member_id for a in (*self.added, *self.removed)}
        return tuple(sorted(ids))

    def __repr__(self) -> str:
        return (f"Impact(on={self.on.isoformat()}, members={self.members}, changed={len(self.changed_members)}, "
                f"actions +{len(self.added)} -{len(self.removed)})")


def _shown_alone(law: Law, question: str) -> bool:
    """Whether a question only one side asks is compared (with "not asked"): what a clerk
    sees (a headline, the counter's questions) or what calls for an action; not the
    intermediate answers a pack adds."""
    q = law.questions[question]
    return q.headline or q.requires is not None or any(o.action is not None for o in q.outcomes.values())


def _outcome(decision: Decision, question: str) -> tuple[str, str]:
    verdict = decision.verdicts.get(question)
    return (verdict.outcome, verdict.rule_id) if verdict is not None else (NOT_ASKED, "")


def impact(
    before: Evaluator, after: Evaluator, members: Iterable[Member], on: date, *,
    situation: Situation | None = None, cls: type[I] = Impact,  # type: ignore[assignment]
) -> I:
    """Evaluate every member under ``before`` and ``after`` on ``on`` and collect what differs.

    ``situation`` (a counter) asks the ``presentation.*`` questions too. Raises TypeError
    for a side that is no Rulebook or a day that is no date, ValueError for a member id
    given twice, and the rulebook's ConflictError / GapError for a member it cannot decide.
    """
    for name, book in (("before", before), ("after", after)):
        if not isinstance(book, Evaluator):
            raise TypeError(f"{name} must be a hokensho_rules.Rulebook, got {type(book).__name__}")
    if type(on) is not date:
        raise TypeError(f"on must be a datetime.date, got {shown(on)}")
    if situation is not None and not isinstance(situation, Situation):
        raise TypeError(f"situation must be a hokensho_rules.Situation, got {type(situation).__name__}")
    changes: list[MemberChange] = []
    added: list[Action] = []
    removed: list[Action] = []
    count = 0
    for member in membership(members):
        count += 1
        left = Decision.of(before.trace(member, on, situation=situation), before.law)
        right = Decision.of(after.trace(member, on, situation=situation), after.law)
        for question in dict.fromkeys((*right.verdicts, *left.verdicts)):
            if not (question in left.verdicts and question in right.verdicts) and not _shown_alone(
                    right.law if question in right.verdicts else left.law, question):
                continue
            (a, a_rule), (b, b_rule) = _outcome(left, question), _outcome(right, question)
            if a != b:
                changes.append(MemberChange(member.id, question, a, a_rule, b, b_rule))
        left_rows, right_rows = actions_of(left), actions_of(right)
        left_keys, right_keys = {_key(r) for r in left_rows}, {_key(r) for r in right_rows}
        added += [r for r in right_rows if _key(r) not in left_keys]
        removed += [r for r in left_rows if _key(r) not in right_keys]
    return cls(before.law, after.law, on, situation, count, tuple(changes), tuple(added), tuple(removed))
