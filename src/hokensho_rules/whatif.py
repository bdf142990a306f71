"""What-if: where two rulebooks (e.g. the seed alone and the rules in force) disagree.

Both sides are timelines, so the comparison is exact over the whole period and costs
one evaluation per change point, not one per day.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .decisions import Lang, Rows, Verdict, check_lang, show_date
from .facts import Member, membership
from .privacy import shown

if TYPE_CHECKING:
    from .rulebook.book import Rulebook
    from .timeline import Interval, Timeline

__all__ = ["Comparison", "Difference", "compare"]


@dataclass(frozen=True, slots=True)
class Difference:
    """Over ``start``..``end`` (inclusive) the two rulebooks answer ``question`` differently."""

    member_id: str
    question: str
    start: date
    end: date
    left: Verdict
    right: Verdict

    def to_dict(self) -> dict[str, Any]:
        """The difference as JSON-ready data."""
        return {
            "member_id": self.member_id,
            "question": self.question,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "left": {"outcome": self.left.outcome, "rule_id": self.left.rule_id},
            "right": {"outcome": self.right.outcome, "rule_id": self.right.rule_id},
        }


def _key(verdict: Verdict) -> tuple[str, str]:
    return verdict.outcome, verdict.rule_id


def _runs(left: Sequence[Interval], right: Sequence[Interval]) -> Iterator[tuple[date, date, Verdict, Verdict]]:
    """The pieces of the period on which neither side changes."""
    starts = sorted({run.start for run in (*left, *right)})
    ends = [later - timedelta(days=1) for later in starts[1:]] + [left[-1].end]
    i = j = 0
    for start, end in zip(starts, ends, strict=True):
        while left[i].end < start:
            i += 1
        while right[j].end < start:
            j += 1
        yield start, end, left[i].verdict, right[j].verdict


def differences(left: Timeline, right: Timeline) -> list[Difference]:
    """Where two timelines of one member disagree, merged over consecutive days.

    Only the questions both rulebooks ask are compared; a pack's own question has no
    counterpart to differ from.
    """
    found: list[Difference] = []
    for question in (q for q in left if q in right):
        for start, end, a, b in _runs(left[question], right[question]):
            if _key(a) == _key(b):
                continue
            last = found[-1] if found else None
            if (
                last is not None and last.question == question and last.end + timedelta(days=1) == start
                and _key(last.left) == _key(a) and _key(last.right) == _key(b)
            ):
                found[-1] = Difference(last.member_id, question, last.start, end, last.left, last.right)
            else:
                found.append(Difference(left.member_id, question, start, end, a, b))
    return found


@dataclass(frozen=True)
class Comparison(Rows[Difference]):
    """Every difference between two rulebooks for a membership over a period."""

    left: Rulebook
    right: Rulebook
    start: date
    end: date
    rows: tuple[Difference, ...]

    def render(self, lang: Lang = "ja") -> str:
        """The differences as text: when, which question, each side's answer and rule."""
        check_lang(lang)
        names = (_packs(self.left), _packs(self.right))
        if lang == "ja":
            head = f"{names[0]} と {names[1]} の違い（{show_date(self.start, lang)}〜{show_date(self.end, lang)}、{len(self)} 件）"
        else:
            head = f"{names[0]} vs {names[1]}, {show_date(self.start, lang)} to {show_date(self.end, lang)}: {len(self)} differences"
        return "\n".join([head, *(_line(self, row, lang) for row in self.rows)])

    def __repr__(self) -> str:
        return f"Comparison({_packs(self.left)} vs {_packs(self.right)}, {len(self.rows)} differences)"

    def _repr_html_(self) -> str:
        cells = ("member", "question", "from", "until", "left", "right")
        head = "".join(f"<th>{c}</th>" for c in cells)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                r.member_id, r.question, r.start, r.end,
                f"{r.left.outcome} ({r.left.rule_id})", f"{r.right.outcome} ({r.right.rule_id})",
            )) + "</tr>"
            for r in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _packs(book: Rulebook) -> str:
    return "+".join(book.packs)


def _line(comparison: Comparison, row: Difference, lang: Lang) -> str:
    question = comparison.right.questions[row.question]
    sides = [
        f"{getattr(book.questions[row.question].outcomes[v.outcome], lang)} [{v.rule_id}]"
        for book, v in ((comparison.left, row.left), (comparison.right, row.right))
    ]
    span = f"{show_date(row.start, lang)}〜{show_date(row.end, lang)}" if lang == "ja" else f"{row.start} to {row.end}"
    return f"{span} {row.member_id} {getattr(question.title, lang)}: {sides[0]} → {sides[1]}"


def compare(
    left: Rulebook, right: Rulebook, members: Member | Iterable[Member], start: date, end: date
) -> Comparison:
    """Which answers differ between ``left`` and ``right``, for whom, on which dates, and
    because of which rules (each side's deciding rule).

    ``members`` is one Member or an iterable of them; anything else is a TypeError, and
    a member id given twice a ValueError. ``start`` and ``end`` are dates, start first.
    """
    from .rulebook.book import Rulebook

    for name, book in (("left", left), ("right", right)):
        if not isinstance(book, Rulebook):
            raise TypeError(f"{name} must be a hokensho_rules.Rulebook, got {type(book).__name__}")
    # Checked here too, so that a bad period is an error even with no member to compare.
    for name, day in (("start", start), ("end", end)):
        if type(day) is not date:
            raise TypeError(f"{name} must be a datetime.date, got {shown(day)}")
    if start > end:
        raise ValueError(f"start must be on or before end, got start={start.isoformat()}, end={end.isoformat()}")
    people = [members] if isinstance(members, Member) else membership(members)
    rows = [d for m in people for d in differences(left.timeline(m, start, end), right.timeline(m, start, end))]
    return Comparison(left, right, start, end, tuple(rows))
