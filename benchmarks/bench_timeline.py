"""Timelines: ``Rulebook.timelines`` for a whole membership against the per-member loop of
``Rulebook.timeline``, and ``Rulebook.timeline`` against a day-by-day sweep of ``evaluate``.

Run from the repository root (Python 3.11 or later, with durable-rules installed)::

    PYTHONPATH=src python benchmarks/bench_timeline.py --members 5000 --loop-members 1000

All compute every question's answers for each member over the same window (default
2024-10-01..2031-01-01, about 2,300 days). The population is the one of
``bench_evaluate.py`` (deterministic for a ``--seed``). Every figure follows a warm-up
on 200 *other* members (``--seed`` + 1): compiled programs and the engine's cache of
cases are warm, the memo of outcome data holds none of the measured members' values.

What each figure means:

- ``membership (batched)``: ``Rulebook.timelines(members, start, end)`` over the
  ``--members`` members: members/s, CPU µs per member (``time.process_time``) and wall
  time. ``first pass`` is the one run on these members (what a nightly run does);
  ``best of --repeat`` adds passes over the same members (their data memoised).
- ``per-member loop``: ``for m in members: Rulebook.timeline(m, start, end)`` over the
  first ``--loop-members`` members (it is slow); the batch is timed on the same members
  too, so the ratio compares like with like.
- ``identical``: every member's rows of the batch equal ``Rulebook.timeline(m).to_rows()``
  (members the rules cannot decide on some day: the same error, kind and message).
- ``--file N``: the CLI on an N-row CP932 CSV (``examples/membership_file.py``):
  ``hokensho-rules timeline FILE --from … --to … -o timelines.parquet``, CPU time of the
  child process per member (reading, validating, computing, writing) and wall time.
- ``day-by-day sweep``: ``Rulebook.evaluate`` on every day for the first
  ``--sweep-members`` members (0: not run), against their timelines, and a check that
  every day agrees with the timeline's interval holding it.

Figures are from one shared 2-core machine: compare the ratios, not the rates.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from bench_evaluate import make_member

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import membership_file  # noqa: E402 - the examples folder, put on the path just above

from hokensho_rules import DecisionError, Member, Rulebook, Timeline, Timelines
from hokensho_rules.evaluation.timelines import timeline_evaluator


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def loop(book: Rulebook, members: Sequence[Member], start: date, end: date) -> dict[str, Timeline | Exception]:
    """The per-member loop: each member's Timeline, or the error it raised."""
    found: dict[str, Timeline | Exception] = {}
    for member in members:
        try:
            found[member.id] = book.timeline(member, start, end)
        except (DecisionError, ValueError) as error:
            found[member.id] = error
    return found


def batched(book: Rulebook, members: Sequence[Member], start: date, end: date) -> Timelines:
    """The batch: one call for the whole membership."""
    return book.timelines(members, start, end)


def same_answers(table: Timelines, looped: dict[str, Timeline | Exception]) -> tuple[bool, int]:
    """Whether every member's rows (or error) of the batch are those of the loop; members in error."""
    rows: dict[str, list[dict[str, object]]] = {}
    for row in table.to_rows():
        rows.setdefault(str(row["member_id"]), []).append(row)
    errors = {e.member_id: e for e in table.errors}
    for member_id, expected in looped.items():
        if isinstance(expected, Exception):
            error = errors.get(member_id)
            if error is None or (error.kind, error.problem) != (type(expected).__name__, str(expected)):
                return False, len(errors)
        elif rows.get(member_id, []) != expected.to_rows():
            return False, len(errors)
    return len(rows) + len(errors) == len(looped), len(errors)


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def sweep(book: Rulebook, members: Sequence[Member], window: Sequence[date]) -> float:
    began = time.process_time()
    for member in members:
        for day in window:
            try:
                book.evaluate(member, day)
            except DecisionError:
                pass
    return time.process_time() - began


def disagreements(book: Rulebook, timeline: Timeline, window: Sequence[date], member: Member) -> int:
    """Days on which some question's interval differs from that day's evaluation."""
    bad = 0
    for day in window:
        decision = book.evaluate(member, day)
        held = timeline.at(day)
        if any((held[q].outcome, held[q].rule_id) != (v.outcome, v.rule_id) for q, v in decision.items()):
            bad += 1
    return bad


def line(label: str, n: int, cpu: float, wall: float) -> str:
    return f"{label:<34}{n:>8,}{n / cpu:>12,.0f}{cpu / n * 1e6:>12,.0f}{wall:>10.2f}"


