"""Throughput and peak memory of ``plan_mailing`` on a generated population.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_mailing.py --members 100000

The population is deterministic (``--seed``): households of 1–8 members (mostly 1–4,
~5 % of 6 or more, so ML-1 splits them), one employer per household out of
``--employers``, ~3 % voluntary continuation insured (mailed directly). Members are
built before timing. ``plan`` is members/s of ``plan_mailing`` (best of ``--repeat``
after a warm-up); ``peak`` is the tracemalloc peak of one call, i.e. what the plan and
its working data take beyond the members themselves.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import date

from hokensho_rules import Member, Rulebook, plan_mailing

ON = date(2024, 10, 23)
SIZES = (1, 2, 3, 4, 5, 6, 8)
WEIGHTS = (30, 25, 20, 15, 5, 3, 2)


def population(n: int, employers: int, seed: int) -> list[Member]:
    rng = random.Random(seed)
    people: list[Member] = []
    while len(people) < n:
        household = f"H{len(people):07d}"
        employer = f"E{rng.randrange(employers):04d}"
        for _ in range(min(rng.choices(SIZES, WEIGHTS)[0], n - len(people))):
            voluntary = rng.random() < 0.03
            people.append(Member(
                id=f"M{len(people):07d}", kind="insured", enrolled_on=date(2020, 4, 1), my_number_held=True,
                employer=None if voluntary else employer, household=household, voluntary_continuation=voluntary,
            ))
    rng.shuffle(people)
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--employers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20241023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    book = Rulebook.load()
    people = population(args.members, args.employers, args.seed)
    plan_mailing(people[:1000], book, on=ON)
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        plan = plan_mailing(people, book, on=ON)
        best = min(best, time.perf_counter() - start)
    del plan
    tracemalloc.start()
    plan = plan_mailing(people, book, on=ON)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n, boxes = len(people), sum(c.boxes for c in plan.counts().values())
    print(f"{plan!r}; {boxes} boxes")
    print(f"plan_mailing: {n:,} members in {best:.3f} s = {n / best:,.0f} members/s "
          f"({best / n * 1e6:.2f} µs/member, best of {args.repeat}); tracemalloc peak {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
