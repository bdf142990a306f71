"""The columnar path against rows read one by one and the per-member loop, file to file and frame to frame.

Run from the repository root (extras ``files`` and ``pandas``)::

    python benchmarks/bench_columnar.py                      # 100,000 rows
    python benchmarks/bench_columnar.py --members 20000      # quick
    python benchmarks/bench_columnar.py --million            # also 1,000,000 rows streamed (RSS, digest)

Printed, not asserted (the machine is shared: compare ratios in one run, and CPU time
rather than wall time). Every figure is CPU µs per member and members per second per
core (CPU), with wall time beside it:

- ``per-member loop``: ``Rulebook.evaluate`` on each of the first ``--loop`` members of
  the file (parsed once, beforehand): the reference every ratio is against;
- ``rows one by one``: ``evaluate_file(..., columnar=False)``, what main did before;
- each run starts with a Rulebook just loaded (its load not timed) and cold caches, as a
  process does; 2-process figures include the workers' start-up (import, load);
- ``columnar``: ``evaluate_file`` as the CLI runs it, CP932 CSV → Parquet and Parquet →
  Parquet; ``evaluate_frame`` DataFrame → DataFrame; with 1 and 2 processes (CPU of the
  parent and its workers; "CPU-bound speed-up" is 1-process CPU over the larger of the
  parent's CPU and half of all CPU: what 2 idle cores would give);
- the outputs of the columnar and one-by-one runs are compared (Arrow ``equals``) and
  their digests printed; with ``--million`` the 1,000,000-row output's digest over a
  sample of chunks equals that of the one-by-one path run on those chunks;
- peak RSS of ``hokensho-rules evaluate`` (the largest process) at ``--members`` and,
  with ``--million``, 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "examples")]

import membership_file
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

import hokensho_rules as hr
from hokensho_rules.membership import columnar
from hokensho_rules.membership.batch import TableRows
from hokensho_rules.membership.columns import Header, parse_row
from hokensho_rules.membership.encoding import arrow_batch
from hokensho_rules.membership.files import evaluate_file, read_members
from hokensho_rules.membership.frames import evaluate_frame
from hokensho_rules.membership.shapes import wide_shape

ON = date(2025, 12, 2)
CHUNK = 2_000


def fresh() -> hr.Rulebook:
    """A Rulebook just loaded, and no reader remembered: every run starts with cold caches, as a process does."""
    columnar._READERS.clear()
    return hr.Rulebook.load()


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(run: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """(wall, CPU of this process, CPU of its children that ended, result) of ``run()``."""
    wall, cpu, children = time.perf_counter(), time.process_time(), cpu_of_children()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, cpu_of_children() - children, result


def line(label: str, n: int, wall: float, cpu: float, loop: float, extra: str = "") -> None:
    per = cpu / n * 1e6
    print(f"  {label:<34} {per:7.1f} µs/member CPU  {n / cpu:>9,.0f} members/s/core  wall {wall:6.1f} s  "
          f"{loop / per:5.1f}x the loop{extra}")


def digest(table: Any) -> str:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)  # the same bytes for the same columns and values
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]


def loop_rate(book: hr.Rulebook, source: Path, count: int) -> float:
    """CPU µs per member of the per-member Rulebook.evaluate loop on the file's first ``count`` members."""
    people: list[hr.Member] = []
    with read_members(source) as table:
        for number, row in enumerate(table.rows, start=1):
            member = parse_row(table.header, row, number)  # type: ignore[arg-type]
            if isinstance(member, hr.Member):
                people.append(member)
            if len(people) >= count:
                break
    start = time.process_time()
    for member in people:
        try:
            book.evaluate(member, ON)
        except (hr.DecisionError, ValueError):
            pass
    return (time.process_time() - start) / len(people) * 1e6


def to_parquet(source: Path, target: Path) -> None:
    names = pcsv.read_csv(source, read_options=pcsv.ReadOptions(encoding="cp932", block_size=1 << 20)).column_names
    options = pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True)
    pq.write_table(pcsv.read_csv(source, read_options=pcsv.ReadOptions(encoding="cp932"), convert_options=options),
                   target)


def peak_rss_mib(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, the largest process) of a fresh process running ``command``."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True).stdout
    seconds, kib, rc = out.split()
    if rc not in ("0", "1"):
        raise SystemExit(f"{' '.join(command)} failed ({rc})")
    return float(seconds), int(kib) / 1024


def cli() -> list[str]:
    found = Path(sys.executable).parent / "hokensho-rules"
    return [str(found)] if found.exists() else [sys.executable, "-m", "hokensho_rules.cli.main"]