def cli_figures(rows: int, start: date, end: date) -> None:
    """The CLI on a generated file of ``rows`` members: CPU time of the child per member, wall time."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "members.csv", Path(folder) / "timelines.parquet"
        membership_file.write(rows, str(source), encoding="cp932", headers="ja", dates="wareki")
        command = Path(sys.executable).parent / "hokensho-rules"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        done = subprocess.run([str(command), "timeline", str(source), "--from", start.isoformat(), "--to", end.isoformat(),
                               "-o", str(target)], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print()
        print(f"CLI timeline, {rows:,}-row CP932 CSV → Parquet: {rows / cpu:,.0f} members/s per core, "
              f"{cpu / rows * 1e6:,.0f} CPU µs/member, {wall:.1f} s wall, exit {done.returncode}; "
              f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5000, help="members of the batched runs")
    parser.add_argument("--loop-members", type=int, default=1000, help="members of the per-member loop (the first ones)")
    parser.add_argument("--sweep-members", type=int, default=20, help="members swept day by day (0: none)")
    parser.add_argument("--seed", type=int, default=20241202)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 10, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2031, 1, 1))
    parser.add_argument("--repeat", type=int, default=3, help="passes of the batch over the same members; the best is kept")
    parser.add_argument("--file", type=int, default=0, help="rows of a CP932 CSV to run the CLI on (0: none)")
    args = parser.parse_args()
    start, end = args.start, args.end

    book = Rulebook.load()
    rng = random.Random(args.seed)
    members = [make_member(rng, i) for i in range(args.members)]
    warm_rng = random.Random(args.seed + 1)
    warm = [make_member(warm_rng, i) for i in range(200)]
    loop(book, warm, start, end)
    batched(book, warm, start, end)
    sample = members[: args.loop_members]

    print(f"rulebook: {book}; window {start}..{end} ({(end - start).days + 1:,} days)")
    print()
    print(f"{'figure':<34}{'members':>8}{'members/s':>12}{'CPU µs/m':>12}{'wall s':>10}")
    cpu_first, wall_first, _ = timed(lambda: batched(book, members, start, end))
    print(line("membership (batched), first pass", len(members), cpu_first, wall_first))
    passes = [timed(lambda: batched(book, members, start, end))[:2] for _ in range(max(0, args.repeat - 1))]
    if passes:
        cpu_best, wall_best = min(passes)
        print(line(f"membership (batched), best of {args.repeat}", len(members), cpu_best, wall_best))

    # Like with like: fresh members for both (the batch's memo holds none of their values).
    fresh_rng = random.Random(args.seed + 2)
    fresh = [make_member(fresh_rng, i) for i in range(len(sample))]
    cpu_batch, wall_batch, got = timed(lambda: batched(book, fresh, start, end))
    cpu_loop, wall_loop, expected = timed(lambda: loop(book, fresh, start, end))
    print(line("  batched, other members", len(fresh), cpu_batch, wall_batch))
    print(line("  per-member loop, same members", len(fresh), cpu_loop, wall_loop))
    print()
    print(f"batched / per-member loop, same members: {cpu_loop / cpu_batch:.1f}x less CPU, "
          f"{wall_loop / wall_batch:.1f}x less wall time")
    per_loop = cpu_loop / len(fresh)
    print(f"per member, first pass of {len(members):,} against the loop: {per_loop / (cpu_first / len(members)):.1f}x less CPU")
    assert isinstance(got, Timelines) and isinstance(expected, dict)
    same, undecided = same_answers(got, expected)
    print(f"identical: {same} ({len(expected):,} members, {undecided} with the same error row)")
    evaluator = timeline_evaluator(book)
    print(f"engine: {evaluator.engine_calls:,} stratum decisions, {evaluator.cache_hits:,} from the cache of cases, "
          f"{evaluator.reused:,} strata taken over from the point before")

    if args.file:
        cli_figures(args.file, start, end)

    if args.sweep_members:
        swept = list(members[: args.sweep_members])
        window = days(start, end)
        built = {}
        for m in swept:
            try:
                built[m.id] = book.timeline(m, start, end)
            except DecisionError:
                continue
        swept = [m for m in swept if m.id in built]
        sweep_s = sweep(book, swept, window)
        line_s = timed(lambda: loop(book, swept, start, end))[0]
        bad = sum(disagreements(book, built[m.id], window, m) for m in swept)
        points = [len(t.points) for t in built.values()]
        print()
        print(f"day-by-day sweep of {len(swept)} members: {sweep_s / len(swept) * 1e3:,.0f} ms CPU/member, "
              f"timeline {line_s / len(swept) * 1e3:,.1f} ms: {sweep_s / line_s:.0f}x; {bad} days disagree; "
              f"change points per member: mean {statistics.mean(points):.1f}, max {max(points)} (of {len(window):,} days)")


if __name__ == "__main__":
    main()
