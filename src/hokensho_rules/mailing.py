"""The mailing plan of the eligibility notices (資格情報のお知らせ): envelopes and parcels.

ML-1 puts members into envelopes, ML-2 packs each employer's envelopes into parcels and
ML-3 says how they travel (the rule index, rules/seed/index.yaml; seed §2-1 and §2-2). The numbers, the box size and
the courier are parameters of ``rules/seed/mailing.yaml``; this module only applies them.

>>> from datetime import date
>>> import hokensho_rules as hr
>>> people = [hr.Member(id=f"M{i}", kind="insured", enrolled_on=date(2020, 4, 1), my_number_held=i > 0,
...                     employer="E1", household="H1") for i in range(3)]
>>> plan = hr.plan_mailing(people, on=date(2024, 10, 23), mailing="initial")
>>> plan.envelope_of("M2").member_ids, plan.parcels[0].packaging
(('M1', 'M2'), 'non_standard_envelope')
>>> plan.left_out[0].member_id, plan.left_out[0].verdict.outcome
('M0', 'none_my_number_not_held')

A plan holds exactly the members whom the rules' ``notice.mailing`` assigns to the
chosen mailing; the others are listed apart, each with the answer that left them out
(ruling X-15).
"""

from __future__ import annotations

import functools
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any, Literal

from .decisions import Lang, Verdict, check_lang
from .facts import Member, membership
from .privacy import shown
from .rulebook.book import Rulebook
from .rulebook.schema import Text

__all__ = ["Envelope", "LeftOut", "MailingLimits", "MailingPlan", "Parcel", "RouteCounts", "plan_mailing"]

# The question that assigns each member to a mailing (EN-1 … EN-4).
MAILING_QUESTION = "notice.mailing"

