"""A made-up but plausible membership: households of insured and dependants at a few
employers, and some voluntary continuation insured. Deterministic for a given seed.

Used by the examples and benchmarks; not part of the library.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

import hokensho_rules as hr

EMPLOYERS = [f"E{n:02d}" for n in range(1, 13)]
# One large employer, so that its notices need cardboard boxes (more than 100 envelopes).
EMPLOYER_WEIGHTS = [40, 12, 8, 6, 6, 5, 5, 5, 4, 3, 3, 3]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _member(rng: random.Random, member_id: str, kind: str, household: str, employer: str | None) -> hr.Member:
    enrolled = _day(rng, date(1995, 4, 1), date(2026, 10, 1))
    lost = _day(rng, enrolled + timedelta(days=30), date(2027, 3, 31)) if rng.random() < 0.12 else None
    held = rng.random() < 0.92
    card = None
    if rng.random() < 0.8:
        registered = _day(rng, date(2021, 3, 1), date(2026, 6, 30)) if rng.random() < 0.75 else None
        card = hr.MyNumberCard(
            registered_for_insurance_on=registered,
            certificate_expires_on=_day(rng, date(2025, 1, 1), date(2031, 12, 31)),
        )
    paper = hr.PaperCard(issued_on=enrolled) if enrolled <= date(2024, 12, 1) else None
    # A few recent hires whose employer has not filed the enrolment notification yet.
    missing = enrolled > date(2025, 9, 1) and rng.random() < 0.3
    notified = None if missing else enrolled - timedelta(days=rng.randrange(0, 20))
    registered_by_insurer = max(enrolled, date(2021, 3, 1)) + timedelta(days=7)
    return hr.Member(
        id=member_id,
        kind=kind,  # type: ignore[arg-type]
        enrolled_on=enrolled,
        loss_on=lost,
        voluntary_continuation=employer is None,
        my_number_held=held,
        insurer_registered_on=registered_by_insurer if held and notified else None,
        employer=employer,
        household=household,
        enrolment_notified_on=notified,
        # The initial mailing went out as planned and the insurer recorded it.
        notice_sent_on=date(2024, 10, 23) if held and enrolled <= date(2024, 9, 12) else None,
        paper_card=paper,
        my_number_card=card,
        requests=hr.Requests(certificate_on_enrolment_form=rng.random() < 0.1),
    )


def generate(count: int, seed: int = 2024) -> list[hr.Member]:
    """About ``count`` members in households of 1 to 8 (a few large ones, to show ML-1)."""
    return list(iter_members(count, seed))


def iter_members(count: int, seed: int = 2024) -> Iterator[hr.Member]:
    """The members of :func:`generate`, one at a time (for files of millions of rows)."""
    rng = random.Random(seed)
    made = 0
    household = 0
    while made < count:
        household += 1
        voluntary = rng.random() < 0.03
        employer = None if voluntary else rng.choices(EMPLOYERS, EMPLOYER_WEIGHTS)[0]
        size = 1 if voluntary else rng.choices(range(1, 9), [30, 25, 20, 13, 6, 3, 2, 1])[0]
        for position in range(min(size, count - made)):
            kind = "insured" if position == 0 else "dependant"
            made += 1
            # A voluntary continuation insured has no employer; dependants share the insured's.
            yield _member(rng, f"M{made:05d}", kind, f"H{household:05d}", employer)
