"""Generated members and memberships: a member's whole history, and households,
employers and dependants as an insurer holds them.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypeAlias

from ..facts.member import Member, Requests
from ..facts.privacy import shown
from .documents import _abroad, _certificates, _my_number_cards, _paper_cards
from ..rulebook.book import Rulebook
from .world import (
    MY_NUMBER_CARDS_FROM,
    ONLINE_VERIFICATION_FROM,
    _check_date,
    _days,
    _maybe,
    _near,
    _often,
    _rarely,
    _world,
    _World,
)

__all__ = ["members", "memberships"]

Kind: TypeAlias = Literal["insured", "dependant"]
_KINDS: tuple[Kind, ...] = ("insured", "dependant")

# Generated enrolments leave this much of the window after them, for the story to go on.
_ENROLMENT_MARGIN = timedelta(days=730)
_EMPLOYERS: st.SearchStrategy[str | None] = st.sampled_from(["E1", "E2", None])
_HOUSEHOLDS: st.SearchStrategy[str | None] = st.sampled_from(["H1", "H2", None])


# --- members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What the caller fixed about a member (None: either)."""

    kind: Kind | None = None
    eligible_on: date | None = None
    paper_card: bool | None = None
    my_number_card: bool | None = None
    certificate: bool | None = None
    voluntary_continuation: bool | None = None
    employer: st.SearchStrategy[str | None] = _EMPLOYERS
    household: st.SearchStrategy[str | None] = _HOUSEHOLDS
    # A dependant: enrolled no earlier than the insured, and leaving no later.
    enrolled_from: date | None = None
    leaves_by: date | None = None


def _as_strategy(value: object, name: str) -> st.SearchStrategy[str | None]:
    if isinstance(value, st.SearchStrategy):
        return value
    if value is None or isinstance(value, str):
        return st.just(value)
    raise InvalidArgument(f"{name} must be a str, None or a strategy of them, got {shown(value)}")


def _spec(
    world: _World,
    *,
    kind: Kind | None,
    eligible_on: date | None,
    paper_card: bool | None,
    my_number_card: bool | None,
    certificate: bool | None,
    voluntary_continuation: bool | None,
    employer: str | None | st.SearchStrategy[str | None],
    household: str | None | st.SearchStrategy[str | None],
) -> _Spec:
    """The caller's choices, checked against each other and against the window and the law."""
    if kind is not None and kind not in _KINDS:
        raise InvalidArgument(f"kind must be 'insured', 'dependant' or None (either), got {shown(kind)}")
    for name, flag in (("paper_card", paper_card), ("my_number_card", my_number_card),
                       ("certificate", certificate), ("voluntary_continuation", voluntary_continuation)):
        if flag is not None and not isinstance(flag, bool):
            raise InvalidArgument(f"{name} must be True, False or None (either), got {shown(flag)}")
    if eligible_on is not None:
        _check_date("eligible_on", eligible_on)
        if not world.start <= eligible_on <= world.end:
            raise InvalidArgument(
                f"eligible_on={eligible_on.isoformat()} must be within the window "
                f"{world.start.isoformat()} to {world.end.isoformat()}"
            )
    if voluntary_continuation and kind == "dependant":
        raise InvalidArgument("voluntary_continuation=True needs kind='insured' (or None): a dependant cannot be")
    if voluntary_continuation and isinstance(employer, str):
        raise InvalidArgument("voluntary_continuation=True with an employer: a voluntary continuation insured has none")
    if paper_card and world.start > world.last_paper_card_issue:
        raise InvalidArgument(
            f"paper_card=True, but no paper card was issued from {world.abolished} (paper_card_abolished_on) "
            f"and the window starts {world.start.isoformat()}"
        )
    if certificate and world.certificates_from > world.end:
        raise InvalidArgument(
            f"certificate=True, but no certificate exists before {world.abolished} (paper_card_abolished_on) "
            f"and the window ends {world.end.isoformat()}"
        )
    if my_number_card and world.end < MY_NUMBER_CARDS_FROM:
        raise InvalidArgument(
            f"my_number_card=True, but the cards were first issued {MY_NUMBER_CARDS_FROM.isoformat()} "
            f"and the window ends {world.end.isoformat()}"
        )
    if isinstance(employer, str) and voluntary_continuation is None:
        voluntary_continuation = False  # a member with an employer is not on voluntary continuation
    return _Spec(
        kind=kind,
        eligible_on=eligible_on,
        paper_card=paper_card,
        my_number_card=my_number_card,
        certificate=certificate,
        voluntary_continuation=voluntary_continuation,
        employer=_as_strategy(employer, "employer"),
        household=_as_strategy(household, "household"),
    )


