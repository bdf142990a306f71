"""Threads and isolation (issue 11, part 4): no evaluation sees another's facts, errors or rulebook.

The C core keeps process-wide state; the adapter serialises each assert/drain/retract
under one lock, replaces a ruleset's handle after an engine error, and names every
ruleset uniquely. These tests drive that with the real engine and real rule files.
"""

from __future__ import annotations

import gc
import random
import sys
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import FrameType

import pytest
from fuzz_targets import answers, check_evaluation
from rule_files import eligibility_rule, write_rulebook

import hokensho_rules as hr

DAYS = (date(2024, 10, 1), date(2025, 8, 15), date(2025, 12, 2), date(2027, 1, 1))
COUNTER = hr.Situation(online_verification=True, smartphone=False, card_reader_out_of_order=True)


def population(count: int, seed: int = 11) -> list[hr.Member]:
    """Members with varied documents and histories around the transition, reproducibly."""
    rng = random.Random(seed)

    def day(first: date, last: date) -> date:
        return first + timedelta(days=rng.randrange((last - first).days + 1))

    members = []
    for i in range(count):
        enrolled = day(date(2015, 1, 1), date(2026, 1, 1))
        kind = rng.choice(["insured", "dependant"])
        voluntary = kind == "insured" and rng.random() < 0.1
        held = rng.random() < 0.8
        registered = day(date(2021, 10, 20), date(2026, 6, 1)) if rng.random() < 0.6 else None
        members.append(hr.Member(
            id=f"M{i:04d}", kind=kind, enrolled_on=enrolled, voluntary_continuation=voluntary,
            loss_on=day(enrolled + timedelta(days=1), date(2031, 1, 1)) if rng.random() < 0.15 else None,
            my_number_held=held,
            insurer_registered_on=day(date(2021, 10, 1), date(2026, 1, 1)) if held and rng.random() < 0.7 else None,
            employer=None if voluntary else rng.choice(["E1", "E2", None]),
            household=rng.choice(["H1", "H2", None]),
            paper_card=hr.PaperCard(issued_on=max(enrolled, date(2016, 1, 1)),
                                    lost_on=day(date(2024, 1, 1), date(2026, 1, 1)) if rng.random() < 0.1 else None)
            if enrolled <= date(2024, 12, 1) and rng.random() < 0.8 else None,
            my_number_card=hr.MyNumberCard(registered_for_insurance_on=registered) if rng.random() < 0.7 else None,
            certificate=hr.Certificate(issued_on=day(date(2024, 12, 2), date(2026, 6, 1))) if rng.random() < 0.2 else None,
            enrolment_notified_on=enrolled + timedelta(days=rng.randrange(-10, 20)) if rng.random() < 0.5 else None,
        ))
    return members


BOOK = hr.Rulebook.load()
MEMBERS = population(120)
JOBS = [(m, DAYS[i % len(DAYS)], COUNTER if i % 3 == 0 else None) for i, m in enumerate(MEMBERS)]
SERIAL = [answers(BOOK.evaluate(m, on, situation=s)) for m, on, s in JOBS]


def _answers_of(book: hr.Rulebook, jobs: list[tuple[hr.Member, date, hr.Situation | None]]) -> list[dict[str, tuple[object, ...]]]:
    return [answers(book.evaluate(m, on, situation=s)) for m, on, s in jobs]


def test_eight_threads_evaluating_at_once_answer_as_one_thread() -> None:
    results: list[list[dict[str, tuple[object, ...]]] | None] = [None] * 8
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            start.wait()
            # Each thread in its own order, so that different members meet in the engine.
            order = list(range(len(JOBS)))
            random.Random(k).shuffle(order)
            found: dict[int, dict[str, tuple[object, ...]]] = {}
            for i in order:
                member, on, situation = JOBS[i]
                found[i] = answers(BOOK.evaluate(member, on, situation=situation))
            results[k] = [found[i] for i in range(len(JOBS))]
        except BaseException as error:  # noqa: BLE001 - whatever fails in a thread is reported by the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for k, found in enumerate(results):
        assert found == SERIAL, f"thread {k}"


def test_threads_building_timelines_action_lists_and_a_new_rulebook_at_once() -> None:
    # Compiling a new Rulebook's rulesets while others evaluate shares the C core too.
    expected_timeline = BOOK.timeline(MEMBERS[0], date(2024, 10, 1), date(2026, 12, 31)).to_rows()
    expected_actions = BOOK.actions(MEMBERS[:40], DAYS[2]).to_rows()
    found: dict[str, object] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(name: str, job: object) -> None:
        try:
            start.wait()
            found[name] = job()  # type: ignore[operator]
        except BaseException as error:  # noqa: BLE001 - whatever fails in a thread is reported by the test
            errors.append(error)

    jobs = {
        "timeline": lambda: BOOK.timeline(MEMBERS[0], date(2024, 10, 1), date(2026, 12, 31)).to_rows(),
        "actions": lambda: BOOK.actions(MEMBERS[:40], DAYS[2]).to_rows(),
        "new rulebook": lambda: _answers_of(hr.Rulebook.load(), JOBS[:40]),
        "evaluate": lambda: [answers(BOOK.evaluate(m, on, situation=s)) for m, on, s in JOBS],
    }
    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert found["timeline"] == expected_timeline
    assert found["actions"] == expected_actions
    assert found["new rulebook"] == SERIAL[:40]
    assert found["evaluate"] == SERIAL


# --- an engine error ---------------------------------------------------------------------


