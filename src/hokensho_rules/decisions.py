"""What an evaluation returns: a Decision of one Verdict per question."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .calendar import WarekiError, format_wareki
from .flat import SITUATION, Scalar
from .privacy import shown
from .rulebook.schema import Condition, Rule

if TYPE_CHECKING:
    from .rulebook.book import Rulebook

__all__ = ["Decision", "Explanation", "Lang", "NotApplied", "Presentations", "Rows", "Verdict", "check_lang", "show_date"]


Lang = Literal["ja", "en"]
R = TypeVar("R")


def check_lang(lang: object) -> None:
    """Raise ``ValueError`` unless ``lang`` is one of the languages texts are written in."""
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {shown(lang)}")


def show_date(day: date, lang: Lang) -> str:
    """A date as a reader of ``lang`` writes it: 令和 in Japanese, ISO in English.

    A date before the first era of ``rules/eras.yaml`` has no wareki: it is shown in ISO
    form rather than failing the whole text it is part of.
    """
    if lang == "ja":
        try:
            return format_wareki(day)
        except WarekiError:
            return day.isoformat()
    return day.isoformat()


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
class Verdict:
    """The answer to one question: its outcome, the data it carries, and why."""

    question: str
    outcome: str
    data: Mapping[str, date | str]
    rule: Rule
    concurring: tuple[Rule, ...] = ()
    overridden: tuple[Rule, ...] = ()

    @property
    def rule_id(self) -> str:
        """Id of the deciding rule, e.g. ``"PC-3"``."""
        return self.rule.id

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (dates as ISO strings)."""
        return {
            "question": self.question,
            "outcome": self.outcome,
            "data": {k: v.isoformat() if isinstance(v, date) else v for k, v in self.data.items()},
            "rule_id": self.rule.id,
            "implements": list(self.rule.implements),
            "citation": {"source": self.rule.citation.source, "sections": list(self.rule.citation.sections)},
            "concurring": [r.id for r in self.concurring],
            "overridden": [r.id for r in self.overridden],
        }


@dataclass(frozen=True, slots=True)
class NotApplied:
    """A rule of the question that did not apply, and the first condition that failed."""

    rule: Rule
    failed: Condition


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a question got its answer: matched facts, overridden and non-applying rules."""

    verdict: Verdict
    matched: tuple[tuple[str, date | Scalar | None], ...]
    not_applied: tuple[NotApplied, ...]


@dataclass(frozen=True, slots=True)
class Presentations:
    """What a patient may show at one institution on one day, and what not (with why)."""

    accepted: tuple[Verdict, ...]
    refused: tuple[Verdict, ...]


_PickledVerdict = tuple[str, str, dict[str, "date | str"], str, tuple[str, ...], tuple[str, ...]]


def _rebuild_decision(
    member_id: str, on: date, verdicts: tuple[_PickledVerdict, ...], fact: dict[str, Scalar], rulebook: Rulebook
) -> Decision:
    """A pickled Decision again, its verdicts' rules taken from the (per-process) Rulebook."""
    rules = rulebook.rules
    return Decision(
        member_id, on,
        {q: Verdict(q, outcome, data, rules[rule], tuple(rules[r] for r in agree), tuple(rules[r] for r in over))
         for q, outcome, data, rule, agree, over in verdicts},
        fact, rulebook,
    )


@dataclass(frozen=True)
class Decision(Mapping[str, Verdict]):
    """Every question's verdict for one member on one date.

    Index it by question id (``decision["paper_card.usable"].outcome``); explanations
    are computed on demand from the same facts the engine saw.
    """

    member_id: str
    on: date
    verdicts: Mapping[str, Verdict]
    fact: Mapping[str, Scalar] = field(repr=False)
    rulebook: Rulebook = field(repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Verdicts travel as rule ids, not as copies of the rules: the Rulebook pickles
        # by reference (its packs and root) and the rules are looked up in it again.
        verdicts = tuple(
            (v.question, v.outcome, dict(v.data), v.rule.id, tuple(r.id for r in v.concurring),
             tuple(r.id for r in v.overridden))
            for v in self.verdicts.values()
        )
        return (_rebuild_decision, (self.member_id, self.on, verdicts, dict(self.fact), self.rulebook))

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
        questions = self.rulebook.questions
        shown = [v for q, v in self.verdicts.items() if questions[q].requires == SITUATION]
        if not shown:
            raise ValueError(
                f"member {self.member_id} on {self.on.isoformat()}: evaluate with situation=hr.Situation(...) "
                "to ask what an institution accepts"
            )
        return Presentations(
            tuple(v for v in shown if v.outcome == "accepted"),
            tuple(v for v in shown if v.outcome != "accepted"),
        )

    def explanation(self, question: str) -> Explanation:
        """The structured explanation of one question's verdict."""
        from .explain import explain_verdict

        return explain_verdict(self, self[question])

    def explain(self, lang: Lang = "ja") -> str:
        """The whole decision as text a member-services clerk can read."""
        from .explain import render_decision

        return render_decision(self, lang)

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

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(cell))}</td>"
                for cell in (
                    q,
                    v.outcome,
                    ", ".join(f"{k}={val}" for k, val in v.data.items()),
                    v.rule_id,
                    v.rule.title.en,
                )
            )
            + "</tr>"
            for q, v in self.verdicts.items()
        )
        return (
            f"<p>Member <b>{html.escape(self.member_id)}</b> on {self.on.isoformat()}</p>"
            "<table><tr><th>question</th><th>outcome</th><th>data</th><th>rule</th><th>title</th></tr>"
            f"{rows}</table>"
        )
