"""Rules that concur on an outcome agree on its data, or the question says how they combine.

Two reasons can end one document on different days (a card expired in June and lost in
August stopped in June). ``evaluation/resolve.py``: the data come from the *grounds*,
the standing rules none of whose exceptions fired (an expiry within its grace does not
date a card returned later); a datum a question declares ``concurring: earliest``
carries the earliest value a ground gives, and the rule named is one that gives it; any
other datum grounds give differently is a ConflictError, never the first rule's value. The prover shows no shipped rulebook has such a conflict
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
from hokensho_rules.law.conditions import first_failing
from hokensho_rules.testing import evaluation_dates, members, situations

IN_FORCE = hr.Rulebook.load()
SHIPPED = [hr.Rulebook.load(["seed"]), *(hr.Rulebook.load(["seed", p]) for p in IN_FORCE.packs[1:]), IN_FORCE]
IDS = [("+".join(b.packs[1:]) or "seed").replace("_", "-")[:40] for b in SHIPPED]


def test_the_combined_data_are_dates_of_the_not_usable_and_target_answers() -> None:
    combined = {(q, k): way for q, data in IN_FORCE.law.concurring.items() for k, way in data.items() if way}
    assert combined == {
        ("paper_card.usable", "replace_by"): "earliest",
        ("my_number_card.usable", "since"): "earliest",
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
            fired = {r.id for r in book.rules.values() if r.question == question and first_failing(r, trace.record, params) is None}
            # The grounds: the standing rules none of whose exceptions fired (all, if each has one).
            grounds = [r for r in standing if not any(r.id in book.rules[f].overrides for f in fired)] or list(standing)
            assert verdict.rule in grounds, question
            given_ = {r.id: {k: v for k, c in book.data_of(r, params) if (v := c(trace.record)) is not None} for r in grounds}
            for key in {k for data in given_.values() for k in data}:
                values = {rid: data[key] for rid, data in given_.items() if key in data}
                if book.law.concurring[question].get(key) == "earliest":
                    if len(values) < len(grounds):  # a ground without that date: the answer has none
                        assert key not in verdict.data, (question, key)
                        continue
                    assert verdict.data[key] == min(values.values()), (question, key)
                    assert values.get(verdict.rule.id) == verdict.data[key], (question, key)  # named by its reason
                else:  # no way to combine: every ground gives the same value
                    assert len(values) == len(grounds) and {*values.values()} == {verdict.data[key]}, (question, key)
        answers, _ = lean.answers(member, on, situation=situation)
        assert {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in answers.items()} == {
            q: (v.outcome, v.rule_id, dict(v.data)) for q, v in trace.verdicts.items()
        }

    check()