def sampled_digests(book: hr.Rulebook, source: Path, output: Path, every: int) -> tuple[str, str, int]:
    """Digests of every ``every``-th chunk of ``output`` and of the one-by-one path run on those input rows."""
    written = pq.read_table(output).replace_schema_metadata(None)
    wide = wide_shape(book)
    mine, theirs = [], []
    with read_members(source) as table:
        header: Header = table.header
        part: list[Any] = []
        for number, row in enumerate(table.rows):  # streamed: only the sampled chunks are kept
            if number % (CHUNK * every) < CHUNK:
                part.append(row)
            if len(part) == CHUNK or (part and number % (CHUNK * every) == CHUNK - 1):
                start = number - len(part) + 1
                results = list(hr.evaluate_many(TableRows(header, part), ON, rulebook=book, processes=1,
                                                first_row=start + 1, columnar=False))
                theirs.append(arrow_batch(wide, results))
                mine.append(written.slice(start, len(part)))
                part = []
    one_by_one = pa.Table.from_batches(theirs)
    return digest(pa.concat_tables(mine).combine_chunks()), digest(one_by_one.combine_chunks()), len(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--loop", type=int, default=2_000, help="members of the per-member Rulebook.evaluate loop")
    parser.add_argument("--million", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    n = args.members
    book = hr.Rulebook.load()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.workdir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        source, parquet = work / "members.csv", work / "members.parquet"
        membership_file.write(n, str(source), encoding="cp932", headers="ja", dates="wareki")
        to_parquet(source, parquet)
        print(f"{book}; {n:,} members (examples/membership_file.py, CP932, Japanese headers, wareki dates) on {ON}; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
        loop = loop_rate(book, source, args.loop)
        print(f"  {'per-member loop (Rulebook.evaluate)':<34} {loop:7.1f} µs/member CPU  {1e6 / loop:>9,.0f} members/s/core")

        print(f"\nCSV (CP932) → Parquet, evaluate_file, {n:,} rows:")
        outputs = {}
        for label, by_column, processes in (("rows one by one, 1 process", False, 1), ("columnar, 1 process", True, 1),
                                            ("columnar, 2 processes", True, 2)):
            target = work / f"out_{by_column}_{processes}.parquet"
            book = fresh()
            wall, cpu, children, _ = measured(lambda: evaluate_file(source, target, ON, rulebook=book, processes=processes,
                                                                    columnar=by_column, progress=False))
            outputs[label] = pq.read_table(target)
            extra = ""
            if processes == 2:
                bound = max(cpu, (cpu + children) / 2)
                extra = (f"; parent {cpu / n * 1e6:.1f} µs/member, workers {children / n * 1e6:.1f} (start-up incl.); "
                         f"CPU-bound speed-up {one_cpu / bound:4.2f}x, wall {one_wall / wall:4.2f}x 1 process")
            else:
                one_cpu, one_wall = cpu, wall
            line(label, n, wall, cpu + children, loop, extra)
        same = outputs["rows one by one, 1 process"].equals(outputs["columnar, 1 process"]) and \
            outputs["columnar, 1 process"].equals(outputs["columnar, 2 processes"])
        print(f"  outputs identical: {same}; digest {digest(outputs['columnar, 1 process'])} (columnar) "
              f"{digest(outputs['rows one by one, 1 process'])} (one by one)")

        print(f"\nParquet → Parquet, evaluate_file, {n:,} rows:")
        for label, by_column in (("rows one by one, 1 process", False), ("columnar, 1 process", True)):
            target = work / f"pq_{by_column}.parquet"
            book = fresh()
            wall, cpu, children, _ = measured(lambda: evaluate_file(parquet, target, ON, rulebook=book, processes=1,
                                                                    columnar=by_column, progress=False))
            line(label, n, wall, cpu + children, loop)

        import pandas as pd

        frame = pd.read_parquet(parquet)
        print(f"\nDataFrame → DataFrame, evaluate_frame, {n:,} rows (pandas, text cells):")
        for label, processes in (("columnar, 1 process", 1), ("columnar, 2 processes", 2)):
            book = fresh()
            wall, cpu, children, _ = measured(lambda: evaluate_frame(frame, ON, rulebook=book, processes=processes))
            line(label, n, wall, cpu + children, loop)
        del frame

        print("\nhokensho-rules evaluate (CLI), peak RSS of the largest process, -p 1 (one process holds everything):")
        wall, rss = peak_rss_mib([*cli(), "evaluate", str(source), "--on", "令和7年12月2日", "-o", str(work / "cli.parquet"),
                                  "-p", "1"])
        print(f"  {n:>9,} rows: wall {wall:6.1f} s, {rss:6.0f} MiB")
        book = fresh()
        if args.million:
            big = work / "members_1m.csv"
            membership_file.write(1_000_000, str(big), encoding="cp932", headers="ja", dates="wareki")
            out = work / "cli_1m.parquet"
            wall, cpu, children, _ = measured(lambda: subprocess.run(
                [*cli(), "evaluate", str(big), "--on", "令和7年12月2日", "-o", str(out)], check=False, capture_output=True))
            print(f"  1,000,000 rows: wall {wall:6.1f} s, {children / 1e6 * 1e6:.1f} µs/member CPU (all processes), "
                  f"{1e6 / children:,.0f} members/s/core, {loop / (children / 1e6 * 1e6):.1f}x the loop")
            wall, rss_m = peak_rss_mib([*cli(), "evaluate", str(big), "--on", "令和7年12月2日", "-o", str(out), "-p", "1"])
            print(f"  1,000,000 rows, -p 1: wall {wall:6.1f} s, {rss_m:6.0f} MiB (vs {rss:.0f} MiB at {n:,})")
            mine, theirs, chunks = sampled_digests(book, big, out, every=50)
            print(f"  digest of {chunks} sampled chunks: {mine} (streamed, columnar) {theirs} (one by one): "
                  f"{'equal' if mine == theirs else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
