"""A toy insurer system: what a downstream team would test against hokensho-rules.

Three functions of an imaginary insurer's back office, written from the insurer's own
reading of the law, without the library (it imports only the member models to read
them): who is eligible on a day, what validity to print on an eligibility certificate
(資格確認書) already issued, and how to pack the eligibility notices (資格情報のお知らせ)
into envelopes. ``test_my_system.py`` checks each against the rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from hokensho_rules import Member

# Our own copies of the law's numbers (the tests check them against the rulebook's).
CERTIFICATES_FROM = date(2024, 12, 2)  # no eligibility certificate is dated before this day
CERTIFICATE_YEARS = 5
PAPER_CARDS_END = date(2025, 12, 2)  # the first day no paper card is usable
HOUSEHOLD_ENVELOPE_LIMIT = 5


def eligible(member: Member, on: date) -> bool:
    """Whether the member is covered on ``on``: from the enrolment day to the day before the loss
    day, and a voluntary continuation for at most 2 years."""
    if member.voluntary_continuation and on > _period_end(member.enrolled_on, 2):
        return False
    return member.enrolled_on <= on and (member.loss_on is None or on < member.loss_on)


def _period_end(start: date, years: int) -> date:
    """Last day of a period of ``years`` years starting on ``start`` (民法 第143条)."""
    try:
        return start.replace(year=start.year + years) - timedelta(days=1)
    except ValueError:  # from 29 February: no corresponding day, the period ends with February
        return date(start.year + years, 3, 1) - timedelta(days=1)


def certificate_validity(member: Member) -> tuple[date, date] | None:
    """The first and last valid day printed for the member's certificate; None if it is not valid."""
    certificate = member.certificate
    if certificate is None or certificate.issued_on < CERTIFICATES_FROM:
        return None
    loss = member.loss_on
    if loss is not None and (certificate.issued_on >= loss or (certificate.takes_effect_on or date.min) >= loss):
        return None  # it would take effect only after the membership ended
    if certificate.expires_on is not None and certificate.expires_on < member.enrolled_on:
        return None
    # A voluntary continuation lasts at most 2 years; a certificate issued or taking effect after it is void.
    ends = _period_end(member.enrolled_on, 2) if member.voluntary_continuation else date.max
    if certificate.issued_on > ends or (certificate.takes_effect_on or date.min) > ends:
        return None
    start = max(certificate.issued_on, certificate.takes_effect_on or certificate.issued_on, member.enrolled_on)
    start = max(start, _paper_card_stops(member) or start)
    if loss is not None and start >= loss:
        return None  # it waits for the paper card, and the membership ends first
    until = _period_end(start, CERTIFICATE_YEARS)
    if certificate.expires_on is not None:
        until = min(until, certificate.expires_on)
    if loss is not None:
        until = min(until, loss - timedelta(days=1))
    return start, min(until, ends)


def _paper_card_stops(member: Member) -> date | None:
    """The first day this membership's paper card is not usable: a certificate issued while it
    is usable takes effect then (unless its printed expiry comes first)."""
    card, certificate = member.paper_card, member.certificate
    if card is None or card.enrolled_on not in (None, member.enrolled_on) or certificate is None:
        return None
    if certificate.expires_on is not None and certificate.expires_on < PAPER_CARDS_END:
        return None
    changed = member.details_changed_on if member.details_changed_on and member.details_changed_on >= CERTIFICATES_FROM else None
    expired = card.expires_on + timedelta(days=1) if card.expires_on else None
    stops = min(d for d in (PAPER_CARDS_END, expired, card.lost_on, card.returned_on, changed) if d is not None)
    return stops if stops >= card.issued_on else None


def envelopes(members: Iterable[Member], household_limit: int = HOUSEHOLD_ENVELOPE_LIMIT) -> list[tuple[str, ...]]:
    """The notices' envelopes, each the sorted ids it holds: a household shares one per route
    (its employer, or the post for a voluntary continuation insured) unless it is larger than
    the limit, when each member gets their own; a member without a household gets their own."""
    households: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    packed: list[tuple[str, ...]] = []
    for member in members:
        route = None if member.voluntary_continuation else member.employer
        if member.household is None:
            packed.append((member.id,))
        else:
            households[route, member.household].append(member.id)
    for ids in households.values():
        if len(ids) <= household_limit:
            packed.append(tuple(sorted(ids)))
        else:
            packed.extend((one,) for one in ids)
    return sorted(packed)