EnvelopeKind = Literal["household", "individual"]
Packaging = Literal["non_standard_envelope", "box"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """One envelope (通) of notices (ML-1).

    ``route`` is the employer it travels through, or None when the insurer mails it
    directly. ``kind`` is ``"household"`` when the whole household (for this route)
    shares it, ``"individual"`` when the household was too large and each member has
    their own. ``household`` is None for a member with no household recorded.
    """

    route: str | None
    household: str | None
    member_ids: tuple[str, ...]
    kind: EnvelopeKind

    @property
    def direct(self) -> bool:
        """Whether the insurer mails it to the member directly (not via an employer)."""
        return self.route is None


@dataclass(frozen=True, slots=True)
class Parcel:
    """What one employer receives: a non-standard envelope or one of its boxes (ML-2, ML-3).

    ``index`` counts from 1 to ``of``, the number of parcels sent to this employer.
    """

    employer: str
    packaging: Packaging
    envelopes: tuple[Envelope, ...]
    index: int
    of: int
    carrier: str

    @property
    def members(self) -> int:
        """Number of members whose notices are inside."""
        return sum(len(e.member_ids) for e in self.envelopes)


@dataclass(frozen=True, slots=True)
class MailingLimits:
    """The mailing parameters in force on the plan's date (``rules/seed/mailing.yaml``)."""

    household_envelope_max_members: int
    parcel_envelope_max: int
    box_capacity: int
    box_dimensions_mm: str
    courier: str

    @classmethod
    def from_params(cls, params: Mapping[str, date | int | str]) -> MailingLimits:
        """Read and check the parameters: ValueError if one is missing or out of range, TypeError if mistyped."""
        return cls(
            household_envelope_max_members=_count(params, "household_envelope_max_members"),
            parcel_envelope_max=_count(params, "parcel_envelope_max"),
            box_capacity=_count(params, "box_capacity"),
            box_dimensions_mm=_text(params, "box_dimensions_mm"),
            courier=_text(params, "notice_courier"),
        )


@dataclass(frozen=True, slots=True)
class RouteCounts:
    """Totals of one route: an employer, or direct mail (no parcels)."""

    members: int
    envelopes: int
    household_envelopes: int
    individual_envelopes: int
    non_standard_envelopes: int
    boxes: int


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A member given to the plan but not in its mailing, and the answer that says why."""

    member_id: str
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        """The member, the mailing the rules assign them to and the deciding rule."""
        return {"member_id": self.member_id, "mailing": self.verdict.outcome, "rule_id": self.verdict.rule_id}


@dataclass(frozen=True)
class MailingPlan:
    """Every envelope of one mailing, packed per employer, plus those mailed directly.

    ``mailing`` is the outcome of ``notice.mailing`` planned (e.g. ``"initial"``);
    ``left_out`` lists, by member id, the members the rules assign elsewhere.
    ``parcels`` are ordered by employer then index; envelopes everywhere by household
    (named households first, then members without one) then member id.
    """

    on: date
    mailing: str
    limits: MailingLimits
    parcels: tuple[Parcel, ...]
    direct: tuple[Envelope, ...]
    left_out: tuple[LeftOut, ...] = ()
    labels: Mapping[str, Text] = field(default_factory=dict, repr=False, compare=False)

    @property
    def envelopes(self) -> tuple[Envelope, ...]:
        """All envelopes: those in parcels, in parcel order, then the direct ones."""
        return (*(e for p in self.parcels for e in p.envelopes), *self.direct)

    @property
    def members(self) -> int:
        """Number of members mailed."""
        return len(self._by_member)

    @functools.cached_property
    def _by_member(self) -> dict[str, Envelope]:
        return {member_id: e for e in self.envelopes for member_id in e.member_ids}

    def envelope_of(self, member_id: str) -> Envelope:
        """The envelope holding ``member_id``'s notice; KeyError if the member is not mailed."""
        try:
            return self._by_member[member_id]
        except KeyError:
            raise KeyError(f"member {shown(member_id)} is not in this mailing plan") from None

    def counts(self) -> dict[str | None, RouteCounts]:
        """Totals per employer id, and under None for direct mail (if any)."""
        result: dict[str | None, RouteCounts] = {}
        for employer, parcels in groupby(self.parcels, key=lambda p: p.employer):
            packed = tuple(parcels)
            result[employer] = _route_counts([e for p in packed for e in p.envelopes], packed)
        if self.direct:
            result[None] = _route_counts(self.direct, ())
        return result

    def to_rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per envelope, with its number on its route and its parcel."""
        rows: list[dict[str, Any]] = []
        for employer, parcels in groupby(self.parcels, key=lambda p: p.employer):
            numbered = enumerate(((p, e) for p in parcels for e in p.envelopes), start=1)
            rows.extend(_row(e, n, p) for n, (p, e) in numbered)
        rows.extend(_row(e, n, None) for n, e in enumerate(self.direct, start=1))
        return rows

    def render(self, lang: Lang = "ja") -> str:
        """A text summary: totals, the rules applied, and one line per employer."""
        check_lang(lang)
        return "\n".join(_render_lines(self, lang))

    def __repr__(self) -> str:
        return (
            f"MailingPlan({self.mailing!r}, on={self.on.isoformat()}, members={self.members}, "
            f"envelopes={len(self.envelopes)}, parcels={len(self.parcels)}, direct={len(self.direct)}, "
            f"left_out={len(self.left_out)})"
        )

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("route", *RouteCounts.__slots__))
        body = "".join(
            f"<tr><td>{html.escape(route if route is not None else '(direct)')}</td>"
            + "".join(f"<td>{getattr(c, f)}</td>" for f in RouteCounts.__slots__)
            + "</tr>"
            for route, c in self.counts().items()
        )
        return f"<p>{html.escape(repr(self))}</p><table><tr>{head}</tr>{body}</table>"


def plan_mailing(
    members: Iterable[Member], rulebook: Rulebook | None = None, *, on: date, mailing: str = "initial"
) -> MailingPlan:
    """Plan one mailing of the notices: envelopes for its members, packed per employer.

    ``mailing`` is an outcome of the question ``notice.mailing`` (``"initial"``,
    ``"later_batch"``, ``"on_enrolment"``); the plan holds exactly the members the
    rules assign to it on ``on`` and lists the others in ``left_out`` with their answer.
    ``on`` is also the day whose parameters apply (usually the day the mailing leaves);
    it is required so that a plan never depends on the clock. ``rulebook`` defaults to
    ``Rulebook.load()``.

    Route: the member's employer, or direct mail from the insurer for a voluntary
    continuation insured or a member with no employer (ML-3). Members sharing a route
    and a household share an envelope when they are at most
    ``household_envelope_max_members``, else each gets one (ML-1); a member with no
    household is a household of one. An employer's envelopes go in one non-standard
    envelope when at most ``parcel_envelope_max``, else in boxes of ``box_capacity``
    filled in order (ML-2).

    Raises TypeError for anything that is not a Member, ValueError naming a member id
    given twice or a ``mailing`` that is no outcome of ``notice.mailing``.
    """
    day = _plan_day(on)
    if rulebook is not None and not isinstance(rulebook, Rulebook):
        raise TypeError(f"rulebook must be a hokensho_rules.Rulebook or None, got {type(rulebook).__name__}")
    book = rulebook if rulebook is not None else Rulebook.load()
    outcomes = book.questions[MAILING_QUESTION].outcomes
    if mailing not in outcomes:
        raise ValueError(f"mailing must be one of {', '.join(outcomes)}, got {mailing!r}")
    limits = MailingLimits.from_params(book.params_on(day))
    mailed: list[Member] = []
    left_out: list[LeftOut] = []
    for member in membership(members):
        verdict = book.evaluate(member, day, questions=(MAILING_QUESTION,))[MAILING_QUESTION]
        if verdict.outcome == mailing:
            mailed.append(member)
        else:
            left_out.append(LeftOut(member.id, verdict))
    by_route = _envelopes_by_route(mailed, limits.household_envelope_max_members)
    employers = {route: envelopes for route, envelopes in by_route.items() if route is not None}
    parcels = tuple(p for employer in sorted(employers) for p in _parcels(employer, employers[employer], limits))
    left_out.sort(key=lambda row: row.member_id)
    return MailingPlan(day, mailing, limits, parcels, tuple(by_route.get(None, ())), tuple(left_out), outcomes)


# --- input ------------------------------------------------------------------------

def _plan_day(on: date) -> date:
    # datetime is a date subclass; a timestamp would silently pick a day in some zone.
    if type(on) is not date:
        raise TypeError(f"on must be a datetime.date, got {shown(on)}")
    return on


def _count(params: Mapping[str, date | int | str], name: str) -> int:
    value = _param(params, name)
    # bool is an int subclass; `true` in YAML is not a count.
    if type(value) is not int:
        raise TypeError(f"parameter {name!r} must be a whole number, got {value!r}")
    if value < 1:
        raise ValueError(f"parameter {name!r} must be at least 1, got {value}")
    return value


def _text(params: Mapping[str, date | int | str], name: str) -> str:
    value = _param(params, name)
    if not isinstance(value, str):
        raise TypeError(f"parameter {name!r} must be a text, got {value!r}")
    return value


def _param(params: Mapping[str, date | int | str], name: str) -> date | int | str:
    if name not in params:
        raise ValueError(f"the rulebook has no parameter {name!r} (defined in rules/seed/mailing.yaml)")
    return params[name]


# --- ML-1: envelopes --------------------------------------------------------------

_GroupKey = tuple[str | None, str | None, str | None]  # route, household, the member id if no household


def _route(member: Member) -> str | None:
    return None if member.voluntary_continuation else member.employer


def _envelopes_by_route(members: Sequence[Member], max_members: int) -> dict[str | None, list[Envelope]]:
    groups: dict[_GroupKey, list[str]] = defaultdict(list)
    for m in members:
        groups[(_route(m), m.household, None if m.household is not None else m.id)].append(m.id)
    by_route: dict[str | None, list[Envelope]] = defaultdict(list)
    for key in sorted(groups, key=_group_order):
        route, household, _ = key
        by_route[route].extend(_household_envelopes(route, household, sorted(groups[key]), max_members))
    return by_route


def _group_order(key: _GroupKey) -> tuple[bool, str]:
    _, household, solo = key
    return (household is None, household if household is not None else str(solo))


def _household_envelopes(
    route: str | None, household: str | None, member_ids: list[str], max_members: int
) -> list[Envelope]:
    if len(member_ids) <= max_members:
        return [Envelope(route, household, tuple(member_ids), "household")]
    return [Envelope(route, household, (member_id,), "individual") for member_id in member_ids]


# --- ML-2: parcels ----------------------------------------------------------------

def _parcels(employer: str, envelopes: list[Envelope], limits: MailingLimits) -> list[Parcel]:
    packaging: Packaging
    if len(envelopes) <= limits.parcel_envelope_max:
        packaging, batches = "non_standard_envelope", [envelopes]
    else:
        size = limits.box_capacity
        packaging, batches = "box", [envelopes[i : i + size] for i in range(0, len(envelopes), size)]
    return [
        Parcel(employer, packaging, tuple(batch), index, len(batches), limits.courier)
        for index, batch in enumerate(batches, start=1)
    ]


# --- output -----------------------------------------------------------------------

def _route_counts(envelopes: Sequence[Envelope], parcels: Sequence[Parcel]) -> RouteCounts:
    household = sum(1 for e in envelopes if e.kind == "household")
    boxes = sum(1 for p in parcels if p.packaging == "box")
    return RouteCounts(
        members=sum(len(e.member_ids) for e in envelopes),
        envelopes=len(envelopes),
        household_envelopes=household,
        individual_envelopes=len(envelopes) - household,
        non_standard_envelopes=len(parcels) - boxes,
        boxes=boxes,
    )


def _row(envelope: Envelope, number: int, parcel: Parcel | None) -> dict[str, Any]:
    return {
        "route": envelope.route,
        "direct": envelope.direct,
        "envelope": number,
        "household": envelope.household,
        "kind": envelope.kind,
        "member_ids": list(envelope.member_ids),
        "members": len(envelope.member_ids),
        "packaging": parcel.packaging if parcel else None,
        "parcel": parcel.index if parcel else None,
        "parcels": parcel.of if parcel else None,
        "carrier": parcel.carrier if parcel else None,
    }


_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "資格情報のお知らせ 送付計画：{mailing}（{on} 時点の規定）",
        "left_out": "この便の対象外 {n:,} 人：{reasons}",
        "totals": "加入者 {members:,} 人・封筒 {envelopes:,} 通（世帯 {household:,} 通・個人 {individual:,} 通）",
        "ml1": "ML-1: {max} 人までの世帯は 1 通にまとめ、{over} 人以上の世帯は全員個人ごとに封入",
        "ml2": "ML-2: 事業所ごとに {parcel_max} 通までは定形外封筒、{over} 通以上は段ボール箱"
        "（{box_mm} mm、1 箱 {box} 通まで）",
        "ml3": "ML-3: 事業所経由、発送業者 {courier}",
        "employers": "事業所経由 {n:,} 事業所: 定形外封筒 {non_standard:,}・段ボール箱 {boxes:,}",
        "employer": "  {employer}: 加入者 {members:,} 人・封筒 {envelopes:,} 通 → {packing}",
        "non_standard_envelope": "定形外封筒 1",
        "box": "段ボール箱 {n}（{sizes} 通）",
        "direct": "組合から本人へ直接送付（任意継続被保険者・事業所のない加入者、ML-3）: "
        "加入者 {members:,} 人・封筒 {envelopes:,} 通",
    },
    "en": {
        "title": "Mailing plan of the eligibility notices: {mailing} (rules in force on {on})",
        "left_out": "Not in this mailing: {n:,} members: {reasons}",
        "totals": "{members:,} members, {envelopes:,} envelopes ({household:,} household, {individual:,} individual)",
        "ml1": "ML-1: a household of up to {max} shares one envelope; from {over} members each gets their own",
        "ml2": "ML-2: per employer, up to {parcel_max} envelopes in one non-standard envelope, "
        "from {over} in cardboard boxes ({box_mm} mm, up to {box} each)",
        "ml3": "ML-3: through the employer, by the courier {courier}",
        "employers": "Through employers: {n:,}; non-standard envelopes: {non_standard:,}, boxes: {boxes:,}",
        "employer": "  {employer}: {members:,} members, {envelopes:,} envelopes → {packing}",
        "non_standard_envelope": "one non-standard envelope",
        "box": "boxes: {n} ({sizes} envelopes)",
        "direct": "Mailed directly by the insurer (voluntary continuation insured, members without "
        "an employer; ML-3): {members:,} members, {envelopes:,} envelopes",
    },
}


def _render_lines(plan: MailingPlan, lang: Lang) -> list[str]:
    text, limits, counts = _TEXT[lang], plan.limits, plan.counts()
    employers = {k: c for k, c in counts.items() if k is not None}
    everyone = _route_counts(plan.envelopes, plan.parcels)
    lines = [
        text["title"].format(on=plan.on.isoformat(), mailing=_outcome_label(plan, plan.mailing, lang)),
        text["totals"].format(
            members=everyone.members, envelopes=everyone.envelopes,
            household=everyone.household_envelopes, individual=everyone.individual_envelopes,
        ),
        text["ml1"].format(max=limits.household_envelope_max_members, over=limits.household_envelope_max_members + 1),
        text["ml2"].format(
            parcel_max=limits.parcel_envelope_max, over=limits.parcel_envelope_max + 1,
            box_mm=limits.box_dimensions_mm, box=limits.box_capacity,
        ),
        text["ml3"].format(courier=limits.courier),
        text["employers"].format(n=len(employers), non_standard=everyone.non_standard_envelopes, boxes=everyone.boxes),
    ]
    for employer, parcels in groupby(plan.parcels, key=lambda p: p.employer):
        c = employers[employer]
        packing = _packing(text, tuple(parcels))
        lines.append(text["employer"].format(employer=employer, members=c.members, envelopes=c.envelopes, packing=packing))
    if None in counts:
        lines.append(text["direct"].format(members=counts[None].members, envelopes=counts[None].envelopes))
    if plan.left_out:
        reasons = Counter(row.verdict.outcome for row in plan.left_out)
        shown = ", ".join(f"{_outcome_label(plan, outcome, lang)} {n:,}" for outcome, n in reasons.most_common())
        lines.append(text["left_out"].format(n=len(plan.left_out), reasons=shown))
    return lines


def _outcome_label(plan: MailingPlan, outcome: str, lang: Lang) -> str:
    label = plan.labels.get(outcome)
    return outcome if label is None else str(getattr(label, lang))


def _packing(text: Mapping[str, str], parcels: Sequence[Parcel]) -> str:
    if parcels[0].packaging == "non_standard_envelope":
        return text["non_standard_envelope"]
    return text["box"].format(n=len(parcels), sizes=" + ".join(str(len(p.envelopes)) for p in parcels))
