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
    import hypothesis  # noqa: F401  (before the modules that use it: a clear message when it is missing)
except ModuleNotFoundError as error:  # pragma: no cover - exercised in a subprocess by the tests
    if error.name != "hypothesis":  # Hypothesis is there but something it needs is not
        raise
    raise ImportError(
        "hokensho_rules.testing needs Hypothesis, which is not installed: "
        "pip install 'hokensho-rules[hypothesis]' (or pip install 'hypothesis>=6.100')"
    ) from error

from ..facts.known import as_known_on
from .documents import situations
from .members import members, memberships
from .world import (
    EARLIEST,
    INSURANCE_USE_FROM,
    LATEST,
    MY_NUMBER_CARDS_FROM,
    ONLINE_VERIFICATION_FROM,
    boundary_dates,
    evaluation_dates,
)

__all__ = [
    "EARLIEST",
    "INSURANCE_USE_FROM",
    "LATEST",
    "MY_NUMBER_CARDS_FROM",
    "ONLINE_VERIFICATION_FROM",
    "as_known_on",
    "boundary_dates",
    "evaluation_dates",
    "members",
    "memberships",
    "situations",
]
