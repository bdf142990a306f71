"""A member on 2025-12-02, the first day without paper cards: what applies, and why.

Run: python examples/first_decision.py
"""

from datetime import date

import hokensho_rules as hr

book = hr.Rulebook.load()

# Enrolled in 2020 with a paper card; holds a My Number card that was never
# registered for insurance use.
member = hr.Member(
    id="M0001",
    kind="insured",
    enrolled_on=date(2020, 4, 1),
    employer="E042",
    my_number_held=True,
    insurer_registered_on=date(2024, 9, 12),
    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)),
    my_number_card=hr.MyNumberCard(certificate_expires_on=date(2029, 6, 30)),
)

decision = book.evaluate(member, on=date(2025, 12, 2))

for question, verdict in decision.items():
    print(f"{question:24} {verdict.outcome:14} {verdict.rule_id:20} {verdict.to_dict()['data']}")
print()
print(decision.explain(lang="ja"))
