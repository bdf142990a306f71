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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any, Literal, TypeVar

from ..evaluation.evaluator import Evaluator
from ..evaluation.trace import Verdict
from ..facts.member import Member, membership
from ..facts.privacy import shown
from ..law.schema import Text

__all__ = ["Envelope", "LeftOut", "MailingLimits", "MailingPlan", "Parcel", "RouteCounts", "plan_mailing", "route_counts"]

# The question that assigns each member to a mailing (EN-1 … EN-4).
MAILING_QUESTION = "notice.mailing"
P = TypeVar("P", bound="MailingPlan")

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
            result[employer] = route_counts([e for p in packed for e in p.envelopes], packed)
        if self.direct:
            result[None] = route_counts(self.direct, ())
        return result

    def to_rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per envelope, with its number on its route and its parcel."""
        rows: list[dict[str, Any]] = []
        for employer, parcels in groupby(self.parcels, key=lambda p: p.employer):
            numbered = enumerate(((p, e) for p in parcels for e in p.envelopes), start=1)
            rows.extend(_row(e, n, p) for n, (p, e) in numbered)
        rows.extend(_row(e, n, None) for n, e in enumerate(self.direct, start=1))
        return rows

    def __repr__(self) -> str:
        return (
            f"MailingPlan({self.mailing!r}, on={self.on.isoformat()}, members={self.members}, "
            f"envelopes={len(self.envelopes)}, parcels={len(self.parcels)}, direct={len(self.direct)}, "
            f"left_out={len(self.left_out)})"
        )


def plan_mailing(
    members: Iterable[Member], evaluator: Evaluator, *, on: date, mailing: str = "initial", cls: type[P] = MailingPlan  # type: ignore[assignment]
) -> P:
    """Plan one mailing of the notices: envelopes for its members, packed per employer.

    ``mailing`` is an outcome of the question ``notice.mailing`` (``"initial"``,
    ``"later_batch"``, ``"on_enrolment"``); the plan holds exactly the members the
    rules assign to it on ``on`` and lists the others in ``left_out`` with their answer
    (ruling X-15). ``on`` is also the day whose parameters apply (usually the day the
    mailing leaves). See :func:`hokensho_rules.plan_mailing`.
    """
    day = _plan_day(on)
    law = evaluator.law
    outcomes = law.questions[MAILING_QUESTION].outcomes
    if mailing not in outcomes:
        raise ValueError(f"mailing must be one of {', '.join(outcomes)}, got {shown(mailing)}")
    limits = MailingLimits.from_params(law.params_on(day))
    mailed: list[Member] = []
    left_out: list[LeftOut] = []
    for member in membership(members):
        verdict = evaluator.trace(member, day, questions=(MAILING_QUESTION,)).verdicts[MAILING_QUESTION]
        if verdict.outcome == mailing:
            mailed.append(member)
        else:
            left_out.append(LeftOut(member.id, verdict))
    by_route = _envelopes_by_route(mailed, limits.household_envelope_max_members)
    employers = {route: envelopes for route, envelopes in by_route.items() if route is not None}
    parcels = tuple(p for employer in sorted(employers) for p in _parcels(employer, employers[employer], limits))
    left_out.sort(key=lambda row: row.member_id)
    return cls(day, mailing, limits, parcels, tuple(by_route.get(None, ())), tuple(left_out), outcomes)


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
        raise TypeError(f"parameter {name!r} must be a whole number, got {shown(value)}")
    if value < 1:
        raise ValueError(f"parameter {name!r} must be at least 1, got {value}")
    return value


def _text(params: Mapping[str, date | int | str], name: str) -> str:
    value = _param(params, name)
    if not isinstance(value, str):
        raise TypeError(f"parameter {name!r} must be a text, got {shown(value)}")
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

def route_counts(envelopes: Sequence[Envelope], parcels: Sequence[Parcel]) -> RouteCounts:
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
