"""Write a membership file as an insurer's system exports it: one row per member.

Run: python examples/membership_file.py COUNT OUT.csv [--encoding cp932] [--headers ja|en] [--dates iso|slash|wareki]

The members are those of ``membership.py`` (deterministic for a given ``--seed``),
written row by row, so a file of millions of members takes no more memory than one
of fifty. With ``--headers ja`` (the default) the columns carry the Japanese headers
insurers use, kinds are 被保険者/被扶養者 and flags 有/無; ``--dates`` picks how dates are
written. ``examples/members_sample.csv`` is ``50 members_sample.csv --encoding cp932
--dates wareki``.
"""

from __future__ import annotations

import argparse
import csv
from datetime import date

from membership import iter_members

from hokensho_rules.law.calendar import format_wareki
from hokensho_rules.membership.columns import COLUMNS, ja_header, member_cells

# The columns an export of this population has: the facts membership.py fills, and the
# documents' dates a real export carries even when empty. Not every column of the schema
# (hokensho-rules columns lists them all): a file names only what the insurer records.
WRITTEN = (
    "id", "kind", "enrolled_on", "loss_on", "voluntary_continuation", "my_number_held", "insurer_registered_on",
    "employer", "household", "enrolment_notified_on", "notice_sent_on", "paper_card.issued_on",
    "paper_card.expires_on", "my_number_card.registered_for_insurance_on", "my_number_card.certificate_expires_on",
    "certificate.issued_on", "certificate.expires_on", "requests.certificate_on_enrolment_form",
)
_JA_VALUES = {"kind": {"insured": "被保険者", "dependant": "被扶養者"}}
_JA_FLAGS = {"true": "有", "false": "無"}


def _cell(name: str, value: str, headers: str, dates: str) -> str:
    column = COLUMNS[name]
    if not value or headers == "en" and dates == "iso":
        return value
    if column.kind == "date":
        day = date.fromisoformat(value)
        if dates == "slash":
            return day.strftime("%Y/%m/%d")
        if dates == "wareki":
            return format_wareki(day)
        return value
    if headers == "ja" and column.kind == "bool":
        return _JA_FLAGS[value]
    return _JA_VALUES.get(name, {}).get(value, value) if headers == "ja" else value


def write(count: int, path: str, *, encoding: str = "cp932", headers: str = "ja", dates: str = "iso",
          seed: int = 2024) -> None:
    """Write ``count`` generated members to the CSV file ``path``."""
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow([ja_header(name) if headers == "ja" else name for name in WRITTEN])
        for member in iter_members(count, seed):
            cells = member_cells(member)
            writer.writerow([_cell(name, cells[name], headers, dates) for name in WRITTEN])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    parser.add_argument("--encoding", default="cp932", help="cp932 (Shift_JIS, default) or utf-8")
    parser.add_argument("--headers", choices=["ja", "en"], default="ja")
    parser.add_argument("--dates", choices=["iso", "slash", "wareki"], default="iso")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    write(args.count, args.path, encoding=args.encoding, headers=args.headers, dates=args.dates, seed=args.seed)


if __name__ == "__main__":
    main()