@st.composite
def _member(draw: st.DrawFn, world: _World, spec: _Spec, member_id: str) -> Member:
    """One member within ``world`` as ``spec`` fixes it."""
    voluntary = spec.voluntary_continuation
    kind: Kind
    if spec.kind is not None:
        kind = spec.kind
    else:
        kind = "insured" if voluntary else draw(st.sampled_from(_KINDS))
    first = max(world.start, spec.enrolled_from or world.start)
    last = spec.eligible_on or max(first, world.end - _ENROLMENT_MARGIN)
    if spec.leaves_by is not None:
        last = min(last, spec.leaves_by - timedelta(days=1))
    enrolled_on = draw(st.one_of(st.dates(first, last), _near(world, first, last=last)))
    if voluntary is None:
        voluntary = kind == "insured" and draw(st.booleans())
    my_number_held = draw(st.booleans())
    certificate = None
    if spec.certificate is not False and world.certificates_from <= world.end:
        certificate = (draw(_certificates(world, enrolled_on)) if spec.certificate
                       else _maybe(draw, _certificates(world, enrolled_on)))
    # Loss dates often fall near the certificate's days and the law's, where mistakes hide.
    anchors = () if certificate is None else tuple(d for d in (certificate.issued_on, certificate.takes_effect_on) if d)
    first_loss = enrolled_on + timedelta(days=1)
    if spec.eligible_on is not None:
        first_loss = max(first_loss, spec.eligible_on + timedelta(days=1))
    if spec.leaves_by is not None:
        # A dependant leaves with the insured, or before.
        loss_on: date | None = draw(st.one_of(st.just(spec.leaves_by), _days(first_loss, spec.leaves_by)))
    else:
        loss_on = _maybe(draw, _near(world, first_loss, anchors)) if first_loss <= world.end else None
    first_insurer_registration = max(ONLINE_VERIFICATION_FROM, world.start, enrolled_on - timedelta(days=60))
    insurer_registered_on = None
    if my_number_held and first_insurer_registration <= world.end:
        insurer_registered_on = _often(draw, _days(first_insurer_registration, world.end))
    employer = None if voluntary else draw(spec.employer)
    paper_card = None
    if spec.paper_card is not False:
        paper_card = draw(_paper_cards(world, enrolled_on, spec.paper_card))
    my_number_card = None
    if spec.my_number_card is not False and world.end >= MY_NUMBER_CARDS_FROM:
        cards = _my_number_cards(world, enrolled_on)
        my_number_card = draw(cards) if spec.my_number_card else _often(draw, cards)
    notified_from = max(world.start, enrolled_on - timedelta(days=30))
    return Member(
        id=member_id,
        kind=kind,
        enrolled_on=enrolled_on,
        loss_on=loss_on,
        voluntary_continuation=voluntary,
        my_number_held=my_number_held,
        insurer_registered_on=insurer_registered_on,
        employer=employer,
        household=draw(spec.household),
        details_changed_on=_rarely(draw, _near(world, enrolled_on)),
        paper_card=paper_card,
        my_number_card=my_number_card,
        certificate=certificate,
        requests=Requests(
            certificate_on_enrolment_form=draw(st.booleans()),
            certificate_for_circumstances_on=_maybe(draw, _days(enrolled_on, world.end)),
        ),
        enrolment_notified_on=_maybe(draw, _days(notified_from, min(world.end, enrolled_on + timedelta(days=30)))),
        notice_sent_on=_maybe(draw, _days(enrolled_on, world.end, span=2000)),
        abroad=_maybe(draw, _abroad(world, enrolled_on)),
    )


