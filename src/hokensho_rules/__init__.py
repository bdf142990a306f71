"""hokensho-rules: which health-insurance document applies to a member on a date.

>>> import hokensho_rules as hr
>>> from datetime import date
>>> book = hr.Rulebook.load()
>>> member = hr.Member(id="M1", kind="insured", enrolled_on=date(2020, 4, 1),
...                    paper_card=hr.PaperCard(issued_on=date(2020, 4, 1)))
>>> book.evaluate(member, on=date(2025, 12, 2))["paper_card.usable"].rule_id
'PC-3'
"""

from .decisions import Decision, Explanation, NotApplied, Verdict
from .errors import (
    ConflictError,
    DecisionError,
    EngineError,
    GapError,
    HokenshoError,
    RuleFileError,
)
from .facts import Certificate, Member, MyNumberCard, PaperCard, Requests
from .rulebook.book import Rulebook
from .timeline import Change, Interval, Timeline

__all__ = [
    "Certificate",
    "Change",
    "ConflictError",
    "Decision",
    "DecisionError",
    "EngineError",
    "Explanation",
    "GapError",
    "HokenshoError",
    "Interval",
    "Member",
    "MyNumberCard",
    "NotApplied",
    "PaperCard",
    "Requests",
    "RuleFileError",
    "Rulebook",
    "Timeline",
    "Verdict",
]
