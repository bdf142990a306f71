"""Fuzz every public entry point with Hypothesis: 100,000 cases or more (issue 11, part 3).

Run from the repository root (the targets live in ``tests/fuzz_targets.py``, which
``tests/test_fuzz.py`` runs for a few hundred cases)::

    PYTHONPATH=src python benchmarks/fuzz.py                   # 100,000 cases
    PYTHONPATH=src python benchmarks/fuzz.py --cases 20000 --seed 7 --jobs 1

Each case hands one entry point hostile input (wrong types, dates in year 1 or 9999,
huge, control-character and Japanese texts, NaN, missing and extra fields, hostile
rule files) and checks that it answers correctly, as the same rules evaluated in pure
Python do, or raises one of the library's own clear errors; and that a reference
member's decision is unchanged after it. A case that takes longer than ``--hang``
seconds (default 120) kills the run with every thread's stack: a hang is a failure.

Prints the cases run per target and how they ended, the time, peak memory, and every
failure with its falsifying example; exits 1 if any target failed. The cases are
split over ``--jobs`` forked processes (default 2, one per core here), each with its
own seed, engine handles and rules/ folder.
"""

from __future__ import annotations

import argparse
import faulthandler
import multiprocessing
import platform
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzz_targets  # after the path to tests/

# Shares of the cases, roughly by how much each entry point can take; the costly
# targets (a timeline is dozens of evaluations, a rule file a YAML parse) get fewer.
SHARES = {
    "member input": 0.42,
    "evaluate": 0.26,
    "decision methods": 0.12,
    "actions and mailing": 0.09,
    "timeline": 0.06,
    "compare": 0.03,
    "rule files": 0.02,
}


def run_targets(job: int, wanted: dict[str, int], base_seed: int, hang: float) -> dict[str, object]:
    """Run each target for ``wanted[name]`` examples in this process; what happened."""
    faulthandler.enable()
    fuzz_targets.ON_CASE.append(lambda: faulthandler.dump_traceback_later(hang, exit=True))
    seconds: dict[str, float] = {}
    failures: list[tuple[str, str]] = []
    for name, count in wanted.items():
        # Shrinking a failure is worth the time; the example database is not (fresh inputs each run).
        configured = settings(
            max_examples=count, deadline=None, database=None, derandomize=False,
            suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
        )(seed(base_seed * 1000 + job)(fuzz_targets.ALL[name]))
        t0 = time.perf_counter()
        try:
            configured()
        except Exception:  # noqa: BLE001 - any falsified property, of any type: Hypothesis printed its example
            failures.append((name, traceback.format_exc(limit=-3)))
        seconds[name] = time.perf_counter() - t0
    faulthandler.cancel_dump_traceback_later()
    fuzz_targets.remove_root()
    return {"cases": dict(fuzz_targets.CASES), "outcomes": dict(fuzz_targets.OUTCOMES), "seconds": seconds,
            "failures": failures, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in all (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--hang", type=float, default=120.0, help="seconds one case may take (default 120)")
    parser.add_argument("--only", choices=sorted(SHARES), action="append", help="run only these targets")
    args = parser.parse_args()

    chosen = {name: share for name, share in SHARES.items() if not args.only or name in args.only}
    total_share = sum(chosen.values())
    per_job = {name: max(1, -(-round(args.cases * share / total_share) // args.jobs)) for name, share in chosen.items()}
    print(f"Python {platform.python_version()}, seed {args.seed}, {args.cases:,} cases over {len(chosen)} targets "
          f"in {args.jobs} process(es)", flush=True)
    started = time.perf_counter()
    if args.jobs == 1:
        results = [run_targets(0, per_job, args.seed, args.hang)]
    else:
        # Forked workers share the loaded rulebooks; each has its own engine handles and rules/ folder.
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            results = pool.starmap(run_targets, [(job, per_job, args.seed, args.hang) for job in range(args.jobs)])
    elapsed = time.perf_counter() - started

    cases: Counter[str] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    seconds: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    for result in results:
        cases.update(result["cases"])  # type: ignore[arg-type]
        outcomes.update(result["outcomes"])  # type: ignore[arg-type]
        seconds.update(result["seconds"])  # type: ignore[arg-type]
        failures += result["failures"]  # type: ignore[arg-type]
    for name in chosen:
        ends = ", ".join(f"{how} {n:,}" for (target, how), n in sorted(outcomes.items()) if target == name)
        print(f"  {name:<20} {cases[name]:>8,} cases {seconds[name]:>8.1f} s cpu   {ends}")
    total = sum(cases.values())
    peak = max(float(result["peak_mb"]) for result in results)  # type: ignore[arg-type]
    print(f"{total:,} cases in {elapsed:.1f} s ({total / elapsed:,.0f}/s), peak RSS per process {peak:.0f} MB, "
          f"{len(failures)} failure(s)")
    for name, text in failures:
        print(f"\nFAILURE in {name}:\n{text}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
