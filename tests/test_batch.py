"""evaluate_many: one result per input row, in order, errors in place, on a process pool; results pickle."""

from __future__ import annotations

import gc
import pickle
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import hokensho_rules as hr
from hokensho_rules.evaluation.outcomes import evaluator_for
from hokensho_rules.rulebook.book import loaded_rulebook
from rule_files import lost_card

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from membership import generate

ON = date(2025, 12, 2)


def same_answers(result: hr.MemberResult, decision: hr.Decision) -> bool:
    return {q: (a.outcome, a.rule_id, dict(a.data)) for q, a in result.answers.items()} == {
        q: (v.outcome, v.rule_id, dict(v.data)) for q, v in decision.items()
    }


def test_every_member_gets_the_answers_and_actions_of_evaluate_in_input_order(book: hr.Rulebook) -> None:
    members = generate(400)
    results = list(hr.evaluate_many(iter(members), ON, rulebook=book, processes=1, chunk_size=64))
    assert [r.row for r in results] == list(range(1, 401))
    assert [r.member_id for r in results] == [m.id for m in members]
    listed = book.actions(members, ON)
    for member, result in zip(members, results, strict=True):
        assert isinstance(result, hr.MemberResult)
        assert same_answers(result, book.evaluate(member, ON))
    # The same pass gives the action list: the same rows as book.actions (which sorts them).
    from_batch = sorted((a.member_id, a.question, a.due) for r in results for a in r.actions)  # type: ignore[union-attr]
    assert from_batch == sorted((a.member_id, a.verdict.question, a.due) for a in listed)
    assert any(a.overdue for r in results for a in r.actions)  # type: ignore[union-attr]


def test_a_bad_row_becomes_an_error_row_in_place_and_the_batch_goes_on(book: hr.Rulebook) -> None:
    good = generate(3)
    beyond_calendar = hr.Member(  # a card's grace after an expiry in 9999 ends past date.max: an error for this row only
        id="M-FAR", kind="insured", enrolled_on=date(2020, 4, 1),
        my_number_card=hr.MyNumberCard(registered_for_insurance_on=date(2022, 1, 1), certificate_expires_on=date(9999, 11, 1)),
    )
    rows: list[object] = [
        good[0],
        {"id": "M-CELL", "kind": "insured", "enrolled_on": "2020-04-31"},
        good[1],
        {"id": "M-UNKNOWN", "kind": "insured", "enrolled_on": "2020-04-01", "shoe_size": "42"},
        beyond_calendar,
        42,
        {"id": "M-OK", "kind": "被保険者", "enrolled_on": "令和2年4月1日", "paper_card.issued_on": "2020/04/01"},
        good[2],
    ]
    results = list(hr.evaluate_many(rows, ON, rulebook=book, processes=1, chunk_size=3))
    assert [r.row for r in results] == list(range(1, 9))
    assert [r.ok for r in results] == [True, False, True, False, False, False, True, True]
    cell, unknown, far, wrong = (r for r in results if isinstance(r, hr.RowError))
    assert (cell.member_id, cell.column, cell.value) == ("M-CELL", "enrolled_on", "2020-04-31")
    assert "not a date" in cell.problem
    assert "unknown column 'shoe_size'" in unknown.problem and unknown.kind == "SchemaError"
    assert far.member_id == "M-FAR" and "year 10000 is out of range" in far.problem and far.kind == "ValueError"
    assert wrong.member_id is None and "got int" in wrong.problem
    assert str(cell).startswith("row 2 (member M-CELL), column enrolled_on, value '2020-04-31': ")
    ok = results[6]
    assert isinstance(ok, hr.MemberResult) and ok.answers["paper_card.usable"].rule_id == "PC-3"


@pytest.mark.parametrize("cache", [True, False])
def test_a_conflict_is_an_error_row_naming_its_own_member_even_from_the_cache(
    conflicting_book: hr.Rulebook, cache: bool
) -> None:
    fine = hr.Member(id="M-FINE", kind="insured", enrolled_on=date(2020, 4, 1))
    members = [lost_card("M-LOST-1"), fine, lost_card("M-LOST-2")]
    results = list(hr.evaluate_many(members, date(2025, 1, 5), rulebook=conflicting_book, processes=1, cache=cache))
    first, middle, second = results
    assert isinstance(first, hr.RowError) and isinstance(second, hr.RowError) and middle.ok
    assert (first.kind, first.member_id, second.member_id) == ("ConflictError", "M-LOST-1", "M-LOST-2")
    assert "member M-LOST-2, question paper_card.usable" in second.problem


