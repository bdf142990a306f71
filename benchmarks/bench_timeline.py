"""``Rulebook.timeline`` against a day-by-day sweep of ``Rulebook.evaluate``.

Run from the repository root (Python 3.11 or later, with durable-rules installed)::

    PYTHONPATH=src python benchmarks/bench_timeline.py --members 200

Both compute every question's answers for each member over the same window
(default 2024-10-01..2031-01-01, about 2,300 days): the timeline by evaluating only on
its change points, the sweep by evaluating every day. The population is the one of
``bench_evaluate.py`` (deterministic for a ``--seed``); members the rules cannot decide
on some day are left out.

What each figure means:

- ``timeline`` / ``day-by-day``: members/s of each, the best of ``--repeat`` passes
  after a warm-up; the ratio is how many times faster the timeline is.
- ``change points``: evaluations a timeline made per member (mean, max), against the
  days of the window a sweep evaluates.
- ``intervals`` and ``changes``: mean per member, over all questions.
- ``checked``: for the first ``--check`` members, every day of the sweep is compared
  with the timeline's interval holding it (outcome and deciding rule), untimed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TypeVar

from bench_evaluate import make_member

from hokensho_rules import DecisionError, Member, Rulebook, Timeline

T = TypeVar("T")


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def decidable(book: Rulebook, candidates: Sequence[Member], start: date, end: date) -> list[Member]:
    """Members every day of the window can be decided for (a timeline would raise otherwise)."""
    kept = []
    for member in candidates:
        try:
            book.timeline(member, start, end)
        except DecisionError:
            continue
        kept.append(member)
    return kept


def timelines(book: Rulebook, members: Sequence[Member], start: date, end: date) -> float:
    began = time.perf_counter()
    for member in members:
        book.timeline(member, start, end)
    return time.perf_counter() - began


def sweep(book: Rulebook, members: Sequence[Member], window: Sequence[date]) -> float:
    began = time.perf_counter()
    for member in members:
        for day in window:
            book.evaluate(member, day)
    return time.perf_counter() - began


def disagreements(book: Rulebook, timeline: Timeline, window: Sequence[date], member: Member) -> int:
    """Days on which some question's interval differs from that day's evaluation."""
    bad = 0
    for day in window:
        decision = book.evaluate(member, day)
        held = timeline.at(day)
        if any((held[q].outcome, held[q].rule_id) != (v.outcome, v.rule_id) for q, v in decision.items()):
            bad += 1
    return bad


def best_of(repeat: int, run: Callable[[], float]) -> float:
    """The fastest of ``repeat`` runs (the least disturbed by the rest of the machine)."""
    return min(run() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20241202)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 10, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2031, 1, 1))
    parser.add_argument("--repeat", type=int, default=3, help="timed passes of the timelines; the best is kept")
    parser.add_argument("--sweep-repeat", type=int, default=1, help="timed passes of the (slow) sweep")
    parser.add_argument("--check", type=int, default=20, help="members whose timeline is checked day by day")
    args = parser.parse_args()
    start, end = args.start, args.end

    book = Rulebook.load()
    rng = random.Random(args.seed)
    generated = [make_member(rng, i) for i in range(args.members)]
    members = decidable(book, generated, start, end)  # also the warm-up of the timelines
    window = days(start, end)
    n = len(members)
    sweep(book, members[:3], window)  # warm-up: parameters of every day, compiled programs

    timeline_s = best_of(max(1, args.repeat), lambda: timelines(book, members, start, end))
    sweep_s = best_of(max(1, args.sweep_repeat), lambda: sweep(book, members, window))

    built = [book.timeline(m, start, end) for m in members]
    points = [len(t.points) for t in built]
    intervals = [sum(len(runs) for runs in t.values()) for t in built]
    changes = [len(t.changes()) for t in built]
    checked = members[: args.check]
    bad = sum(disagreements(book, t, window, m) for t, m in zip(built, checked))

    print(f"rulebook: {book}; window {start}..{end} ({len(window)} days)")
    print(f"members: {n} (undecidable on some day, left out: {args.members - n}); "
          f"checked day by day: {len(checked)} members, {bad} days disagree")
    print()
    print(f"{'figure':<28}{'seconds':>10}{'members/s':>12}{'ms/member':>11}{'evaluations/member':>20}")
    for label, seconds, evaluations in (
        ("timeline", timeline_s, statistics.mean(points)),
        ("day-by-day sweep", sweep_s, float(len(window))),
    ):
        print(f"{label:<28}{seconds:>10.3f}{n / seconds:>12,.1f}{seconds / n * 1e3:>11.2f}{evaluations:>20,.1f}")
    print()
    print(f"timeline / sweep: {sweep_s / timeline_s:.0f}x faster")
    print(f"change points per member: mean {statistics.mean(points):.1f}, max {max(points)} "
          f"(of {len(window)} days); intervals per member {statistics.mean(intervals):.1f}; "
          f"changes per member {statistics.mean(changes):.1f}")


if __name__ == "__main__":
    main()
