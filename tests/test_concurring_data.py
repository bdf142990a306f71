"""Rules that concur on an outcome agree on its data, or the question says how they combine.

Two reasons can end one document on different days (a card lost in March and expired
in December stopped in March). ``evaluation/resolve.py`` (``agreed_data``): a datum a
question declares ``concurring: earliest`` carries the earliest value a standing rule
gives; any other datum standing rules give differently is a ConflictError, never the
first rule's value. The prover shows no shipped rulebook has such a conflict
(``tests/test_prove.py``); these properties check the library's answers on generated
members under every shipped rulebook, on both evaluation paths.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hokensho_rules as hr
from hokensho_rules.evaluation.outcomes import evaluator_for
from hokensho_rules.testing import evaluation_dates, members, situations

IN_FORCE = hr.Rulebook.load()
SHIPPED = [hr.Rulebook.load(["seed"]), *(hr.Rulebook.load(["seed", p]) for p in IN_FORCE.packs[1:]), IN_FORCE]
IDS = [("+".join(b.packs[1:]) or "seed").replace("_", "-")[:40] for b in SHIPPED]


def test_the_combined_data_are_dates_of_the_not_usable_and_target_answers() -> None:
    combined = {(q, k): way for q, data in IN_FORCE.law.concurring.items() for k, way in data.items() if way}
    assert combined == {
        ("paper_card.usable", "replace_by"): "earliest",
        ("my_number_card.usable", "since"): "earliest",
        ("my_number_card.usable", "grace_until"): "earliest",
        ("certificate.usable", "since"): "earliest",
        ("certificate.ex_officio_target", "since"): "earliest",
    }


@pytest.mark.parametrize("book", SHIPPED, ids=IDS)
def test_every_answer_carries_the_agreed_data_of_all_its_standing_rules(book: hr.Rulebook) -> None:
    lean = evaluator_for(book, cache=False)

    @settings(max_examples=60)
    @given(members(), evaluation_dates(book), st.none() | situations())
    def check(member: hr.Member, on: date, situation: hr.Situation | None) -> None:
        trace = book.trace(member, on, situation=situation)
        params = book.params_on(on)
        for question, verdict in trace.verdicts.items():
            standing = (verdict.rule, *verdict.concurring)
            given_ = [{k: v for k, c in book.data_of(r, params) if (v := c(trace.record)) is not None} for r in standing]
            for key in {k for data in given_ for k in data}:
                values = [data[key] for data in given_ if key in data]
                way = book.law.concurring[question].get(key)
                if way == "earliest":
                    assert verdict.data[key] == min(values), (question, key)
                else:  # no way to combine: every standing rule gives the same value
                    assert len(values) == len(standing) and {*values} == {verdict.data[key]}, (question, key)
        answers, _ = lean.answers(member, on, situation=situation)
        assert {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in answers.items()} == {
            q: (v.outcome, v.rule_id, dict(v.data)) for q, v in trace.verdicts.items()
        }

    check()
