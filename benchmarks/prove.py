"""How long proving the shipped rulebooks takes, and how much it checks.

Run from the repository root (with the ``prove`` extra, or z3-solver, installed)::

    PYTHONPATH=src python benchmarks/prove.py            # proof and regions
    PYTHONPATH=src python benchmarks/prove.py --no-regions

For each shipped rulebook (the seed alone, the seed with each amendment pack, all
packs) it prints:

- ``questions``: the questions proved (or not): every question of the rulebook;
- ``queries``: solver checks that decided them (one per question when it is proved,
  one more per failure found); ``proof s``: seconds for the encoding, those checks
  and the witnesses of any failures (each confirmed by ``Rulebook.evaluate``);
- ``regions``: the sets of rules of one question that fire together for some member
  and date, summed over the questions: the cells of the finite abstraction the issue
  describes, each also resolved by the library's own ``resolve``, which must have the
  same rules standing as the encoding; ``regions s``: seconds the enumeration took;
- the verdict: ``proved``, or the questions that are not (``--details`` prints their
  failures with witnesses).

This is the full set. The CI tests (tests/test_prove.py) prove every shipped rulebook
too, and enumerate the regions of two questions of the seed only
(tests/test_prove_encoding.py checks which rules stand against ``resolve`` on every
set of fired rules, reachable or not).
"""

from __future__ import annotations

import argparse

from hokensho_rules import Rulebook
from hokensho_rules.prove import prove, shipped_rulebooks


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--no-regions", action="store_true", help="skip the enumeration of regions")
    parser.add_argument("--details", action="store_true", help="print every failure with its witness")
    args = parser.parse_args()
    regions = not args.no_regions
    header = f"{'rulebook':<36} {'questions':>9} {'queries':>8} {'proof s':>8} {'regions':>8} {'regions s':>9}  verdict"
    print(header)
    print("-" * len(header))
    total_questions = total_queries = total_regions = 0
    total_proof = total_region_seconds = 0.0
    reports = []
    for packs in shipped_rulebooks():
        name = "seed" if len(packs) == 1 else f"seed + {packs[1]}" if len(packs) == 2 else "all packs"
        report = prove(Rulebook.load(packs), regions=regions)
        region_seconds = sum(q.region_seconds for q in report.questions)
        proof_seconds = report.seconds - region_seconds
        failed = [q.question for q in report.questions if not q.proved]
        verdict = "proved" if report.proved else "NOT proved: " + ", ".join(failed)
        shown_regions = str(report.regions) if regions else "-"
        shown_seconds = f"{region_seconds:.2f}" if regions else "-"
        print(f"{name:<36} {len(report.questions):>9} {report.queries:>8} {proof_seconds:>8.2f} "
              f"{shown_regions:>8} {shown_seconds:>9}  {verdict}", flush=True)
        total_questions += len(report.questions)
        total_queries += report.queries
        total_regions += report.regions or 0
        total_proof += proof_seconds
        total_region_seconds += region_seconds
        reports.append(report)
    print("-" * len(header))
    print(f"{'total':<36} {total_questions:>9} {total_queries:>8} {total_proof:>8.2f} "
          f"{total_regions if regions else '-':>8} {f'{total_region_seconds:.2f}' if regions else '-':>9}")
    if args.details:
        for report in reports:
            if not report.proved:
                print()
                print(report.render())


if __name__ == "__main__":
    main()