def members(
    member_id: str | st.SearchStrategy[str] = "M1",
    *,
    kind: Kind | None = None,
    start: date | None = None,
    end: date | None = None,
    eligible_on: date | None = None,
    paper_card: bool | None = None,
    my_number_card: bool | None = None,
    certificate: bool | None = None,
    voluntary_continuation: bool | None = None,
    employer: str | None | st.SearchStrategy[str | None] = _EMPLOYERS,
    household: str | None | st.SearchStrategy[str | None] = _HOUSEHOLDS,
    rulebook: Rulebook | None = None,
) -> st.SearchStrategy[Member]:
    """Members the models accept, with histories that could happen, spread around the transition.

    - ``member_id``: the id, or a strategy of ids (default ``"M1"``).
    - ``kind``: ``"insured"``, ``"dependant"`` or None (either).
    - ``start``, ``end``: every date of the member's history falls in this window
      (default 2014-01-01 to 2034-12-31).
    - ``eligible_on``: the member is eligible on that day (enrolled on or before it, and
      the loss date, if any, after it).
    - ``paper_card``, ``my_number_card``, ``certificate``: True (holds one), False
      (holds none) or None (either).
    - ``voluntary_continuation``: True, False or None (either, for an insured).
    - ``employer``, ``household``: an id, None, or a strategy of them.
    - ``rulebook``: whose legal dates bound the history (default: the shipped one).

    A paper card is issued before ``paper_card_abolished_on`` and a certificate from it;
    a My Number card's dates are from 2016, its insurance-use registration and the
    insurer's registration from October 2021 (see the module's constants). A
    ``hypothesis.errors.InvalidArgument`` says when the choices cannot be met together.

    >>> from datetime import date
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(members(kind="dependant", eligible_on=date(2025, 12, 2), certificate=True))
    ... def test(member):
    ...     assert member.kind == "dependant" and member.certificate is not None
    ...     assert member.enrolled_on <= date(2025, 12, 2) and (member.loss_on or date.max) > date(2025, 12, 2)
    ...     assert member.certificate.issued_on >= date(2024, 12, 2)
    >>> test()
    """
    world = _world(rulebook, start, end)
    spec = _spec(
        world, kind=kind, eligible_on=eligible_on, paper_card=paper_card, my_number_card=my_number_card,
        certificate=certificate, voluntary_continuation=voluntary_continuation, employer=employer, household=household,
    )
    if isinstance(member_id, str):
        return _member(world, spec, member_id)
    if not isinstance(member_id, st.SearchStrategy):
        raise InvalidArgument(f"member_id must be a str or a strategy of them, got {shown(member_id)}")
    return member_id.flatmap(lambda one: _member(world, spec, one))


# --- memberships ------------------------------------------------------------------------------


@st.composite
def _memberships(
    draw: st.DrawFn, world: _World, spec: _Spec, min_size: int, max_size: int, large_employer: bool, id_prefix: str
) -> list[Member]:
    limit = world.household_envelope_max
    size = draw(st.integers(min_size, max_size))
    employers = [f"E{i}" for i in range(1, draw(st.integers(1, 4)) + 1)]
    people: list[Member] = []

    def next_id() -> str:
        return f"{id_prefix}{len(people) + 1:04d}"

    while len(people) < size:
        room = size - len(people)
        # Households of 1 to 8 (or a few over the ML-1 limit if it is larger), one in four over it.
        if room > limit and draw(st.integers(0, 3)) == 0:
            count = draw(st.integers(limit + 1, min(room, max(8, limit + 3))))
        else:
            count = draw(st.integers(1, min(room, limit)))
        number = len(people) + 1
        household = f"H{number:04d}" if count > 1 or draw(st.integers(0, 2)) else None
        voluntary = draw(st.integers(0, 4)) == 0  # a voluntary continuation insured, mailed directly
        employer = None if voluntary else draw(st.sampled_from(employers))
        head = draw(_member(world, _Spec(
            kind="insured", eligible_on=spec.eligible_on, paper_card=spec.paper_card,
            my_number_card=spec.my_number_card, certificate=spec.certificate, voluntary_continuation=voluntary,
            employer=st.just(employer), household=st.just(household),
        ), next_id()))
        people.append(head)
        for _ in range(count - 1):
            # A dependant of that insured: same household and employer (none on voluntary
            # continuation), enrolled no earlier and leaving no later.
            people.append(draw(_member(world, _Spec(
                kind="dependant", eligible_on=spec.eligible_on, paper_card=spec.paper_card,
                my_number_card=spec.my_number_card, certificate=spec.certificate, voluntary_continuation=False,
                employer=st.just(employer), household=st.just(household),
                enrolled_from=head.enrolled_on, leaves_by=head.loss_on,
            ), next_id())))
    if large_employer:
        # One employer with hundreds of insured members around the ML-2 limits. They share
        # a few drawn histories, so that a membership of hundreds fits one example.
        parcel, box = world.parcel_envelope_max, world.box_capacity
        count = draw(st.one_of(
            st.sampled_from([parcel, parcel + 1, box, box + 1, 2 * box, 2 * box + 1]),
            st.integers(parcel + 1, 2 * box + 1),
        ))
        big = f"E{len(employers) + 1}"
        templates = [
            draw(_member(world, _Spec(
                kind="insured", eligible_on=spec.eligible_on, paper_card=spec.paper_card,
                my_number_card=spec.my_number_card, certificate=spec.certificate, voluntary_continuation=False,
                employer=st.just(big), household=st.none(),
            ), "T"))
            for _ in range(draw(st.integers(1, 4)))
        ]
        for k in range(count):
            people.append(templates[k % len(templates)].model_copy(update={"id": next_id()}))
    return people


