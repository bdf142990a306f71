"""Hypothesis strategies for property-testing systems against hokensho-rules.

Needs the ``test`` extra (``pip install 'hokensho-rules[test]'``)::

    from hypothesis import given
    from hokensho_rules.testing import members, evaluation_dates

    @given(members(), evaluation_dates())
    def test_my_system_agrees(member, on):
        assert my_system(member, on) == book.evaluate(member, on)["paper_card.usable"].outcome

Every generated member satisfies the models' validators, so a failure is about the
rules, never about bad input.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Literal, TypeVar

from hypothesis import strategies as st

from .facts import (
    Abroad,
    Certificate,
    Member,
    MyNumberCard,
    PaperCard,
    Requests,
    Situation,
)
from .book import Rulebook
from .evaluation.change_points import rulebook_dates

__all__ = ["boundary_dates", "evaluation_dates", "members", "situations"]

T = TypeVar("T")
_KINDS: tuple[Literal["insured", "dependant"], ...] = ("insured", "dependant")
EARLIEST = date(2014, 1, 1)
LATEST = date(2034, 12, 31)


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    return draw(st.one_of(st.none(), strategy))


def _rarely(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    # Events that end a document (cancelled, returned, suspended) one time in four, so
    # that generated members often hold a usable card and its exceptions get exercised.
    return None if draw(st.integers(0, 3)) < 3 else draw(strategy)


def _often(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    # Facts that make a document usable (a registration, the insurer's record) three
    # times in four, for the same reason.
    return draw(strategy) if draw(st.integers(0, 3)) < 3 else None


def _on_or_after(start: date, *, span: int = 4000) -> st.SearchStrategy[date]:
    return st.integers(0, span).map(lambda days: min(start + timedelta(days=days), LATEST))


def boundary_dates(rulebook: Rulebook | None = None) -> tuple[date, ...]:
    """Every date the rulebook names (its parameters and rules), with the day before and after it."""
    book = rulebook or Rulebook.load()
    around = {day + timedelta(days=shift) for day in rulebook_dates(book) for shift in (-1, 0, 1)}
    return tuple(sorted(around))


def evaluation_dates(rulebook: Rulebook | None = None) -> st.SearchStrategy[date]:
    """Dates to evaluate on: half the time a boundary date of the rules, else any day."""
    return st.one_of(st.sampled_from(boundary_dates(rulebook)), st.dates(EARLIEST, LATEST))


@functools.cache
def _named_dates() -> tuple[date, ...]:
    # The dates the shipped rules name: where answers change, so where bugs hide.
    return boundary_dates(Rulebook.load())


@st.composite
def _near(draw: st.DrawFn, after: date, anchors: tuple[date, ...] = ()) -> date:
    """A day on or after ``after``: near an anchor or a date the rules name, or anywhere later."""
    around = [a for a in (*anchors, *_named_dates()) if a >= after]
    near_one = draw(st.booleans())
    if around and near_one:
        anchor = draw(st.sampled_from(around))
        return max(after, min(anchor + timedelta(days=draw(st.integers(-40, 40))), LATEST))
    return draw(_on_or_after(after))


@st.composite
def _paper_cards(draw: st.DrawFn, enrolled_on: date) -> PaperCard:
    if draw(st.integers(0, 7)) == 0:
        # A card of an earlier membership (a re-enrolment): it shows that enrolment's date.
        earlier = enrolled_on - timedelta(days=draw(st.integers(30, 3000)))
        return PaperCard(issued_on=earlier, enrolled_on=earlier, returned_on=_rarely(draw, _on_or_after(earlier)))
    issued = draw(st.one_of(st.just(enrolled_on), _on_or_after(enrolled_on, span=3000)))
    return PaperCard(
        issued_on=issued,
        enrolled_on=_maybe(draw, st.just(enrolled_on)),
        expires_on=_maybe(draw, _on_or_after(issued)),
        lost_on=_rarely(draw, _near(issued)),
        returned_on=_rarely(draw, _near(issued)),
    )


@st.composite
def _my_number_cards(draw: st.DrawFn, around: date) -> MyNumberCard:
    registered = _often(draw, _on_or_after(around - timedelta(days=1500)))
    return MyNumberCard(
        registered_for_insurance_on=registered,
        registration_cancelled_on=None if registered is None else _rarely(draw, _on_or_after(registered)),
        certificate_expires_on=_maybe(draw, _on_or_after(around - timedelta(days=1000))),
        returned_on=_rarely(draw, _on_or_after(around)),
        suspended_on=_rarely(draw, _on_or_after(around)),
    )


@st.composite
def _certificates(draw: st.DrawFn, enrolled_on: date) -> Certificate:
    issued = draw(_near(enrolled_on - timedelta(days=draw(st.integers(0, 30)))))
    # Sometimes one that takes effect later than its issue day, as under B-2.
    takes_effect = _rarely(draw, _near(issued))
    start = takes_effect or issued
    return Certificate(
        issued_on=issued,
        takes_effect_on=takes_effect,
        expires_on=_maybe(draw, _on_or_after(start, span=2500)),
        returned_on=_rarely(draw, _on_or_after(issued, span=2500)),
    )


@st.composite
def _abroad(draw: st.DrawFn, around: date) -> Abroad:
    departed = draw(_on_or_after(around - timedelta(days=3000), span=6000))
    return Abroad(
        departed_on=departed,
        japanese_national=draw(st.booleans()),
        continuation_done_on=_maybe(draw, _on_or_after(departed - timedelta(days=30), span=40)),
    )


def situations() -> st.SearchStrategy[Situation]:
    """Any counter an institution may have on the day of a visit."""
    return st.builds(
        Situation,
        online_verification=st.booleans(),
        smartphone=st.booleans(),
        card_reader_out_of_order=st.booleans(),
        power_cut=st.booleans(),
        ic_chip_broken=st.booleans(),
    )


@st.composite
def members(draw: st.DrawFn, member_id: str = "M1") -> Member:
    """Any member the models accept, with documents and dates spread around the transition."""
    kind = draw(st.sampled_from(_KINDS))
    enrolled_on = draw(st.one_of(st.dates(EARLIEST, date(2032, 12, 31)), _near(EARLIEST)))
    voluntary = kind == "insured" and draw(st.booleans())
    my_number_held = draw(st.booleans())
    certificate = _maybe(draw, _certificates(enrolled_on))
    # Loss dates often fall near the certificate's days and the law's, where mistakes hide.
    anchors = () if certificate is None else tuple(d for d in (certificate.issued_on, certificate.takes_effect_on) if d)
    return Member(
        id=member_id,
        kind=kind,
        enrolled_on=enrolled_on,
        loss_on=_maybe(draw, _near(enrolled_on + timedelta(days=1), anchors)),
        voluntary_continuation=voluntary,
        my_number_held=my_number_held,
        insurer_registered_on=(
            _often(draw, _on_or_after(enrolled_on - timedelta(days=60))) if my_number_held else None
        ),
        employer=None if voluntary else draw(st.sampled_from(["E1", "E2", None])),
        household=draw(st.sampled_from(["H1", "H2", None])),
        details_changed_on=_rarely(draw, _near(enrolled_on)),
        paper_card=_maybe(draw, _paper_cards(enrolled_on)),
        my_number_card=_often(draw, _my_number_cards(enrolled_on)),
        certificate=certificate,
        requests=Requests(
            certificate_on_enrolment_form=draw(st.booleans()),
            certificate_for_circumstances_on=_maybe(draw, _on_or_after(enrolled_on)),
        ),
        enrolment_notified_on=_maybe(draw, _on_or_after(enrolled_on - timedelta(days=30), span=60)),
        notice_sent_on=_maybe(draw, _on_or_after(enrolled_on, span=2000)),
        abroad=_maybe(draw, _abroad(enrolled_on)),
    )