def _too_many_true_rules(tmp_path: Path) -> Path:
    """A rulebook the engine builds but cannot match for a member enrolled after 1990-03-11:
    70 rules of one question hold at once, past the engine's 64-entry matching stack."""
    rules = [eligibility_rule(f"T-{i}", [{"fact": "member.enrolled_on", "gte": date(1990, 1, 1) + timedelta(days=i)}])
             for i in range(70)]
    return write_rulebook(tmp_path, [*rules, eligibility_rule("T-100", [{"fact": "member.enrolled_on", "lt": date(1990, 1, 1)}], "no")])


def test_an_engine_error_in_one_evaluation_leaves_the_next_correct(tmp_path: Path) -> None:
    hostile = hr.Rulebook.load(root=_too_many_true_rules(tmp_path))
    overflowing = hr.Member(id="BIG", kind="insured", enrolled_on=date(2020, 4, 1))
    fine = [hr.Member(id=f"OK{i}", kind="insured", enrolled_on=date(1990, 1, 1) + timedelta(days=i)) for i in (0, 5, 30)]
    early = hr.Member(id="EARLY", kind="dependant", enrolled_on=date(1980, 1, 1))
    for _ in range(3):
        with pytest.raises(hr.EngineError, match="member BIG.*303"):
            hostile.evaluate(overflowing, date(2025, 1, 1))
        # The same ruleset, right after the error: right answers, as Python computes them.
        for member in [*fine, early]:
            assert check_evaluation(hostile, member, date(2025, 1, 1), None) == "answered"
        assert hostile.evaluate(fine[1], date(2025, 1, 1))["member.eligible"].rule_id == "T-0"
        assert hostile.evaluate(early, date(2025, 1, 1))["member.eligible"].outcome == "no"
        # And every other rulebook in the process is untouched.
        assert [answers(BOOK.evaluate(m, on, situation=s)) for m, on, s in JOBS[:30]] == SERIAL[:30]


def _interrupt_after(c_function: str) -> Callable[[FrameType, str, object], None]:
    """A profile hook raising KeyboardInterrupt as soon as ``c_function`` returns: Ctrl-C
    arriving at that moment, in the middle of the adapter's assert/drain/retract."""
    def hook(frame: FrameType, event: str, arg: object) -> None:
        if event == "c_return" and getattr(arg, "__name__", "") == c_function:
            sys.setprofile(None)
            raise KeyboardInterrupt
    return hook


@pytest.mark.parametrize("moment", ["assert_fact", "start_action_for_state", "complete_and_start_action"])
def test_an_interrupt_in_the_middle_of_an_evaluation_leaves_the_next_correct(moment: str) -> None:
    # An action started and never completed keeps the engine's state leased: before the
    # adapter replaced the ruleset after any exception, the next members fired nothing.
    book = hr.Rulebook.load()
    sys.setprofile(_interrupt_after(moment))
    try:
        with pytest.raises(KeyboardInterrupt):
            book.evaluate(*JOBS[0][:2], situation=JOBS[0][2])
    finally:
        sys.setprofile(None)
    assert _answers_of(book, JOBS) == SERIAL


def test_engine_errors_in_one_thread_leave_other_threads_answers_alone(tmp_path: Path) -> None:
    hostile = hr.Rulebook.load(root=_too_many_true_rules(tmp_path))
    overflowing = hr.Member(id="BIG", kind="insured", enrolled_on=date(2020, 4, 1))
    found: list[object] = []
    stop = threading.Event()
    failures = [0]

    def provoke() -> None:
        while not stop.is_set():
            try:
                hostile.evaluate(overflowing, date(2025, 1, 1))
            except hr.EngineError:
                failures[0] += 1

    def evaluate() -> None:
        found.append([answers(BOOK.evaluate(m, on, situation=s)) for m, on, s in JOBS])

    provoker = threading.Thread(target=provoke)
    workers = [threading.Thread(target=evaluate) for _ in range(3)]
    provoker.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    provoker.join()
    assert failures[0] > 0
    assert found == [SERIAL] * 3


# --- two rulebooks, and one loaded twice -----------------------------------------------------


def test_two_rulebooks_in_one_process_do_not_interfere() -> None:
    seed = hr.Rulebook.load(["seed"])
    alone_seed = [answers(seed.evaluate(m, on)) for m, on, _ in JOBS]
    alone_full = [answers(BOOK.evaluate(m, on)) for m, on, _ in JOBS]
    assert alone_seed != alone_full  # the later changes answer some members differently
    interleaved_seed, interleaved_full = [], []
    for member, on, _ in JOBS:
        interleaved_full.append(answers(BOOK.evaluate(member, on)))
        interleaved_seed.append(answers(seed.evaluate(member, on)))
    assert interleaved_seed == alone_seed and interleaved_full == alone_full
    comparison = hr.compare(seed, BOOK, MEMBERS[:10], date(2024, 10, 1), date(2026, 12, 31))
    assert all((d.left.outcome, d.left.rule_id, d.left.data) != (d.right.outcome, d.right.rule_id, d.right.data) for d in comparison)


def test_the_same_rulebook_loaded_again_as_a_rerun_notebook_cell_does() -> None:
    # A second ruleset of one name in one durable Host raises; here every load compiles
    # rulesets of its own, and a dropped one frees only its own engine handles.
    first = hr.Rulebook.load()
    expected = [answers(first.evaluate(m, on, situation=s)) for m, on, s in JOBS[:40]]
    for _ in range(4):
        again = hr.Rulebook.load()  # the cell, re-run: the name `again` now holds a new Rulebook
        assert [answers(again.evaluate(m, on, situation=s)) for m, on, s in JOBS[:40]] == expected
        handles = {s.engine._handle.number for p in first._programs.values() for s in p}
        assert handles.isdisjoint({s.engine._handle.number for p in again._programs.values() for s in p})
        del again
        gc.collect()
        assert [answers(first.evaluate(m, on, situation=s)) for m, on, s in JOBS[:40]] == expected
    assert expected == SERIAL[:40]
