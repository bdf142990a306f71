"""What every member the models accept satisfies, written in the rules' own vocabulary.

These are the cross-field checks of the validators in :mod:`hokensho_rules.facts.member`
(the one-field ones, types, choices and required fields, are read from the models by
``_facts``). They are stated here a second time because a validator is Python code the
prover cannot read; the tests check both ways that the two agree: every witness the
prover builds passes the models' validation, every generated member satisfies these,
and every order between two dates of one model that the models reject is listed here.
A constraint is a condition of the rule-file vocabulary, so it is encoded by the same
code as the rules (an unknown date makes a comparison false, hence the ``any``).
"""

from __future__ import annotations

from pydantic import TypeAdapter

from ..law.schema import Condition

__all__ = ["DOMAIN", "ORDERED"]

# (earlier, later, strictly): both known means later is on or after (after) earlier.
ORDERED: tuple[tuple[str, str, bool], ...] = (
    ("member.enrolled_on", "member.loss_on", True),
    ("paper_card.issued_on", "paper_card.expires_on", False),
    ("paper_card.issued_on", "paper_card.lost_on", False),
    ("paper_card.issued_on", "paper_card.returned_on", False),
    ("my_number_card.registered_for_insurance_on", "my_number_card.registration_cancelled_on", False),
    ("certificate.issued_on", "certificate.takes_effect_on", False),
    ("certificate.issued_on", "certificate.expires_on", False),
    ("certificate.takes_effect_on", "certificate.expires_on", False),
    ("certificate.issued_on", "certificate.returned_on", False),
)

_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)


def _ordered(earlier: str, later: str, strictly: bool) -> tuple[str, Condition]:
    relation = "after" if strictly else "on or after"
    return f"{later} is {relation} {earlier}", _CONDITION.validate_python(
        {
            "any": [
                {"fact": earlier, "present": False},
                {"fact": later, "present": False},
                {"fact": later, "gt" if strictly else "gte": {"fact": earlier}},
            ]
        }
    )


def _either(description: str, *alternatives: dict[str, object]) -> tuple[str, Condition]:
    return description, _CONDITION.validate_python({"any": list(alternatives)})


DOMAIN: tuple[tuple[str, Condition], ...] = (
    *(_ordered(*pair) for pair in ORDERED),
    _either(
        "a cancelled registration was made",
        {"fact": "my_number_card.registration_cancelled_on", "present": False},
        {"fact": "my_number_card.registered_for_insurance_on", "present": True},
    ),
    _either(
        "a voluntary continuation insured is insured",
        {"fact": "member.voluntary_continuation", "eq": False},
        {"fact": "member.kind", "eq": "insured"},
    ),
    _either(
        "a voluntary continuation insured has no employer",
        {"fact": "member.voluntary_continuation", "eq": False},
        {"fact": "member.employer", "present": False},
    ),
    _either(
        "the insurer registers a member with the My Number it holds",
        {"fact": "member.insurer_registered_on", "present": False},
        {"fact": "member.my_number_held", "eq": True},
    ),
)
