"""``python -m hokensho_rules.prove``: prove rulebooks, print the reports, exit 1 if any fails.

Without ``--packs``, every shipped rulebook is proved: the seed alone, the seed with
each amendment pack, and all packs. Exit status: 0 all proved, 1 some not proved,
2 z3 is missing or the arguments or rule files are bad.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ..facts.errors import RuleFileError
from ..rulebook.book import Rulebook
from . import ProofReport, ProverUnavailable, prove, shipped_rulebooks


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m hokensho_rules.prove",
        description="Prove that every question of a rulebook has exactly one answer for every member and date.",
    )
    parser.add_argument("--packs", action="append", metavar="A,B,…",
                        help="a rulebook as comma-separated packs (repeatable); default: every shipped rulebook")
    parser.add_argument("--root", help="a rules/ folder to read instead of the shipped one")
    parser.add_argument("--max-failures", type=int, default=3, help="failures reported per question (default 3)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per solver query (default 300)")
    parser.add_argument("--regions", action="store_true",
                        help="also enumerate every set of rules that fire together and resolve each (slower)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    books = [tuple(p.strip() for p in packs.split(",") if p.strip()) for packs in args.packs] if args.packs else shipped_rulebooks(args.root)
    reports: list[ProofReport] = []
    try:
        for packs in books:
            book = Rulebook.load(packs, root=args.root)
            report = prove(book, max_failures=args.max_failures,
                           timeout_s=args.timeout, regions=args.regions)
            reports.append(report)
            if not args.json:
                print(report.render(), flush=True)
    except (ProverUnavailable, RuleFileError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    return 0 if all(r.proved for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
