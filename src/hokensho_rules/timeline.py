"""Timelines: how each answer for a member changes over a period, and why.

An outcome can only change on a day some comparison with the evaluation date flips.
Every such comparison is against a date the rulebook names, a date among the
member's facts, or a datum an earlier question computed from them. So instead of
evaluating every day, a timeline evaluates the member on those change points only and
holds each answer constant in between. The tests check this against day-by-day
evaluation on generated members.
"""

from __future__ import annotations

import bisect
import html
import itertools
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .decisions import Decision, Lang, Verdict, check_lang, show_date
from .facts import Member
from .privacy import shown
from .rulebook.schema import FactRef, OutcomeDataRef, Rule

if TYPE_CHECKING:
    from .rulebook.book import Rulebook

__all__ = ["Change", "Interval", "Timeline", "build_timeline", "change_points", "rulebook_dates"]

# The fact that holds the evaluation date: the one input that moves from day to day.
DATE_FACT = "date"
_DAY = timedelta(days=1)


# --- change points --------------------------------------------------------------------


def _nodes(value: object) -> Iterator[object]:
    """``value`` and everything inside it: sub-models, items and field values, depth first."""
    yield value
    children: list[object]
    if isinstance(value, BaseModel):
        children = [getattr(value, name) for name in type(value).model_fields]
    elif isinstance(value, (tuple, list)):
        children = list(value)
    elif isinstance(value, dict):
        children = list(value.values())
    else:
        return
    for child in children:
        yield from _nodes(child)


def _dates_in(value: object) -> set[date]:
    return {node for node in _nodes(value) if isinstance(node, date)}


def _around(day: date) -> set[date]:
    """A threshold and the day after it: ``< d``/``>= d`` flip on d, ``<= d``/``> d`` on d + 1."""
    return {day, day + _DAY} if day < date.max else {day}


def _moving_data(rules: Mapping[str, Rule]) -> frozenset[tuple[str, str]]:
    """(rule id, datum) of every datum computed from the evaluation date.

    Such a datum (e.g. the validity a certificate would have if issued today) takes a
    new value every day, so its value names no change point. A datum is moving if its
    expression reads the date fact, or a moving datum of another question.
    """
    moving: set[tuple[str, str]] = set()
    grew = True
    while grew:
        questions = {(rules[rule_id].question, datum) for rule_id, datum in moving}
        before = len(moving)
        for rule in rules.values():
            moving.update((rule.id, datum) for datum, expr in rule.data.items() if _reads(expr, questions))
        grew = len(moving) > before
    return frozenset(moving)


def _reads(expr: object, moving_questions: set[tuple[str, str]]) -> bool:
    return any(
        (isinstance(node, FactRef) and node.fact == DATE_FACT)
        or (isinstance(node, OutcomeDataRef) and (node.outcome, node.data) in moving_questions)
        for node in _nodes(expr)
    )


def _unsupported(rules: Mapping[str, Rule], moving: frozenset[tuple[str, str]]) -> str | None:
    """Why no timeline can be computed with these rules, or None.

    A condition against a datum that moves daily could flip on any day: no finite set
    of change points would be exact, so timelines are refused rather than wrong.
    """
    questions = {(rules[rule_id].question, datum) for rule_id, datum in moving}
    for rule in rules.values():
        for node in _nodes(rule.when):
            if isinstance(node, OutcomeDataRef) and (node.outcome, node.data) in questions:
                return (
                    f"rule {rule.id} compares with {node.outcome}.{node.data}, which is computed from the "
                    "evaluation date: a timeline cannot find the days that comparison changes"
                )
    return None


@dataclass(frozen=True)
class _Analysis:
    """What a timeline needs from a rulebook, computed once per rulebook."""

    named: frozenset[date]
    moving: frozenset[tuple[str, str]]
    unsupported: str | None


_ANALYSES: weakref.WeakKeyDictionary[Rulebook, _Analysis] = weakref.WeakKeyDictionary()


