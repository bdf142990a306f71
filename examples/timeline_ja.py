"""One member's story from 2024-10-01 to 2031-01-01, in Japanese with 令和 dates, and
where the seed document alone would have said otherwise than the rules in force.

Run: python examples/timeline_ja.py
"""

from datetime import date

import hokensho_rules as hr

in_force = hr.Rulebook.load()  # the seed and every later official change (Part B)
seed_only = hr.Rulebook.load(packs=["seed"])

# Enrolled in 2020 with a paper card that carries its own expiry; a My Number card
# registered for insurance use whose electronic certificate expires in February 2026;
# the certificate issued ex officio in November 2025.
member = hr.Member(
    id="M0042",
    kind="insured",
    enrolled_on=date(2020, 4, 1),
    employer="E01",
    my_number_held=True,
    insurer_registered_on=date(2021, 10, 20),
    notice_sent_on=date(2024, 10, 23),
    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1), expires_on=date(2025, 7, 31)),
    my_number_card=hr.MyNumberCard(
        registered_for_insurance_on=date(2023, 1, 10), certificate_expires_on=date(2026, 2, 10)
    ),
    certificate=hr.Certificate(issued_on=date(2025, 11, 20)),
)
start, end = date(2024, 10, 1), date(2031, 1, 1)

print(in_force.timeline(member, start, end).render("ja"))
print()
print(hr.compare(seed_only, in_force, member, start, end).render("ja"))
