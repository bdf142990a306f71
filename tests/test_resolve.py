"""Resolution of the rules that fired for one question: default logic (ruling X-1).

Unit tests on hand-made rules: chains and diamonds of exceptions, fallbacks, conflicts
and gaps. (The shipped rules are checked against the same semantics by the prover and
by tests/test_invariants.py.)
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest

import hokensho_rules as hr
from hokensho_rules.evaluation.resolve import agreed_data, resolve
from hokensho_rules.law.schema import Rule

ON = date(2025, 1, 1)


def rule(rule_id: str, outcome: str, *overrides: str, fallback: bool = False) -> Rule:
    return Rule.model_validate({
        "id": rule_id, "implements": ["X-1"], "title": {"ja": "例", "en": "example"},
        "citation": {"source": "index", "sections": ["X-1"]}, "question": "q.test",
        "outcome": outcome, "overrides": list(overrides), "fallback": fallback,
    })


def decide(*fired: Rule) -> tuple[str, list[str], list[str]]:
    """(deciding rule, concurring rules, overridden rules) of ``fired``."""
    resolution = resolve("q.test", fired, member_id="M1", on=ON)
    return resolution.deciding.id, [r.id for r in resolution.concurring], [r.id for r in resolution.overridden]


def test_an_exception_that_stands_sets_its_base_rule_aside() -> None:
    assert decide(rule("A-1", "no", "B-1"), rule("B-1", "yes")) == ("A-1", [], ["B-1"])


def test_in_a_chain_a_defeated_exception_sets_nothing_aside() -> None:
    # A is an exception to B, B to C; all fire. A stands, so B does not; B then sets
    # nothing aside, so C stands again: the same answer concurs...
    chain = (rule("A-1", "x", "B-1"), rule("B-1", "y", "C-1"), rule("C-1", "x"))
    assert decide(*chain) == ("A-1", ["C-1"], ["B-1"])
    # ... and a different answer is a conflict, never a silent answer.
    with pytest.raises(hr.ConflictError, match="A-1 says 'x'; C-1 says 'y'") as caught:
        decide(rule("A-1", "x", "B-1"), rule("B-1", "y", "C-1"), rule("C-1", "y"))
    assert set(caught.value.rule_ids) == {"A-1", "C-1"}


def test_in_a_chain_where_the_top_exception_does_not_fire_the_middle_one_decides() -> None:
    assert decide(rule("B-1", "y", "C-1"), rule("C-1", "x")) == ("B-1", [], ["C-1"])


def test_an_exception_to_both_levels_of_a_chain_decides_alone() -> None:
    chain = (rule("A-1", "x", "B-1", "C-1"), rule("B-1", "y", "C-1"), rule("C-1", "y"))
    assert decide(*chain) == ("A-1", [], ["B-1", "C-1"])


def test_in_a_diamond_the_base_stands_when_both_middle_rules_are_defeated() -> None:
    # A is an exception to B and C, both exceptions to D.
    diamond = (rule("A-1", "x", "B-1", "C-1"), rule("B-1", "y", "D-1"), rule("C-1", "y", "D-1"), rule("D-1", "x"))
    assert decide(*diamond) == ("A-1", ["D-1"], ["B-1", "C-1"])


def test_in_a_diamond_one_standing_middle_rule_is_enough_to_set_the_base_aside() -> None:
    diamond = (rule("A-1", "x", "B-1"), rule("B-1", "y", "D-1"), rule("C-1", "x", "D-1"), rule("D-1", "z"))
    assert decide(*diamond) == ("A-1", ["C-1"], ["B-1", "D-1"])


def test_a_fallback_stands_only_alone() -> None:
    assert decide(rule("F-1", "none", fallback=True)) == ("F-1", [], [])
    assert decide(rule("A-1", "yes"), rule("F-1", "none", fallback=True)) == ("A-1", [], [])
    # A fallback is not "overridden": it simply does not apply beside another answer.
    assert decide(rule("A-1", "no", "B-1"), rule("B-1", "yes"), rule("F-1", "x", fallback=True)) == ("A-1", [], ["B-1"])


def test_the_deciding_rule_is_the_first_standing_one_in_rulebook_order() -> None:
    assert decide(rule("A-1", "yes"), rule("B-1", "yes")) == ("A-1", ["B-1"], [])
    assert decide(rule("B-1", "yes"), rule("A-1", "yes")) == ("B-1", ["A-1"], [])


def test_nothing_fired_or_everything_set_aside_is_a_gap() -> None:
    with pytest.raises(hr.GapError, match="member M1, question q.test, on 2025-01-01: no rule gives an answer"):
        decide()



# --- the data of concurring rules (agreed_data) ------------------------------------------

def _given(*data: dict[str, date]) -> list[tuple[Rule, dict[str, date]]]:
    return [(rule(f"A-{i}", "no"), values) for i, values in enumerate(data)]


def test_concurring_rules_giving_the_same_data_agree() -> None:
    given = _given({"since": date(2025, 3, 1)}, {"since": date(2025, 3, 1)})
    assert agreed_data("q.x", given, {"since": None}, member_id="M1", on=date(2026, 1, 1)) == (given[0][0], {"since": date(2025, 3, 1)})


@pytest.mark.parametrize("way, expected", [("earliest", date(2025, 3, 1)), ("latest", date(2025, 12, 1))])
def test_a_combined_datum_is_the_earliest_or_latest_any_concurring_rule_gives(way: str, expected: date) -> None:
    given = _given({"since": date(2025, 12, 1)}, {"since": date(2025, 3, 1)})
    combine: dict[str, Literal["earliest", "latest"] | None] = {"since": "earliest" if way == "earliest" else "latest"}
    rule, data = agreed_data("q.x", given, combine, member_id="M1", on=date(2026, 1, 1))
    assert data == {"since": expected}
    assert rule is next(r for r, values in given if values.get("since") == expected)  # named by the reason whose day it is


@pytest.mark.parametrize("second", [{"since": date(2025, 3, 2)}, {}])
def test_concurring_rules_giving_a_datum_differently_or_not_at_all_are_a_conflict(second: dict[str, date]) -> None:
    given = _given({"since": date(2025, 3, 1)}, second)
    with pytest.raises(hr.ConflictError) as caught:
        agreed_data("q.x", given, {"since": None}, member_id="M1", on=date(2026, 1, 1))
    assert caught.value.rule_ids == ("A-0", "A-1")
    assert "not on its 'since'" in str(caught.value) and "2025-03-01" in str(caught.value)


def test_a_standing_rule_whose_exception_fired_concurs_but_is_not_a_ground() -> None:
    # A (no) is an exception to B (yes), B to C (no): all fire, A and C stand; B fired
    # against C, so C's dates are not the answer's while A's reason holds unopposed.
    resolution = resolve("q.test", [rule("A-1", "no", "B-1"), rule("B-1", "yes", "C-1"), rule("C-1", "no")], member_id="M1", on=ON)
    assert [r.id for r in resolution.grounds] == ["A-1"] and resolution.deciding.id == "A-1"
    assert [r.id for r in resolution.concurring] == ["C-1"]


def test_when_every_standing_rule_is_opposed_all_are_grounds() -> None:
    resolution = resolve("q.test", [rule("A-1", "no"), rule("B-1", "yes", "A-1", fallback=True)], member_id="M1", on=ON)
    assert [r.id for r in resolution.grounds] == [r.id for r in (resolution.deciding, *resolution.concurring)]


def test_a_combined_datum_some_ground_does_not_give_is_absent() -> None:
    given = _given({"since": date(2025, 12, 1)}, {})
    assert agreed_data("q.x", given, {"since": "earliest"}, member_id="M1", on=date(2026, 1, 1)) == (given[0][0], {})