def _analysis(book: Rulebook) -> _Analysis:
    found = _ANALYSES.get(book)
    if found is None:
        # A rule's in_force may name a parameter: every value and ``since`` date of every
        # parameter is included, so the name resolves whichever value is in force.
        named = _dates_in(tuple(book.parameters.values())) | _dates_in(tuple(book.rules.values()))
        moving = _moving_data(book.rules)
        found = _Analysis(frozenset(named), moving, _unsupported(book.rules, moving))
        _ANALYSES[book] = found
    return found


def rulebook_dates(book: Rulebook) -> frozenset[date]:
    """Every date the rulebook names: parameter values and ``since`` dates, dates written in rules."""
    return _analysis(book).named


def _derived_dates(decision: Decision, moving: frozenset[tuple[str, str]]) -> set[date]:
    """Dates among the decision's outcome data (validity ends…) that later conditions may compare with."""
    found: set[date] = set()
    for verdict in decision.values():
        for datum, value in verdict.data.items():
            if isinstance(value, date) and (verdict.rule_id, datum) not in moving:
                found |= _around(value)
    return found


def _decisions(book: Rulebook, member: Member, start: date, end: date) -> dict[date, Decision]:
    """The member's decision on every change point in [start, end].

    Outcome data can name new change points, and the decision on those can name more,
    so evaluation continues until no new point appears.
    """
    analysis = _analysis(book)
    if analysis.unsupported is not None:
        raise ValueError(analysis.unsupported)
    candidates = set().union(*(_around(d) for d in _dates_in(member) | analysis.named))
    pending = {start} | {d for d in candidates if start <= d <= end}
    decided: dict[date, Decision] = {}
    while pending:
        day = pending.pop()
        decision = decided[day] = book.evaluate(member, day)
        pending |= {d for d in _derived_dates(decision, analysis.moving) if start <= d <= end} - decided.keys()
    return decided


def change_points(book: Rulebook, member: Member, start: date, end: date) -> tuple[date, ...]:
    """The sorted days in [start, end] on which some outcome of ``member`` may change.

    ``start`` is always one. Between two consecutive points every answer stays the same.
    """
    _check_inputs(member, start, end)
    return tuple(sorted(_decisions(book, member, start, end)))


# --- the timeline -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """Days over which one question keeps the same outcome, decided by the same rule.

    ``end`` is inclusive; the last interval of a timeline ends on the timeline's end,
    though its answer may continue after it. ``verdict`` is the verdict on ``start``:
    data computed from the evaluation date (e.g. a validity if issued that day) are
    those of ``start``.
    """

    start: date
    end: date
    verdict: Verdict

    @property
    def question(self) -> str:
        """The question's id, e.g. ``"paper_card.usable"``."""
        return self.verdict.question

    @property
    def outcome(self) -> str:
        """The outcome on every day of the interval."""
        return self.verdict.outcome

    @property
    def rule_id(self) -> str:
        """The rule that decides the outcome on every day of the interval."""
        return self.verdict.rule_id

    @property
    def days(self) -> int:
        """Number of days in the interval."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        """The interval as JSON-ready data (dates as ISO strings)."""
        return {
            "question": self.question,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "outcome": self.outcome,
            "rule_id": self.rule_id,
            "data": self.verdict.to_dict()["data"],
        }


@dataclass(frozen=True, slots=True)
class Change:
    """On ``on``, a question's outcome or deciding rule changed from ``before`` to ``after``."""

    on: date
    question: str
    before: Verdict
    after: Verdict

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        return {
            "on": self.on.isoformat(),
            "question": self.question,
            "from": {"outcome": self.before.outcome, "rule_id": self.before.rule_id},
            "to": {"outcome": self.after.outcome, "rule_id": self.after.rule_id},
        }


