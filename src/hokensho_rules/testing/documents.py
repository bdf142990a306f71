"""Generated documents (paper cards, My Number cards, certificates, stays abroad) and
counter situations, each one that could have happened in its world.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from datetime import date, timedelta

from ..facts.member import Abroad, Certificate, MyNumberCard, PaperCard, Situation
from ..facts.privacy import shown
from .world import (
    _CARD_CERTIFICATES_EXPIRE_FROM,
    INSURANCE_USE_FROM,
    MY_NUMBER_CARDS_FROM,
    _days,
    _maybe,
    _near,
    _often,
    _rarely,
    _World,
)

__all__ = ["situations"]


# --- documents ------------------------------------------------------------------------------


@st.composite
def _paper_cards(draw: st.DrawFn, world: _World, enrolled_on: date, wanted: bool | None) -> PaperCard | None:
    """A paper card issued before the law abolished it, or None when the member could hold none."""
    last_issue = world.last_paper_card_issue
    own_possible = enrolled_on <= last_issue  # issued on or after the enrolment it shows
    earlier_possible = world.start < min(enrolled_on, last_issue + timedelta(days=1))
    if wanted is None:
        # A member who enrolled after the abolition holds a card only of an earlier membership: rarely.
        present = draw(st.booleans()) if own_possible else draw(st.integers(0, 7)) == 0
        if not present:
            return None
    if not own_possible and not earlier_possible:
        return None
    if earlier_possible and (not own_possible or draw(st.integers(0, 7)) == 0):
        # A card of an earlier membership (a re-enrolment): it shows that enrolment's date.
        latest = min(last_issue, enrolled_on - timedelta(days=30 if enrolled_on - timedelta(days=30) >= world.start else 1))
        earlier = draw(_days(max(world.start, latest - timedelta(days=2970)), latest))
        return PaperCard(issued_on=earlier, enrolled_on=earlier, returned_on=_rarely(draw, _days(earlier, world.end)))
    issued = draw(st.one_of(st.just(enrolled_on), _days(enrolled_on, last_issue, span=3000)))
    return PaperCard(
        issued_on=issued,
        enrolled_on=_maybe(draw, st.just(enrolled_on)),
        expires_on=_maybe(draw, _days(issued, world.end)),
        lost_on=_rarely(draw, _near(world, issued)),
        returned_on=_rarely(draw, _near(world, issued)),
    )


@st.composite
def _my_number_cards(draw: st.DrawFn, world: _World, around: date) -> MyNumberCard:
    """A My Number card of 2016 or later, registered for insurance use from October 2021."""
    registered = None
    first_registration = max(INSURANCE_USE_FROM, world.start, around - timedelta(days=1500))
    if first_registration <= world.end:
        registered = _often(draw, _days(first_registration, world.end))
    cancelled = None if registered is None else _rarely(draw, _days(registered, world.end))
    # A registration reads a valid certificate: it expires after the registration.
    first_expiry = max(_CARD_CERTIFICATES_EXPIRE_FROM, world.start, around - timedelta(days=1000), registered or world.start)
    expires = _maybe(draw, _days(first_expiry, world.end)) if first_expiry <= world.end else None
    first_event = max(MY_NUMBER_CARDS_FROM, world.start, around)
    returned = suspended = None
    if first_event <= world.end:
        returned = _rarely(draw, _days(first_event, world.end))
        suspended = _rarely(draw, _days(first_event, world.end))
    return MyNumberCard(
        registered_for_insurance_on=registered,
        registration_cancelled_on=cancelled,
        certificate_expires_on=expires,
        returned_on=returned,
        suspended_on=suspended,
    )


@st.composite
def _certificates(draw: st.DrawFn, world: _World, enrolled_on: date) -> Certificate:
    """A certificate issued from the day the law created it, near the enrolment or the law's dates."""
    issued = draw(_near(world, max(world.certificates_from, enrolled_on - timedelta(days=draw(st.integers(0, 30))))))
    # Sometimes one that takes effect later than its issue day, as under B-2.
    takes_effect = _rarely(draw, _near(world, issued))
    start = takes_effect or issued
    return Certificate(
        issued_on=issued,
        takes_effect_on=takes_effect,
        expires_on=_maybe(draw, _days(start, world.end, span=2500)),
        returned_on=_rarely(draw, _days(issued, world.end, span=2500)),
    )


@st.composite
def _abroad(draw: st.DrawFn, world: _World, around: date) -> Abroad:
    departed = draw(_days(max(world.start, around - timedelta(days=3000)), world.end, span=6000))
    # The card's continued use abroad is done around the departure, and only since the law allows it.
    first = max(world.start, departed - timedelta(days=30), world.continuation_abroad_from or world.start)
    last = min(world.end, departed + timedelta(days=10))
    return Abroad(
        departed_on=departed,
        japanese_national=draw(st.booleans()),
        continuation_done_on=_maybe(draw, _days(first, last)) if first <= last else None,
    )


# --- situations -------------------------------------------------------------------------------


def _flag(value: bool | None, name: str) -> st.SearchStrategy[bool]:
    if value is None:
        return st.booleans()
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True, False or None (either), got {shown(value)}")
    return st.just(value)


def situations(
    *,
    online_verification: bool | None = None,
    smartphone: bool | None = None,
    card_reader_out_of_order: bool | None = None,
    power_cut: bool | None = None,
    ic_chip_broken: bool | None = None,
) -> st.SearchStrategy[Situation]:
    """The counter of an institution on the day of a visit; each flag fixed, or None for either.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(situations(online_verification=True, power_cut=False))
    ... def test(counter):
    ...     assert counter.online_verification and not counter.power_cut
    >>> test()
    """
    return st.builds(
        Situation,
        online_verification=_flag(online_verification, "online_verification"),
        smartphone=_flag(smartphone, "smartphone"),
        card_reader_out_of_order=_flag(card_reader_out_of_order, "card_reader_out_of_order"),
        power_cut=_flag(power_cut, "power_cut"),
        ic_chip_broken=_flag(ic_chip_broken, "ic_chip_broken"),
    )
