"""The insurer's action list and the notices' mailing plan for a generated membership.

Run: python examples/action_list.py [members] [date]
"""

import sys
from datetime import date

from membership import generate

import hokensho_rules as hr

count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
on = date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else date(2025, 11, 1)

book = hr.Rulebook.load()
membership = generate(count)

actions = book.actions(membership, on)
print(f"{len(membership)} members, {len(actions)} actions on {on.isoformat()}")
for action, rows in sorted(actions.counts("ja").items(), key=lambda item: -item[1]):
    print(f"  {rows:6}  {action}")
print()
print(actions.render("ja", limit=15))
print()

# The initial mailing of eligibility notices (EN-1), planned as ML-1..ML-3 say: the
# plan holds the members the rules assign to it and lists the others apart.
plan = hr.plan_mailing(membership, book, on=on, mailing="initial")
print(plan.render("ja"))