@dataclass(frozen=True)
class Timeline(Mapping[str, tuple[Interval, ...]]):
    """Every question's answers for one member from ``start`` to ``end`` (both inclusive).

    Index it by question id to get that question's intervals, in date order, which
    cover the whole period. Build one with :meth:`Rulebook.timeline
    <hokensho_rules.Rulebook.timeline>`.
    """

    member_id: str
    start: date
    end: date
    intervals: Mapping[str, tuple[Interval, ...]]
    points: tuple[date, ...] = field(repr=False)
    rulebook: Rulebook = field(repr=False)

    def __getitem__(self, question: str) -> tuple[Interval, ...]:
        try:
            return self.intervals[question]
        except KeyError:
            raise KeyError(f"no question {shown(question)}; questions: {', '.join(self.intervals)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.intervals)

    def __len__(self) -> int:
        return len(self.intervals)

    def at(self, day: date) -> dict[str, Interval]:
        """Question id → the interval holding ``day``, which must lie within the timeline."""
        if type(day) is not date:
            raise TypeError(f"day must be a datetime.date, got {shown(day)}")
        if not self.start <= day <= self.end:
            raise ValueError(f"day {day.isoformat()} is outside the timeline {self.start}..{self.end}")
        found = {}
        for question, runs in self.intervals.items():
            index = bisect.bisect_right([run.start for run in runs], day) - 1
            found[question] = runs[index]
        return found

    def changes(self) -> tuple[Change, ...]:
        """Every change after ``start``, by date, then in the rulebook's order of questions."""
        found = [
            Change(later.start, question, earlier.verdict, later.verdict)
            for question, runs in self.intervals.items()
            for earlier, later in itertools.pairwise(runs)
        ]
        order = {question: i for i, question in enumerate(self.intervals)}
        return tuple(sorted(found, key=lambda c: (c.on, order[c.question])))

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data: intervals per question and the changes."""
        return {
            "member_id": self.member_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "intervals": {q: [run.to_dict() for run in runs] for q, runs in self.intervals.items()},
            "changes": [change.to_dict() for change in self.changes()],
        }

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat JSON-ready row per interval, for a table or a CSV file."""
        return [
            {
                "member_id": self.member_id,
                "question": question,
                "start": run.start.isoformat(),
                "end": run.end.isoformat(),
                "days": run.days,
                "outcome": run.outcome,
                "rule_id": run.rule_id,
            }
            for question, runs in self.intervals.items()
            for run in runs
        ]

    def render(self, lang: Lang = "ja") -> str:
        """What changes for the member, when and why, as text in ``"ja"`` or ``"en"``."""
        return _render(self, lang)

    def __repr__(self) -> str:
        return (
            f"Timeline(member={self.member_id!r}, {self.start.isoformat()}..{self.end.isoformat()}: "
            f"{len(self.changes())} changes in {len(self.intervals)} questions)"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row[k]))}</td>" for k in _HTML_COLUMNS) + "</tr>"
            for row in self.to_rows()
        )
        head = "".join(f"<th>{k}</th>" for k in _HTML_COLUMNS)
        return (
            f"<p>Member <b>{html.escape(self.member_id)}</b> from {self.start.isoformat()} "
            f"to {self.end.isoformat()}</p><table><tr>{head}</tr>{rows}</table>"
        )


_HTML_COLUMNS = ("question", "start", "end", "outcome", "rule_id")


def _check_inputs(member: Member, start: date, end: date) -> None:
    if not isinstance(member, Member):
        raise TypeError(f"member must be a hokensho_rules.Member, got {type(member).__name__}")
    for name, value in (("start", start), ("end", end)):
        # datetime is a date subclass, but its time of day means nothing to the rules.
        if type(value) is not date:
            raise TypeError(f"{name} must be a datetime.date, got {shown(value)}")
    if start > end:
        raise ValueError(f"start must be on or before end, got start={start.isoformat()}, end={end.isoformat()}")


