"""The chunk decided stratum by stratum against the per-member walk, on the same facts, in one process.

Run from the repository root::

    python benchmarks/bench_chunk.py                   # 50,000 members
    python benchmarks/bench_chunk.py --members 10000   # quick

The members are those of ``examples/membership_file.py`` (parsed once, beforehand), flattened
on one day (``to_record``, not timed). Each pass starts from a new OutcomeEvaluator (cold
caches) and decides every member in chunks of 2,000:

- ``per-member walk``: ``OutcomeEvaluator._packed_fact`` member by member (what a chunk did
  before ``evaluation/chunk.py``);
- ``chunk walk``: ``evaluation.chunk.packed_chunk`` on each chunk.

Printed: CPU µs per member (``process_time``), members/s per core, the ratio, and whether
both gave the same packed answers for every member. Passes alternate (``--repeat``); the
best of each is kept. Not asserted: the machine is shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "examples")]

import membership_file

import hokensho_rules as hr
from hokensho_rules.evaluation.chunk import packed_chunk
from hokensho_rules.membership.batch import DEFAULT_CHUNK
from hokensho_rules.facts.table import FactTable
from hokensho_rules.evaluation.outcomes import OutcomeEvaluator
from hokensho_rules.facts.record import to_record
from hokensho_rules.membership.columns import parse_row
from hokensho_rules.membership.files import read_members

ON = date(2025, 12, 2)
CHUNK = DEFAULT_CHUNK


def members(count: int) -> list[hr.Member]:
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "members.csv"
        membership_file.write(count, str(source), encoding="cp932", headers="ja", dates="wareki")
        with read_members(source) as table:
            parsed = (parse_row(table.header, row, n) for n, row in enumerate(table.rows, start=1))
            return [m for m in parsed if isinstance(m, hr.Member)]


def per_member(book: hr.Rulebook, ids: list[str], facts: list[dict[str, object]]) -> tuple[float, list[object]]:
    evaluator = OutcomeEvaluator(book)
    copies = [dict(f) for f in facts]  # the walk adds answers to the fact it is given
    start = time.process_time()
    out: list[object] = []
    for member_id, fact in zip(ids, copies, strict=True):
        try:
            out.append(evaluator._packed_fact(member_id, ON, fact))  # type: ignore[arg-type]
        except (hr.DecisionError, ValueError):
            out.append(None)
    return time.process_time() - start, out


def by_chunk(book: hr.Rulebook, ids: list[str], facts: list[dict[str, object]]) -> tuple[float, list[object]]:
    evaluator = OutcomeEvaluator(book)
    start = time.process_time()
    out: list[object] = []
    for first in range(0, len(facts), CHUNK):
        out += packed_chunk(evaluator, ids[first:first + CHUNK], ON, FactTable.of_facts(facts[first:first + CHUNK]))  # type: ignore[arg-type]
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    book = hr.Rulebook.load()
    people = members(args.members)
    ids = [m.id for m in people]
    facts: list[dict[str, object]] = [to_record(m, ON) for m in people]  # type: ignore[misc]
    n = len(facts)
    best = {"per-member walk": float("inf"), "chunk walk": float("inf")}
    results = {}
    for _ in range(args.repeat):
        for label, run in (("per-member walk", per_member), ("chunk walk", by_chunk)):
            seconds, results[label] = run(book, ids, facts)
            best[label] = min(best[label], seconds)
    print(f"{book}; {n:,} members on {ON}, chunks of {CHUNK:,}; best of {args.repeat}\n")
    for label, seconds in best.items():
        print(f"  {label:<16} {seconds / n * 1e6:7.1f} µs/member CPU  {n / seconds:>9,.0f} members/s/core")
    print(f"  chunk walk: {best['per-member walk'] / best['chunk walk']:.2f}x the per-member walk")
    # None in the chunk walk: a row handed back to the per-member walk (an error row there).
    same = all(c == p or (c is None and p is None) for c, p in zip(results["chunk walk"], results["per-member walk"],
                                                                 strict=True))
    print(f"  same packed answers for every member: {same}")


if __name__ == "__main__":
    main()
