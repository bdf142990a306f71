"""Input models reject what cannot describe a real member, naming the field and the value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

import hokensho_rules as hr

BASE: dict[str, Any] = {"id": "M1", "kind": "insured", "enrolled_on": date(2020, 4, 1)}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"loss_on": date(2020, 3, 31)}, "loss_on=2020-03-31 must be after enrolled_on=2020-04-01"),
        ({"loss_on": date(2020, 4, 1)}, "loss_on=2020-04-01 must be after enrolled_on=2020-04-01"),
        ({"enrolled_on": "2020-04-01"}, "enrolled_on"),
        ({"enrolled_on": date(2020, 4, 1), "kind": "retired"}, "kind"),
        ({"voluntary_continuation": 1}, "voluntary_continuation"),
        ({"colour": "red"}, "colour"),
        ({"id": ""}, "id"),
        ({"kind": "dependant", "voluntary_continuation": True}, "voluntary_continuation=True needs kind='insured'"),
        ({"voluntary_continuation": True, "employer": "E1"}, "employer='E1' with voluntary_continuation=True"),
        ({"insurer_registered_on": date(2020, 4, 5)}, "insurer_registered_on=2020-04-05 needs my_number_held=True"),
        (
            {"paper_card": {"issued_on": date(2020, 4, 1), "lost_on": date(2020, 3, 1)}},
            "lost_on=2020-03-01 must be on or after issued_on=2020-04-01",
        ),
        (
            {"my_number_card": {"registration_cancelled_on": date(2024, 1, 1)}},
            "registration_cancelled_on=2024-01-01 needs registered_for_insurance_on",
        ),
        (
            {"my_number_card": {"registered_for_insurance_on": date(2024, 2, 1), "registration_cancelled_on": date(2024, 1, 1)}},
            "registration_cancelled_on=2024-01-01 must be on or after registered_for_insurance_on=2024-02-01",
        ),
        (
            {"certificate": {"issued_on": date(2025, 1, 1), "expires_on": date(2024, 1, 1)}},
            "expires_on=2024-01-01 must be on or after issued_on=2025-01-01",
        ),
    ],
)
def test_impossible_input_is_an_error_naming_the_field(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        hr.Member.model_validate({**BASE, **changes})
    assert named in str(caught.value)


def test_facts_are_immutable() -> None:
    member = hr.Member.model_validate(BASE)
    with pytest.raises(ValidationError, match="frozen"):
        member.loss_on = date(2025, 1, 1)  # type: ignore[misc]


def test_a_member_round_trips_through_json() -> None:
    member = hr.Member.model_validate(
        {**BASE, "paper_card": {"issued_on": date(2020, 4, 1)}, "my_number_held": True}
    )
    assert hr.Member.model_validate_json(member.model_dump_json()) == member