def test_two_processes_give_exactly_what_one_gives(book: hr.Rulebook) -> None:
    members: list[object] = [*generate(300), {"id": "BAD", "kind": "insured", "enrolled_on": "soon"}]
    alone = list(hr.evaluate_many(members, ON, rulebook=book, processes=1, chunk_size=40))
    pooled = list(hr.evaluate_many(iter(members), ON, rulebook=book, processes=2, chunk_size=40))
    assert pooled == alone
    assert [r.row for r in pooled] == list(range(1, 302)) and not pooled[-1].ok


def test_decisions_travel_back_from_workers_and_still_explain(book: hr.Rulebook) -> None:
    members = generate(5)
    results = list(hr.evaluate_many(members, ON, rulebook=book, processes=2, chunk_size=2, decisions=True))
    for member, result in zip(members, results, strict=True):
        assert isinstance(result, hr.MemberResult)
        expected = book.evaluate(member, ON)
        assert result.decision.verdicts == expected.verdicts
        assert result.decision.explain("en") == expected.explain("en")


def test_a_rulebook_pickles_as_its_packs_and_root_and_loads_once_per_process(book: hr.Rulebook) -> None:
    data = pickle.dumps(book)
    assert len(data) < 1_000  # its packs and root, not its rules
    again = pickle.loads(data)
    assert again.packs == book.packs and again.rules == book.rules
    assert pickle.loads(data) is again is loaded_rulebook(book.packs, None, ())


def test_decisions_results_and_errors_pickle(book: hr.Rulebook) -> None:
    decision = book.evaluate(generate(1)[0], ON)
    data = pickle.dumps(decision)
    assert len(data) < 10_000  # rules travel as ids, not copies
    back = pickle.loads(data)
    assert back.verdicts == decision.verdicts and back.record == decision.record
    assert back.explain("ja") == decision.explain("ja")
    result = evaluator_for(book).result(7, generate(4)[3], ON)
    assert result.actions and pickle.loads(pickle.dumps(result)) == result
    error = hr.RowError(3, None, "not a date", "ValueError", "資格取得日", "2020-13-01")
    assert pickle.loads(pickle.dumps(error)) == error


def test_bad_arguments_are_refused_before_any_work(book: hr.Rulebook) -> None:
    member = generate(1)[0]
    with pytest.raises(TypeError, match="got one Member"):
        list(hr.evaluate_many(member, ON, rulebook=book))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be a datetime.date"):
        list(hr.evaluate_many([member], "2025-12-02", rulebook=book))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="processes must be at least 1"):
        list(hr.evaluate_many([member], ON, rulebook=book, processes=0))


def _repeated(count: int) -> Iterator[hr.Member]:
    # Ever new members (new ids) with facts the cache has seen: what grows is only the stream.
    base = generate(200)
    for i in range(count):
        yield base[i % 200].model_copy(update={"id": f"R{i:07d}"})


def _peak(count: int, book: hr.Rulebook) -> int:
    gc.collect()
    tracemalloc.start()
    done = sum(1 for _ in hr.evaluate_many(_repeated(count), ON, rulebook=book, processes=1, chunk_size=100))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert done == count
    return peak


def _warm(count: int, book: hr.Rulebook) -> None:
    for _ in hr.evaluate_many(_repeated(count), ON, rulebook=book, processes=1, chunk_size=100):
        pass


def test_memory_stays_flat_in_the_number_of_members(book: hr.Rulebook) -> None:
    # Warm the caches first. Python's free lists keep up to 2,000 freed tuples of each
    # small size, which tracemalloc counts as live: a bounded amount (well under 1.5 MiB
    # here) that a run of more members may fill further. Keeping one result per member
    # (about 1 KiB each) would add more than 2 MiB between these two runs.
    _warm(1_500, book)
    small, large = _peak(300, book), _peak(2_700, book)
    assert large - small < 1.5 * 2**20, (small, large)


def test_the_result_of_a_member_has_its_outcomes(book: hr.Rulebook) -> None:
    result = next(iter(hr.evaluate_many(generate(1), ON, rulebook=book, processes=1)))
    assert isinstance(result, hr.MemberResult)
    assert result.outcomes()["member.eligible"] in ("yes", "no")
    assert "presentation.paper_card" not in result.answers  # no counter in a batch