def _runs(question: str, points: list[date], decisions: Mapping[date, Decision], end: date) -> tuple[Interval, ...]:
    """Consecutive points merged while the outcome and the deciding rule stay the same."""
    runs: list[Interval] = []
    for i, day in enumerate(points):
        last = points[i + 1] - _DAY if i + 1 < len(points) else end
        verdict = decisions[day][question]
        previous = runs[-1] if runs else None
        if previous is not None and (previous.outcome, previous.rule_id) == (verdict.outcome, verdict.rule_id):
            runs[-1] = replace(previous, end=last)
        else:
            runs.append(Interval(day, last, verdict))
    return tuple(runs)


def build_timeline(book: Rulebook, member: Member, start: date, end: date) -> Timeline:
    """The timeline of ``member`` from ``start`` to ``end``; see :meth:`Rulebook.timeline`."""
    _check_inputs(member, start, end)
    decisions = _decisions(book, member, start, end)
    points = sorted(decisions)
    # A timeline has no institution's counter: the questions that need one are not asked.
    asked = decisions[points[0]]
    intervals = {q: _runs(q, points, decisions, end) for q in book.questions if q in asked}
    return Timeline(member.id, start, end, MappingProxyType(intervals), tuple(points), book)


# --- text -------------------------------------------------------------------------------

_TEMPLATES = {
    "ja": {
        "header": "加入者 {member}：{start}から{end}までの変化",
        "initially": "{start}時点：",
        "state": "  ■ {title}：{outcome}（{why}）",
        "changes": "変化：",
        "no_changes": "変化：なし",
        "change": "  {on}　{title}：{shift}（{why}、前: {prior}）",
        "shift": "{before} → {after}",
        "unchanged": "{after}（変わらず）",
        "why": "{rule}「{title}」",
    },
    "en": {
        "header": "Member {member}: changes from {start} to {end}",
        "initially": "On {start}:",
        "state": "  ■ {title}: {outcome} ({why})",
        "changes": "Changes:",
        "no_changes": "Changes: none",
        "change": "  {on}  {title}: {shift} ({why}; before: {prior})",
        "shift": "{before} → {after}",
        "unchanged": "{after} (unchanged)",
        "why": '{rule} "{title}"',
    },
}


def _outcome(book: Rulebook, question: str, outcome: str, lang: Lang) -> str:
    return str(getattr(book.questions[question].outcomes[outcome], lang))


def _why(verdict: Verdict, lang: Lang) -> str:
    return _TEMPLATES[lang]["why"].format(rule=verdict.rule_id, title=getattr(verdict.rule.title, lang))


def _change_line(book: Rulebook, change: Change, lang: Lang) -> str:
    words, q = _TEMPLATES[lang], change.question
    before = _outcome(book, q, change.before.outcome, lang)
    after = _outcome(book, q, change.after.outcome, lang)
    # A change of rule alone still matters: the reason, and so the next change, differ.
    shift = words["unchanged" if before == after else "shift"].format(before=before, after=after)
    return words["change"].format(
        on=show_date(change.on, lang), title=getattr(book.questions[q].title, lang), shift=shift,
        why=_why(change.after, lang), prior=change.before.rule_id,
    )


def _render(timeline: Timeline, lang: Lang) -> str:
    check_lang(lang)
    book, words = timeline.rulebook, _TEMPLATES[lang]
    start = show_date(timeline.start, lang)
    lines = [
        words["header"].format(member=timeline.member_id, start=start, end=show_date(timeline.end, lang)),
        words["initially"].format(start=start),
    ]
    for question, runs in timeline.items():
        first = runs[0].verdict
        lines.append(words["state"].format(
            title=getattr(book.questions[question].title, lang),
            outcome=_outcome(book, question, first.outcome, lang), why=_why(first, lang),
        ))
    changes = timeline.changes()
    lines.append(words["changes" if changes else "no_changes"])
    lines.extend(_change_line(book, change, lang) for change in changes)
    return "\n".join(lines)