def memberships(
    *,
    min_size: int = 1,
    max_size: int = 24,
    start: date | None = None,
    end: date | None = None,
    eligible_on: date | None = None,
    paper_card: bool | None = None,
    my_number_card: bool | None = None,
    certificate: bool | None = None,
    large_employer: bool = False,
    id_prefix: str = "M",
    rulebook: Rulebook | None = None,
) -> st.SearchStrategy[list[Member]]:
    """Whole memberships: lists of members with unique ids, in households under employers.

    Each household is one insured member and their dependants, sharing a ``household`` id
    and an ``employer`` (none for an insured on voluntary continuation, one household in
    five); a dependant is enrolled no earlier than their insured and leaves no later.
    Households have 1 to 8 members, one in four more than the rulebook's ML-1 limit
    (``household_envelope_max_members``, 5: such a household gets an envelope per member);
    a household of one may have no ``household`` id. Households fall under one to four
    employers ``E1`` … ``E4``. Ids are ``id_prefix`` and a number (``M0001`` …).

    - ``min_size``, ``max_size``: members in households.
    - ``large_employer``: also one employer with hundreds of insured members around the
      ML-2 limits (``parcel_envelope_max``, ``box_capacity``: enough for cardboard boxes);
      they share a few drawn histories, so a membership of hundreds fits one example.
    - ``start``, ``end``, ``eligible_on``, ``paper_card``, ``my_number_card``,
      ``certificate``, ``rulebook``: as :func:`members`, for every member.

    >>> from collections import Counter
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(memberships(max_size=12))
    ... def test(people):
    ...     assert len({m.id for m in people}) == len(people)
    ...     heads = {m.household: m for m in people if m.kind == "insured" and m.household}
    ...     for m in people:
    ...         if m.kind == "dependant":
    ...             assert m.employer == heads[m.household].employer
    ...             assert m.enrolled_on >= heads[m.household].enrolled_on
    >>> test()
    """
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if type(value) is not int or value < 0:
            raise InvalidArgument(f"{name} must be a non-negative int, got {shown(value)}")
    if min_size > max_size:
        raise InvalidArgument(f"min_size={min_size} must not exceed max_size={max_size}")
    if not isinstance(id_prefix, str) or not id_prefix:
        raise InvalidArgument(f"id_prefix must be a non-empty str, got {shown(id_prefix)}")
    world = _world(rulebook, start, end)
    spec = _spec(
        world, kind=None, eligible_on=eligible_on, paper_card=paper_card, my_number_card=my_number_card,
        certificate=certificate, voluntary_continuation=None, employer=None, household=None,
    )
    return _memberships(world, spec, min_size, max_size, bool(large_employer), id_prefix)
