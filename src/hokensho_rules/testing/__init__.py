"""Hypothesis strategies for property-testing a system against hokensho-rules.

Needs Hypothesis alone: ``pip install 'hokensho-rules[hypothesis]'``. Test your own
system (an insurer's database, a clinic's reception software, a mailing tool) on
members, memberships and counters that could happen, and compare it with the rules::

    from datetime import date
    from hypothesis import given
    import hokensho_rules as hr
    from hokensho_rules.testing import members

    book = hr.Rulebook.load()

    @given(members(eligible_on=date(2025, 12, 2), certificate=False))
    def test_my_system_agrees(member):
        expected = book.evaluate(member, date(2025, 12, 2))["certificate.issuance"].outcome
        assert my_system.must_issue(member) == (expected == "ex_officio")

``examples/downstream_tests/`` is such a test suite, run by the project's tests.

Every generated member satisfies the models' validators, so a failure is about the
rules or your system, never about bad input; and every history is one that could have
happened: no My Number card before the cards existed, no insurance-use registration or
online verification before the service began, no eligibility certificate before the law
created it, no paper card issued after the law abolished it, no card kept in use abroad
before the law allowed it (the law's dates are read from the rulebook given, or the
shipped one; the others are this module's constants). Within those bounds, dates cluster around
the days the rules name, where answers change and mistakes hide, and rare but real
situations (a card of an earlier membership, a certificate taking effect later, a loss
date near a certificate's days) come up often enough to be tested.
"""

from __future__ import annotations

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ModuleNotFoundError as error:  # pragma: no cover - exercised in a subprocess by the tests
    if error.name != "hypothesis":  # Hypothesis is there but something it needs is not
        raise
    raise ImportError(
        "hokensho_rules.testing needs Hypothesis, which is not installed: "
        "pip install 'hokensho-rules[hypothesis]' (or pip install 'hypothesis>=6.100')"
    ) from error

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypeAlias, TypeVar

from ..rulebook.book import Rulebook
from ..evaluation.change_points import rulebook_dates
from ..facts.member import (
    Abroad,
    Certificate,
    Member,
    MyNumberCard,
    PaperCard,
    Requests,
    Situation,
)

__all__ = [
    "EARLIEST",
    "INSURANCE_USE_FROM",
    "LATEST",
    "MY_NUMBER_CARDS_FROM",
    "ONLINE_VERIFICATION_FROM",
    "boundary_dates",
    "evaluation_dates",
    "members",
    "memberships",
    "situations",
]

T = TypeVar("T")
Kind: TypeAlias = Literal["insured", "dependant"]
_KINDS: tuple[Kind, ...] = ("insured", "dependant")

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

# Generated enrolments leave this much of the window after them, for the story to go on.
_ENROLMENT_MARGIN = timedelta(days=730)
_EMPLOYERS: st.SearchStrategy[str | None] = st.sampled_from(["E1", "E2", None])
_HOUSEHOLDS: st.SearchStrategy[str | None] = st.sampled_from(["H1", "H2", None])


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
        raise InvalidArgument(f"{name} must be a datetime.date, got {value!r}")


def _world(rulebook: Rulebook | None, start: date | None, end: date | None) -> _World:
    if rulebook is not None and not isinstance(rulebook, Rulebook):
        raise InvalidArgument(f"rulebook must be a hokensho_rules.Rulebook or None, got {rulebook!r}")
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
        raise InvalidArgument(f"{name} must be True, False or None (either), got {value!r}")
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
    raise InvalidArgument(f"{name} must be a str, None or a strategy of them, got {value!r}")


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
        raise InvalidArgument(f"kind must be 'insured', 'dependant' or None (either), got {kind!r}")
    for name, flag in (("paper_card", paper_card), ("my_number_card", my_number_card),
                       ("certificate", certificate), ("voluntary_continuation", voluntary_continuation)):
        if flag is not None and not isinstance(flag, bool):
            raise InvalidArgument(f"{name} must be True, False or None (either), got {flag!r}")
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
        raise InvalidArgument(f"member_id must be a str or a strategy of them, got {member_id!r}")
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
            raise InvalidArgument(f"{name} must be a non-negative int, got {value!r}")
    if min_size > max_size:
        raise InvalidArgument(f"min_size={min_size} must not exceed max_size={max_size}")
    if not isinstance(id_prefix, str) or not id_prefix:
        raise InvalidArgument(f"id_prefix must be a non-empty str, got {id_prefix!r}")
    world = _world(rulebook, start, end)
    spec = _spec(
        world, kind=None, eligible_on=eligible_on, paper_card=paper_card, my_number_card=my_number_card,
        certificate=certificate, voluntary_continuation=None, employer=None, household=None,
    )
    return _memberships(world, spec, min_size, max_size, bool(large_employer), id_prefix)
