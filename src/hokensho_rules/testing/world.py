"""The world a generated history happens in: the window of dates, the law's dates
and the facts of the world that bound what could have happened, and drawing helpers.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from ..evaluation.change_points import rulebook_dates
from ..facts.privacy import shown
from ..rulebook.book import Rulebook

__all__ = [
    "EARLIEST",
    "INSURANCE_USE_FROM",
    "LATEST",
    "MY_NUMBER_CARDS_FROM",
    "ONLINE_VERIFICATION_FROM",
    "boundary_dates",
    "evaluation_dates",
]

T = TypeVar("T")

# The default window of generated dates.
EARLIEST = date(2014, 1, 1)
LATEST = date(2034, 12, 31)

# Facts of the world that bound generated histories. They are not law and decide
# nothing (no rule reads them): they keep generated data to what could have happened.
# My Number cards (マイナンバーカード) were first issued in January 2016.
MY_NUMBER_CARDS_FROM = date(2016, 1, 1)
# The card's electronic certificate for user verification (利用者証明用電子証明書) is valid
# up to the fifth birthday after its issue, so none expired in the cards' first four years.
_CARD_CERTIFICATES_EXPIRE_FROM = date(2020, 1, 1)
# Online eligibility verification (オンライン資格確認) began operating in October 2021; from
# then the insurer's registration of a member (Member.insurer_registered_on) and the
# card's registration for insurance use (健康保険証利用登録) take effect. (Advance
# registration for insurance use opened earlier; starting at October 2021 keeps every
# generated date one that could have happened.)
ONLINE_VERIFICATION_FROM = date(2021, 10, 1)
INSURANCE_USE_FROM = date(2021, 10, 1)



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


def _days(first: date, last: date, *, span: int = 4000) -> st.SearchStrategy[date]:
    """A day from ``first`` to ``last`` (and at most ``span`` days after ``first``); needs first <= last."""
    return st.integers(0, min(span, (last - first).days)).map(lambda days: first + timedelta(days=days))


# --- the law's dates and the window ------------------------------------------------------


@functools.cache
def _shipped_rulebook() -> Rulebook:
    return Rulebook.load()


def boundary_dates(rulebook: Rulebook | None = None) -> tuple[date, ...]:
    """Every date the rulebook names (its parameters and rules), with the day before and after it.

    >>> from datetime import date
    >>> date(2024, 12, 1) in boundary_dates()   # the day before the paper card's abolition
    True
    """
    book = rulebook or _shipped_rulebook()
    around = {day + timedelta(days=shift) for day in rulebook_dates(book) for shift in (-1, 0, 1)}
    return tuple(sorted(around))


def _law_date(book: Rulebook, name: str) -> date | None:
    # The value the law settled on (its latest announced value), if the rulebook names it.
    parameter = book.parameters.get(name)
    value = None if parameter is None else parameter.values[-1].value
    return value if isinstance(value, date) else None


def _law_count(book: Rulebook, name: str, default: int) -> int:
    parameter = book.parameters.get(name)
    value = None if parameter is None else parameter.values[-1].value
    return value if isinstance(value, int) else default


@dataclass(frozen=True)
class _World:
    """What bounds a generated history: the window, and the dates the law and the world set."""

    start: date
    end: date
    # paper_card_abolished_on: no paper card is issued from it, no certificate exists before it.
    abolished: date | None
    # card_continuation_abroad_from: no continuation of a card's use abroad before it.
    continuation_abroad_from: date | None
    named: tuple[date, ...]  # the rulebook's boundary dates within the window
    household_envelope_max: int  # ML-1
    parcel_envelope_max: int  # ML-2
    box_capacity: int  # ML-2

    @property
    def certificates_from(self) -> date:
        return max(self.start, self.abolished or self.start)

    @property
    def last_paper_card_issue(self) -> date:
        return self.end if self.abolished is None else min(self.end, self.abolished - timedelta(days=1))


@functools.lru_cache(maxsize=32)
def _world_of(book: Rulebook, start: date, end: date) -> _World:
    return _World(
        start=start,
        end=end,
        abolished=_law_date(book, "paper_card_abolished_on"),
        continuation_abroad_from=_law_date(book, "card_continuation_abroad_from"),
        named=tuple(d for d in boundary_dates(book) if start <= d <= end),
        household_envelope_max=_law_count(book, "household_envelope_max_members", 5),
        parcel_envelope_max=_law_count(book, "parcel_envelope_max", 100),
        box_capacity=_law_count(book, "box_capacity", 300),
    )


def _check_date(name: str, value: object) -> None:
    if type(value) is not date:
        raise InvalidArgument(f"{name} must be a datetime.date, got {shown(value)}")


def _world(rulebook: Rulebook | None, start: date | None, end: date | None) -> _World:
    if rulebook is not None and not isinstance(rulebook, Rulebook):
        raise InvalidArgument(f"rulebook must be a hokensho_rules.Rulebook or None, got {shown(rulebook)}")
    first, last = start or EARLIEST, end or LATEST
    _check_date("start", first)
    _check_date("end", last)
    if first > last:
        raise InvalidArgument(f"start={first.isoformat()} must be on or before end={last.isoformat()}")
    return _world_of(rulebook or _shipped_rulebook(), first, last)


# --- dates near the law's -----------------------------------------------------------------


@st.composite
def _near(
    draw: st.DrawFn, world: _World, after: date, anchors: tuple[date, ...] = (), last: date | None = None
) -> date:
    """A day from ``after`` to ``last`` (the window's end): near an anchor or a date the rules name, or anywhere."""
    last = last or world.end
    own = [a for a in anchors if after <= a <= last]
    around = own + [a for a in world.named if after <= a <= last]
    near_one = draw(st.booleans())
    if around and near_one:
        # The member's own anchors (a certificate's days) half the time: the law's dates are many.
        from_own: bool = bool(own) and draw(st.booleans())
        anchor = draw(st.sampled_from(own if from_own else around))
        return max(after, min(anchor + timedelta(days=draw(st.integers(-40, 40))), last))
    return draw(_days(after, last))


def evaluation_dates(
    rulebook: Rulebook | None = None, *, start: date | None = None, end: date | None = None
) -> st.SearchStrategy[date]:
    """Dates to evaluate on: half the time a boundary date of the rules, else any day of the window.

    The window is ``start`` to ``end`` (default 2014-01-01 to 2034-12-31).

    >>> from datetime import date
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(evaluation_dates(start=date(2025, 1, 1), end=date(2026, 12, 31)))
    ... def test(on):
    ...     assert date(2025, 1, 1) <= on <= date(2026, 12, 31)
    >>> test()
    """
    world = _world(rulebook, start, end)
    every_day = st.dates(world.start, world.end)
    return st.one_of(st.sampled_from(world.named), every_day) if world.named else every_day
